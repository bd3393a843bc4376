//! The deployment of `deploy/`, with the real proxy: nginx from Debian,
//! running `deploy/nginx.conf` (its ports changed, and an https listener
//! added), in front of two instances of the everything example under
//! `pico::Server` at `/api-prefix/`. The forwarded prefix, scheme, host and
//! client address; the everything page in Chromium through nginx; and a
//! rolling restart under load (queries, JSON bodies, uploads, streams), in
//! which no request may fail.
//!
//! This binary is its own child: with `--child` it is one instance.

mod common;
#[path = "support/nginx.rs"]
mod nginx;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

/// A request that runs as long as it is asked to: what the drain's
/// deadline cuts off.
#[pico::api]
mod chores {
    #[expose]
    async fn chore(ms: u64) -> &'static str {
        tracing::info!(target: "pico", "chore started");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        "done"
    }
}

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Notify;

/// The proxy's only address the instances trust: a client on another
/// loopback address (127.0.0.2) is a stranger to them.
const PROXY_ADDRESS: &str = "127.0.0.1";
const STRANGER: [u8; 4] = [127, 0, 0, 2];

fn main() {
    if std::env::args().any(|a| a == "--child") {
        let mut app = pico::App::new()
            .register(everything::api::module())
            .trusted_proxies([PROXY_ADDRESS])
            .health()
            .metrics(pico::Metrics::new());
        // Only where the drain's deadline is tried: the page lists the
        // modules it finds.
        if std::env::var_os("DRAIN_MS").is_some() {
            app = app.register(chores::module());
        }
        if std::env::var_os("WITHOUT_FILES").is_none() {
            app = app.static_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/everything/static"));
        }
        let drain = std::env::var("DRAIN_MS").map_or(20_000, |ms| ms.parse().unwrap());
        pico::Server::new()
            .drain_timeout(Duration::from_millis(drain))
            // Shorter than the default 5 s, which is for balancers that probe
            // every few seconds: this test's prober asks without pause.
            .readiness_grace(Duration::from_secs(1))
            .run(app)
            .expect("the instance failed");
        return;
    }
    if !Path::new(nginx::NGINX).exists() {
        common::missing("nginx");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut deployment = Deployment::start().await;
        check(
            "the_prefix_scheme_and_host_come_from_nginx",
            prefix_scheme_and_host(&deployment),
        )
        .await;
        check("remote_addr_is_the_client_behind_nginx", remote_addr(&deployment)).await;
        check("h2c_straight_to_an_instance", h2c(&deployment)).await;
        check("nginx_refusals_are_json", nginx_refusals_are_json(&deployment)).await;
        check(
            "the_everything_page_through_nginx_in_chromium",
            chromium(&deployment),
        )
        .await;
        check(
            "a_rolling_restart_loses_nothing",
            rolling_restart(&mut deployment),
        )
        .await;
        check("the_drain_has_a_deadline", drain_deadline()).await;
        check("no_files_unless_the_app_asks", no_files_unless_asked(&deployment)).await;
    });
}

async fn check(name: &str, test: impl Future<Output = ()>) {
    print!("test {name} ... ");
    test.await;
    println!("ok");
}

/// nginx and the two instances behind it, stopped when dropped.
struct Deployment {
    dir: PathBuf,
    instances: Vec<Instance>,
    nginx: nginx::Nginx,
    /// `http://127.0.0.1:PORT/api-prefix`, and the same over https.
    http: String,
    https: String,
}

impl Deployment {
    async fn start() -> Deployment {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("deploy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let [a, b, http, https] = free_ports();
        let mut instances = Vec::new();
        for port in [a, b] {
            instances.push(Instance::start(port).await);
        }
        let nginx = nginx::Nginx::start(&dir, [a, b], http, https).await;
        Deployment {
            dir,
            instances,
            nginx,
            http: format!("http://127.0.0.1:{http}/api-prefix"),
            https: format!("https://127.0.0.1:{https}/api-prefix"),
        }
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Four ports free at the time of asking.
fn free_ports() -> [u16; 4] {
    let listeners: Vec<_> = (0..4)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

/// One instance: this binary with `--child`, and every line it logged.
struct Instance {
    port: u16,
    child: Child,
    lines: Arc<Lines>,
}

/// Told of each line any instance logs.
static LOGGED: Notify = Notify::const_new();

#[derive(Default)]
struct Lines {
    all: Mutex<Vec<String>>,
    added: Notify,
}

impl Lines {
    /// Waits until a line satisfies `wanted`, for at most 10 seconds.
    async fn wait_for(&self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let waiting = async {
            loop {
                let added = self.added.notified();
                if let Some(line) = self.all.lock().unwrap().iter().find(|l| wanted(l)) {
                    return line.clone();
                }
                added.await;
            }
        };
        match tokio::time::timeout(Duration::from_secs(10), waiting).await {
            Ok(line) => line,
            Err(_) => panic!(
                "no line {what} in 10 s; the lines: {:#?}",
                self.all.lock().unwrap()
            ),
        }
    }
}

impl Instance {
    async fn start(port: u16) -> Instance {
        Instance::start_with(port, &[]).await
    }

    async fn start_with(port: u16, env: &[(&str, &str)]) -> Instance {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--child")
            .current_dir(env.iter().find(|(k, _)| *k == "CWD").map_or(".", |(_, v)| *v))
            .envs(env.iter().copied())
            .env("PICO_BIND", format!("127.0.0.1:{port}"))
            .env("PICO_LOG", "json")
            .env("RUST_LOG", "info")
            .env_remove("PICO_DEBUG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let lines = Arc::new(Lines::default());
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let gathered = Arc::clone(&lines);
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                gathered.all.lock().unwrap().push(line);
                gathered.added.notify_waiters();
                LOGGED.notify_waiters();
            }
        });
        lines
            .wait_for("saying it listens", |l| {
                l.contains(&format!("listening on http://127.0.0.1:{port}/"))
            })
            .await;
        Instance { port, child, lines }
    }

    /// SIGTERM, then the exit, which comes once its requests are done.
    async fn stop(mut self) -> Arc<Lines> {
        let pid = self.child.id().unwrap().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
        assert!(status.success());
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the instance did not stop within 30 s of SIGTERM")
            .unwrap();
        assert!(exit.success(), "the instance on {} exited with {exit}", self.port);
        self.lines
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
}

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn prefix_scheme_and_host(d: &Deployment) {
    let client = client();
    // The host the client asked for, through nginx's X-Forwarded-Host.
    let definition = json(
        client
            .get(format!("{}/api", d.http))
            .header("host", "api.example.test")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        definition["url"], "http://api.example.test/api-prefix/api",
        "{definition}"
    );
    // The scheme nginx was reached by, through X-Forwarded-Proto.
    let https_port = d.https.split(':').nth(2).unwrap().split('/').next().unwrap();
    let definition = json(client.get(format!("{}/api", d.https)).send().await.unwrap()).await;
    assert_eq!(
        definition["url"],
        format!("https://127.0.0.1:{https_port}/api-prefix/api"),
        "{definition}"
    );
    let openapi = json(
        client
            .get(format!("{}/openapi.json", d.https))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        openapi["servers"][0]["url"],
        format!("https://127.0.0.1:{https_port}/api-prefix"),
        "{}",
        openapi["servers"]
    );
    let script = client.get(format!("{}/pico.js", d.http)).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    // Cookies are Secure where the client used https.
    let cookie = |response: &reqwest::Response| response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let over_https = client
        .get(format!("{}/api/start_session", d.https))
        .send()
        .await
        .unwrap();
    assert!(
        cookie(&over_https).contains("; Secure"),
        "{}",
        cookie(&over_https)
    );
    let over_http = client
        .get(format!("{}/api/start_session", d.http))
        .send()
        .await
        .unwrap();
    assert!(!cookie(&over_http).contains("Secure"), "{}", cookie(&over_http));
    // A client's own X-Script-Name is cleared by nginx: else it would
    // disagree with X-Forwarded-Prefix, and be refused.
    let definition = json(
        client
            .get(format!("{}/api", d.http))
            .header("x-script-name", "/elsewhere")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        definition["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{definition}"
    );
}

async fn remote_addr(d: &Deployment) {
    let stranger = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(STRANGER))
        .build()
        .unwrap();
    // Through nginx, with a made-up X-Forwarded-For in front of what nginx
    // appends: the address nginx saw is the one believed.
    let through = json(
        stranger
            .get(format!("{}/api/my_ip", d.http))
            .header("x-forwarded-for", "6.6.6.6")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(through, json!("127.0.0.2"));
    // Bytes that are not text, left of nginx's entry, change nothing either.
    let garbled = json(
        stranger
            .get(format!("{}/api/my_ip", d.http))
            .header(
                "x-forwarded-for",
                reqwest::header::HeaderValue::from_bytes(b"\xff\xfe, 6.6.6.6").unwrap(),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(garbled, json!("127.0.0.2"));
    // Straight to an instance, the same header from a stranger is ignored.
    let instance = &d.instances[0];
    let direct = json(
        stranger
            .get(format!("http://127.0.0.1:{}/api/my_ip", instance.port))
            .header("x-forwarded-for", "6.6.6.6")
            .header("x-forwarded-host", "evil.test")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(direct, json!("127.0.0.2"));
    let definition = json(
        stranger
            .get(format!("http://127.0.0.1:{}/api", instance.port))
            .header("x-forwarded-host", "evil.test")
            .header("x-forwarded-prefix", "/evil")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        definition["url"],
        format!("http://127.0.0.1:{}/api", instance.port),
        "{definition}"
    );
    // The log line names the client too, in whichever instance served the
    // call through nginx (known by its request id, which nginx passes on).
    let answer = stranger
        .get(format!("{}/api/my_ip", d.http))
        .header("x-request-id", "stranger-through-nginx")
        .send()
        .await
        .unwrap();
    assert_eq!(json(answer).await, json!("127.0.0.2"));
    let logged = |l: &str| l.contains("\"request_id\":\"stranger-through-nginx\"");
    let line = tokio::select! {
        line = d.instances[0].lines.wait_for("logging the stranger", logged) => line,
        line = d.instances[1].lines.wait_for("logging the stranger", logged) => line,
    };
    assert!(line.contains("\"client\":\"127.0.0.2\""), "{line}");
}

async fn h2c(d: &Deployment) {
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let response = client
        .get(format!(
            "http://127.0.0.1:{}/api/multiply?x=6&y=7",
            d.instances[1].port
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(json(response).await, json!(42));
}

async fn nginx_refusals_are_json(d: &Deployment) {
    // Over client_max_body_size: nginx answers, in the app's shape.
    let response = client()
        .post(format!("{}/api/hello", d.http))
        .header("content-type", "application/json")
        .body(vec![b' '; 17 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Payload Too Large", "{body}");
    assert_eq!(body["code"], 413, "{body}");
    // The app's own errors pass through as they are.
    let response = client()
        .get(format!("{}/api/make_coffee", d.http))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 418);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "I'm a teapot", "{body}");
    // The metrics and the readiness probe are the inside's: asked of an
    // instance, they answer; through nginx, they are not there.
    let instance = format!("http://127.0.0.1:{}", d.instances[0].port);
    for path in ["/metrics", "/readyz"] {
        let inside = client().get(format!("{instance}{path}")).send().await.unwrap();
        assert_eq!(inside.status(), 200, "{path}");
        let outside = client().get(format!("{}{path}", d.http)).send().await.unwrap();
        assert_eq!(outside.status(), 404, "{path}");
        assert_eq!(outside.headers()["content-type"], "application/json");
        let body: Value = outside.json().await.unwrap();
        assert_eq!(body["name"], "Not Found", "{body}");
    }
    let scrape = client().get(format!("{instance}/metrics")).send().await.unwrap();
    let text = scrape.text().await.unwrap();
    assert!(text.contains("http_route=\"/api/make_coffee\""), "{text}");
}

async fn chromium(d: &Deployment) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() || !Path::new("tests/browser/node_modules/playwright-core").exists() {
        common::missing("Chromium or playwright-core");
        return;
    }
    let screenshot = d.dir.join("everything.png");
    let args = [
        "tests/browser/run.mjs".as_ref(),
        d.http.as_ref(),
        screenshot.as_os_str(),
        "proxied".as_ref(),
    ];
    let stdout = common::run_to_success("node", &args).await;
    assert!(
        stdout.contains("ok - every call under the proxy's prefix"),
        "{stdout}"
    );
    assert!(stdout.contains("ok - a file upload"), "{stdout}");
}

/// What the load saw.
#[derive(Default)]
struct Tally {
    answered: AtomicUsize,
    /// Streams whose head has come, by the port of the instance sending it.
    streams_running: Mutex<HashMap<u16, usize>>,
    streams_done: AtomicUsize,
    uploads: AtomicUsize,
    /// Calls made with POST (JSON bodies and uploads).
    posts: AtomicUsize,
    failures: Mutex<Vec<String>>,
    progress: Notify,
}

impl Tally {
    /// Waits until `wanted` holds, checked at each answer and each stream
    /// that starts.
    async fn wait_until(&self, what: &str, wanted: impl Fn(&Tally) -> bool) {
        let waiting = async {
            loop {
                let progress = self.progress.notified();
                if wanted(self) {
                    return;
                }
                progress.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), waiting)
            .await
            .unwrap_or_else(|_| panic!("the load stalled, waiting for {what}"));
    }

    /// Waits until `more` requests beyond those answered now are answered.
    async fn wait_for_more(&self, more: usize) {
        let target = self.answered.load(Ordering::SeqCst) + more;
        self.wait_until("more answers", |t| t.answered.load(Ordering::SeqCst) >= target)
            .await;
    }

    fn streams_on(&self, port: u16) -> usize {
        self.streams_running
            .lock()
            .unwrap()
            .get(&port)
            .copied()
            .unwrap_or(0)
    }

    fn answered(&self, outcome: Result<(), String>) {
        if let Err(failure) = outcome {
            self.failures.lock().unwrap().push(failure);
        }
        self.answered.fetch_add(1, Ordering::SeqCst);
        self.progress.notify_waiters();
    }
}

/// The instance that answered through nginx: the last address of the
/// `X-Upstream` header the test's nginx adds (`$upstream_addr`, which
/// lists each instance tried).
fn upstream_port(response: &reqwest::Response) -> Option<u16> {
    let tried = response.headers().get("x-upstream")?.to_str().ok()?;
    tried.rsplit(", ").next()?.rsplit(':').next()?.parse().ok()
}

/// One worker of the load: calls of its kind, each answer checked, until
/// told to stop.
async fn worker(kind: usize, base: String, tally: Arc<Tally>, stop: Arc<AtomicBool>) {
    let client = reqwest::Client::new();
    let mut n: i64 = kind as i64;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let outcome = match kind % 6 {
            0 | 1 => {
                let url = format!("{base}/api/multiply?x={n}&y=-3");
                expect(client.get(url).send().await, &json!(n * -3).to_string()).await
            }
            2 => {
                let url = format!("{base}/api/hello");
                let body = json!({"who": format!("worker {n}")});
                tally.posts.fetch_add(1, Ordering::SeqCst);
                let id = format!("load-{kind}-{n}");
                expect(
                    client
                        .post(url)
                        .header("x-request-id", id)
                        .json(&body)
                        .send()
                        .await,
                    &json!(format!("Hello worker {n}")).to_string(),
                )
                .await
            }
            3 => {
                let text = format!("upload {n} ").repeat(1 + (n as usize % 50) * 40);
                let form = reqwest::multipart::Form::new()
                    .part(
                        "upload",
                        reqwest::multipart::Part::text(text.clone()).file_name("f.txt"),
                    )
                    .text("filename", "f.txt");
                let url = format!("{base}/api/upload");
                tally.posts.fetch_add(1, Ordering::SeqCst);
                let id = format!("load-{kind}-{n}");
                let outcome = expect(
                    client
                        .post(url)
                        .header("x-request-id", id)
                        .multipart(form)
                        .send()
                        .await,
                    &json!(text).to_string(),
                )
                .await;
                tally.uploads.fetch_add(1, Ordering::SeqCst);
                outcome
            }
            _ => {
                // Ten events, 1.8 seconds: long enough to be running when an
                // instance is told to stop, which ends it early, with its
                // close event.
                let url = format!("{base}/api/countdown?n=10");
                let sent = client.get(url).send().await;
                let port = sent.as_ref().ok().and_then(upstream_port);
                if let Some(port) = port {
                    *tally.streams_running.lock().unwrap().entry(port).or_default() += 1;
                    tally.progress.notify_waiters();
                }
                let outcome = expect_countdown(sent).await;
                if let Some(port) = port {
                    *tally.streams_running.lock().unwrap().entry(port).or_default() -= 1;
                }
                tally.streams_done.fetch_add(1, Ordering::SeqCst);
                outcome
            }
        };
        tally.answered(outcome);
    }
}

async fn expect(sent: reqwest::Result<reqwest::Response>, wanted: &str) -> Result<(), String> {
    let response = sent.map_err(|e| format!("not sent: {e:?}"))?;
    let status = response.status();
    let url = response.url().to_string();
    let text = response
        .text()
        .await
        .map_err(|e| format!("{url}: cut off: {e:?}"))?;
    if status == 200 && text == wanted {
        Ok(())
    } else {
        Err(format!("{url}: {status} {text:?}, not {wanted:?}"))
    }
}

/// A countdown from 9, whole or ended early by its instance's stop, but
/// always ended by its close event.
async fn expect_countdown(sent: reqwest::Result<reqwest::Response>) -> Result<(), String> {
    let response = sent.map_err(|e| format!("not sent: {e:?}"))?;
    let text = response
        .text()
        .await
        .map_err(|e| format!("countdown cut off: {e:?}"))?;
    let whole: String = (0..10).rev().map(|i| format!("data: {i}\n\n")).collect();
    match text.strip_suffix("event: close\ndata: close\n\n") {
        Some(items) if !items.is_empty() && whole.starts_with(items) => Ok(()),
        _ => Err(format!("countdown: {text:?}")),
    }
}

/// The request ids of the load's calls with POST that an instance ran, by
/// its log lines.
fn posts_run(lines: &Lines, ids: &mut HashMap<String, usize>) {
    for line in lines.all.lock().unwrap().iter() {
        let Ok(line) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let id = line["request_id"].as_str().unwrap_or("");
        if line["target"] == "pico::request" && line["method"] == "POST" && id.starts_with("load-") {
            *ids.entry(id.to_owned()).or_default() += 1;
        }
    }
}

async fn rolling_restart(d: &mut Deployment) {
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..12)
        .map(|kind| {
            tokio::spawn(worker(
                kind,
                d.http.clone(),
                Arc::clone(&tally),
                Arc::clone(&stop),
            ))
        })
        .collect();
    tally.wait_for_more(500).await;
    let mut stopped_lines = Vec::new();
    let mut streams_at_sigterm = Vec::new();
    let mut readiness = Vec::new();
    for index in 0..d.instances.len() {
        let port = d.instances[index].port;
        // A stream running on the instance told to stop, which must end
        // whole.
        tally
            .wait_until("a stream on the instance to stop", |t| t.streams_on(port) > 0)
            .await;
        streams_at_sigterm.push(tally.streams_on(port));
        let ready = Arc::new(Notify::new());
        let prober = tokio::spawn(probe_readiness(port, Arc::clone(&ready)));
        ready.notified().await;
        let stopped = d.instances.remove(index);
        stopped_lines.push(stopped.stop().await);
        let seen = prober.await.unwrap();
        readiness.push(seen.summary());
        d.instances.insert(index, Instance::start(port).await);
        // The restarted instance takes its share before the next one stops.
        let restarted = Arc::clone(&d.instances[index].lines);
        tally.wait_for_more(500).await;
        restarted
            .wait_for("a call served by the restarted instance", |l| {
                l.contains("\"target\":\"pico::request\"")
            })
            .await;
    }
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.unwrap();
    }
    let failures = std::mem::take(&mut *tally.failures.lock().unwrap());
    let answered = tally.answered.load(Ordering::SeqCst);
    assert!(
        failures.is_empty(),
        "{} of {answered} requests failed during the rolling restart: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
    assert!(answered >= 1500, "only {answered} requests");
    assert!(tally.uploads.load(Ordering::SeqCst) >= 20);
    assert!(tally.streams_done.load(Ordering::SeqCst) >= 4);
    // nginx sends a POST that met a closing connection to the other
    // instance: it must have run once, not twice. Each instance logs a
    // line per call it ran; the running ones write theirs within 50 ms.
    let sent = tally.posts.load(Ordering::SeqCst);
    let run = || {
        let mut ids = HashMap::new();
        for lines in stopped_lines.iter().chain(d.instances.iter().map(|i| &i.lines)) {
            posts_run(lines, &mut ids);
        }
        ids
    };
    let logged = async {
        loop {
            let added = LOGGED.notified();
            if run().len() >= sent {
                return;
            }
            added.await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), logged)
        .await
        .unwrap_or_else(|_| panic!("{sent} calls with POST sent, {} run", run().len()));
    let ids = run();
    assert_eq!(ids.len(), sent, "calls with POST run, and sent");
    let twice: Vec<_> = ids.iter().filter(|&(_, &times)| times > 1).collect();
    assert!(twice.is_empty(), "calls run more than once: {twice:?}");
    println!(
        "\n  {answered} requests, {} uploads, {sent} with POST (each run once), {} streams, none failed; \
         streams running on the instance at each SIGTERM: {streams_at_sigterm:?}; /readyz of each \
         instance stopped: {readiness:?}",
        tally.uploads.load(Ordering::SeqCst),
        tally.streams_done.load(Ordering::SeqCst),
    );
    let _ = &d.nginx;
}

/// What `/readyz` of one instance answered while it was told to stop, in
/// order: 200s, then 503s, then no connection.
struct Readiness(Vec<Option<u16>>);

impl Readiness {
    /// `200 x3, 503 x120, refused`, asserting the order: the instance says
    /// it is not ready before it stops accepting, and never ready again.
    fn summary(&self) -> String {
        let mut runs: Vec<(Option<u16>, usize)> = Vec::new();
        for answer in &self.0 {
            match runs.last_mut() {
                Some((last, n)) if last == answer => *n += 1,
                _ => runs.push((*answer, 1)),
            }
        }
        let kinds: Vec<Option<u16>> = runs.iter().map(|(a, _)| *a).collect();
        assert_eq!(
            kinds,
            [Some(200), Some(503), None],
            "/readyz must turn 503 before the instance stops accepting: {runs:?}"
        );
        runs.iter()
            .map(|(answer, n)| match answer {
                Some(status) => format!("{status} x{n}"),
                None => "refused".to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Asks `/readyz` of the instance on `port` without pause, each time on a
/// new connection (as a balancer's probe does), until it refuses one;
/// tells `ready` once it answered ready.
async fn probe_readiness(port: u16, ready: Arc<Notify>) -> Readiness {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut seen = Vec::new();
    loop {
        match client.get(format!("http://127.0.0.1:{port}/readyz")).send().await {
            Ok(answer) => {
                let status = answer.status().as_u16();
                if status == 200 && seen.is_empty() {
                    ready.notify_one();
                }
                seen.push(Some(status));
            }
            Err(_) => {
                seen.push(None);
                return Readiness(seen);
            }
        }
    }
}

async fn drain_deadline() {
    let [port, ..] = free_ports();
    let instance = Instance::start_with(port, &[("DRAIN_MS", "300")]).await;
    let chore = tokio::spawn(reqwest::get(format!(
        "http://127.0.0.1:{port}/chores/chore?ms=5000"
    )));
    instance
        .lines
        .wait_for("the chore to start", |l| l.contains("chore started"))
        .await;
    // Five seconds of work are left; the drain allows 300 ms of them.
    let lines = instance.stop().await;
    lines
        .wait_for("saying what it cut off", |l| l.contains("are cut off"))
        .await;
    let cut = match chore.await.unwrap() {
        Ok(response) => response.text().await.is_err(),
        Err(_) => true,
    };
    assert!(cut, "the chore was not cut off");
}

async fn no_files_unless_asked(d: &Deployment) {
    // A `static` folder where the instance runs, which the development
    // server would serve at `/`.
    let dir = d.dir.join("with-static");
    std::fs::create_dir_all(dir.join("static")).unwrap();
    std::fs::write(dir.join("static/hello.txt"), "a file").unwrap();
    let [port, ..] = free_ports();
    let cwd = dir.to_str().unwrap();
    let instance = Instance::start_with(port, &[("WITHOUT_FILES", "1"), ("CWD", cwd)]).await;
    let response = reqwest::get(format!("http://127.0.0.1:{port}/hello.txt"))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/json");
    let answer = reqwest::get(format!("http://127.0.0.1:{port}/api/multiply?x=2&y=3"))
        .await
        .unwrap();
    assert_eq!(json(answer).await, json!(6));
    instance.stop().await;
}
