//! The development server, `pico::serve`, as a real process: its port, its
//! first line, request logs, static files, quiet panics logged once, debug
//! from the environment, and a graceful stop on SIGTERM.
//!
//! This binary is its own child: run by `cargo test` it starts copies of
//! itself with `--child`, which serve an app with `pico::serve`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[pico::api]
mod devapp {
    #[expose]
    fn hello(who: String) -> String {
        format!("hello {who}!")
    }

    /// Says it started at once, then finishes `ms` later: a request the
    /// client knows to be in flight.
    #[expose]
    #[stream]
    fn slow(ms: u64) -> impl futures_util::Stream<Item = &'static str> {
        futures_util::stream::unfold(0, move |step| async move {
            match step {
                0 => Some(("started", 1)),
                1 => {
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    Some(("done", 2))
                }
                _ => None,
            }
        })
    }

    #[expose]
    fn fail() -> String {
        panic!("fail!")
    }

    /// Says on stdout that it started, then answers `ms` later.
    #[expose]
    async fn slow_answer(ms: u64) -> &'static str {
        println!("in flight");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        "done"
    }

    #[expose]
    fn count(#[state] hits: &std::sync::atomic::AtomicU64) -> u64 {
        hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
    }
}

fn main() {
    if std::env::args().any(|a| a == "--child") {
        let mut app = pico::App::new().register(devapp::module());
        if std::env::var_os("CHILD_FORGET_STATE").is_none() {
            app = app.state(std::sync::atomic::AtomicU64::new(0));
        }
        if let Some(dir) = std::env::var_os("CHILD_STATIC_DIR") {
            app = app.static_files(dir);
        }
        if let Ok(why) = std::env::var("CHILD_START_FAILS") {
            app = app.on_start(move || async move { Err(why) });
        }
        if std::env::var_os("CHILD_PRODUCTION_SERVING").is_some() {
            let header_timeout = std::env::var("CHILD_HEADER_TIMEOUT_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map(Duration::from_millis);
            serve_in_production(app, header_timeout);
            return;
        }
        if std::env::var_os("CHILD_PRODUCTION").is_some() {
            if let Err(e) = pico::Server::new().bind("127.0.0.1:0").run(app) {
                println!("run answered: {e}");
                std::process::exit(3);
            }
            return;
        }
        pico::serve(app);
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        check(
            "first_free_port_from_4242_static_files_and_logs",
            first_free_port_from_4242_static_files_and_logs(),
        )
        .await;
        check(
            "host_and_port_from_the_environment",
            host_and_port_from_the_environment(),
        )
        .await;
        check("debug_from_the_environment", debug_from_the_environment()).await;
        check(
            "the_production_server_ignores_pico_debug",
            the_production_server_ignores_pico_debug(),
        )
        .await;
        check(
            "on_loopback_only_loopback_names_are_answered",
            on_loopback_only_loopback_names_are_answered(),
        )
        .await;
        check(
            "the_apps_own_static_folder_is_kept",
            the_apps_own_static_folder_is_kept(),
        )
        .await;
        check(
            "sigterm_lets_in_flight_requests_finish",
            sigterm_lets_in_flight_requests_finish(),
        )
        .await;
        check("json_lines_with_pico_log_json", json_lines_with_pico_log_json()).await;
        check(
            "a_mistake_in_the_app_stops_the_servers_before_they_start",
            a_mistake_in_the_app_stops_the_servers_before_they_start(),
        )
        .await;
        check("slow_headers_are_cut_off", slow_headers_are_cut_off()).await;
        check(
            "a_slowloris_of_500_connections_does_not_stop_others",
            a_slowloris_of_500_connections_does_not_stop_others(),
        )
        .await;
    });
}

/// `pico::Server` on a port of its own, said on stdout as the development
/// server says it, until SIGTERM.
fn serve_in_production(app: pico::App, header_timeout: Option<Duration>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("Running on http://{}/", listener.local_addr().unwrap());
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
        let stop = async move {
            term.recv().await;
        };
        let mut server = pico::Server::new();
        if let Some(timeout) = header_timeout {
            server = server.header_timeout(timeout);
        }
        server.serve_on(listener, app, stop).await.unwrap();
    });
}

async fn check(name: &str, test: impl std::future::Future<Output = ()>) {
    print!("test {name} ... ");
    test.await;
    println!("ok");
}

/// A `--child` server process and what it printed.
struct Served {
    child: Child,
    /// The rest of its stdout, kept open: a line a function prints there
    /// says that a request reached it.
    stdout: BufReader<std::process::ChildStdout>,
    base: String,
    port: u16,
    stderr: PathBuf,
    _dir: TempDir,
}

impl Served {
    fn start(env: &[(&str, &str)], with_static: bool) -> Served {
        let dir = TempDir::new();
        if with_static {
            std::fs::create_dir(dir.0.join("static")).unwrap();
            std::fs::write(dir.0.join("static/hello.txt"), "static hello").unwrap();
        }
        let stderr = dir.0.join("stderr.log");
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .arg("--child")
            .current_dir(&dir.0)
            .env_remove("PICO_DEBUG")
            .env_remove("PICO_PORT")
            .env_remove("PICO_HOST")
            .env_remove("PICO_LOG")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr).unwrap());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let base = line
            .strip_prefix("Running on ")
            .and_then(|l| l.trim_end().strip_suffix('/'))
            .unwrap_or_else(|| {
                panic!(
                    "first line {line:?}, stderr: {}",
                    std::fs::read_to_string(&stderr).unwrap()
                )
            })
            .to_owned();
        let port = base.rsplit(':').next().unwrap().parse().unwrap();
        Served {
            child,
            stdout,
            base,
            port,
            stderr,
            _dir: dir,
        }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// GETs `path` with `X-Request-Id: id`; returns the status and the id
    /// answered.
    async fn get_as(&self, path: &str, id: &str) -> (u16, String) {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("x-request-id", id)
            .send()
            .await
            .unwrap();
        let answered = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        (response.status().as_u16(), answered)
    }

    /// Sends SIGTERM and waits for the exit; returns the exit code and stderr.
    fn stop(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = wait_timeout::ChildExt::wait_timeout(&mut self.child, Duration::from_secs(10))
            .unwrap()
            .expect("the server did not stop within 10 s of SIGTERM")
            .code();
        (code, std::fs::read_to_string(&self.stderr).unwrap())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn first_free_port_from_4242_static_files_and_logs() {
    // Hold 4242 when it is free, so the server must move up.
    let held = std::net::TcpListener::bind("127.0.0.1:4242").ok();
    let served = Served::start(&[], true);
    assert!(served.base.starts_with("http://127.0.0.1:"), "{}", served.base);
    assert!((4243..4342).contains(&served.port), "port {}", served.port);
    for port in 4242..served.port {
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", port)).is_err(),
            "port {port} was free"
        );
    }
    drop(held);

    assert_eq!(
        served.get("/devapp/hello?who=you").await,
        (200, "\"hello you!\"".to_owned())
    );
    assert_eq!(served.get("/hello.txt").await, (200, "static hello".to_owned()));
    let (status, body) = served.get("/missing.txt").await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["name"], "Not Found");
    assert_eq!(
        served.get_as("/missing.txt", "dev-missing-1").await,
        (404, "dev-missing-1".to_owned())
    );
    let (status, body) = served.get("/%2e%2e/stderr.log").await;
    assert_eq!(status, 404, "{body}");
    // `/` is still the app definition.
    let (_, body) = served.get("/").await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["modules"][0]["name"],
        "devapp"
    );
    let (status, body) = served.get("/devapp/fail").await;
    assert_eq!(status, 500);
    assert!(
        serde_json::from_str::<Value>(&body)
            .unwrap()
            .get("__debug__")
            .is_none()
    );

    let (code, stderr) = served.stop();
    assert_eq!(code, Some(0), "{stderr}");
    // The query's values are not written down: they carry tokens.
    assert!(
        stderr.contains("GET /devapp/hello?who=[Filtered] 200"),
        "{stderr}"
    );
    assert!(!stderr.contains("who=you"), "{stderr}");
    assert!(stderr.contains("GET /hello.txt 200"), "{stderr}");
    // A line for people: method, URI, status, duration and the request's id.
    let missing = stderr
        .lines()
        .find(|l| l.contains("GET /missing.txt 404") && l.ends_with(" dev-missing-1"));
    assert!(missing.is_some(), "{stderr}");
    // The panic is logged once, with its message and place, and Rust's own
    // panic message is not printed.
    let logged: Vec<&str> = stderr.lines().filter(|l| l.contains("internal error")).collect();
    assert_eq!(logged.len(), 1, "{stderr}");
    assert!(
        logged[0].contains("fail!") && logged[0].contains("dev_server.rs:"),
        "{}",
        logged[0]
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

async fn json_lines_with_pico_log_json() {
    let served = Served::start(&[("PICO_LOG", "json")], false);
    assert_eq!(
        served.get_as("/devapp/hello?who=me", "json-1").await,
        (200, "json-1".to_owned())
    );
    assert_eq!(
        served.get_as("/devapp/fail", "json-2").await,
        (500, "json-2".to_owned())
    );
    let (code, stderr) = served.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let hello = lines
        .iter()
        .find(|l| l["target"] == "pico::request" && l["request_id"] == "json-1")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(hello["level"], "INFO");
    assert_eq!(hello["method"], "GET");
    assert_eq!(hello["uri"], "/devapp/hello?who=[Filtered]");
    assert_eq!(hello["route"], "/devapp/hello");
    assert_eq!(hello["status"], 200);
    assert!(hello["duration_ms"].as_f64().is_some_and(|d| d > 0.0), "{hello}");
    let failed = lines
        .iter()
        .find(|l| l["level"] == "ERROR" && l["request_id"] == "json-2")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(failed["function"], "devapp.fail");
    assert_eq!(failed["error.name"], "panic");
}

async fn host_and_port_from_the_environment() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let served = Served::start(&[("PICO_HOST", "127.0.0.1"), ("PICO_PORT", &port)], false);
    assert_eq!(served.base, format!("http://127.0.0.1:{port}"));
    // Without a `static` folder, unknown paths are the JSON 404.
    assert_eq!(served.get("/hello.txt").await.0, 404);
    let (code, _) = served.stop();
    assert_eq!(code, Some(0));
}

async fn debug_from_the_environment() {
    let served = Served::start(&[("PICO_DEBUG", "1")], false);
    let (status, body) = served.get("/devapp/fail").await;
    assert_eq!(status, 500);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["__debug__"]["name"], json!("panic"));
    assert_eq!(body["__debug__"]["message"], json!("fail!"));
}

/// The production layout is a proxy on loopback in front of `pico::Server`:
/// there a `PICO_DEBUG` left in the environment shows no stack to anyone.
async fn the_production_server_ignores_pico_debug() {
    let served = Served::start(&[("PICO_DEBUG", "1"), ("CHILD_PRODUCTION_SERVING", "1")], false);
    let response = reqwest::Client::new()
        .get(format!("{}/devapp/fail", served.base))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("__debug__").is_none(), "{body}");
    let (code, stderr) = served.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("PICO_DEBUG is set but pico::Server is the production server"),
        "{stderr}"
    );
}

/// DNS rebinding: a page of `rebind.evil` whose name now resolves to
/// 127.0.0.1 calls the local server as its own origin, with its own name
/// in `Host`.
async fn on_loopback_only_loopback_names_are_answered() {
    let served = Served::start(&[], false);
    let client = reqwest::Client::new();
    let call = |host: String| {
        client
            .get(format!("{}/devapp/hello?who=x", served.base))
            .header("host", host)
            .header("origin", "http://rebind.evil")
            .header("sec-fetch-site", "same-origin")
            .send()
    };
    let port = served.port;
    let rebound = call(format!("rebind.evil:{port}")).await.unwrap();
    assert_eq!(rebound.status(), 421);
    let body: Value = rebound.json().await.unwrap();
    assert_eq!(body["name"], "Misdirected Request", "{body}");
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("app.localhost:{port}"),
    ] {
        let own = client
            .get(format!("{}/devapp/hello?who=x", served.base))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 200, "{host}");
        // Read whole, so that the next call reuses the connection.
        assert_eq!(own.text().await.unwrap(), "\"hello x!\"", "{host}");
    }
    let (code, stderr) = served.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// `./static` of the working directory is served only by an app without a
/// folder of its own.
async fn the_apps_own_static_folder_is_kept() {
    let own = TempDir::new();
    std::fs::write(own.0.join("hello.txt"), "the app's own").unwrap();
    let own_dir = own.0.to_str().unwrap().to_owned();
    let served = Served::start(&[("CHILD_STATIC_DIR", &own_dir)], true);
    assert_eq!(served.get("/hello.txt").await, (200, "the app's own".to_owned()));
    let (code, stderr) = served.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

async fn sigterm_lets_in_flight_requests_finish() {
    let mut served = Served::start(&[], false);
    // A stream that would go on for a minute, and an answer due in a second.
    let url = format!("{}/devapp/slow?ms=60000", served.base);
    let mut stream = reqwest::get(url).await.unwrap();
    let first = stream.chunk().await.unwrap().unwrap();
    assert_eq!(&first[..], b"data: \"started\"\n\n");
    let answer = tokio::spawn(reqwest::get(format!(
        "{}/devapp/slow_answer?ms=1000",
        served.base
    )));
    let mut line = String::new();
    served.stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "in flight\n");
    // In flight: the signal comes now. The answer comes a second later; the
    // stream ends at once with its close event, so that the server stops
    // well before the minute (`stop` gives up after 10 s).
    let base = served.base.clone();
    let stopping = tokio::task::spawn_blocking(move || served.stop());
    let rest = stream.text().await.unwrap();
    assert_eq!(rest, "event: close\ndata: close\n\n");
    let answer = answer.await.unwrap().unwrap();
    assert_eq!(answer.text().await.unwrap(), "\"done\"");
    let (code, stderr) = stopping.await.unwrap();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        reqwest::get(format!("{base}/devapp/hello?who=x")).await.is_err(),
        "still accepting"
    );
}

/// A `--child` run to its end with `env`: its status, stdout and stderr.
fn child_output(env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.arg("--child").env_remove("PICO_PORT");
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

async fn a_mistake_in_the_app_stops_the_servers_before_they_start() {
    let message = "pico: `devapp.count` takes `#[state]` of type `core::sync::atomic::AtomicU64`, \
                   which the app was not given: add `.state(value)` to the `App`";
    // The state forgotten: the mistake.
    let run = |env: &[(&str, &str)]| child_output(&[&[("CHILD_FORGET_STATE", "1")], env].concat());
    // `pico::serve`: the message, status 1, no backtrace, nothing served.
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(stdout, "", "nothing printed before the mistake is found");
    assert_eq!(stderr.trim_end(), message, "the message alone, no panic");
    // `pico::Server::run`: an `Err` with the message, before it binds or
    // logs anything.
    let (code, stdout, stderr) = run(&[("CHILD_PRODUCTION", "1")]);
    assert_eq!(code, Some(3), "{stdout}{stderr}");
    assert_eq!(stdout.trim_end(), format!("run answered: {message}"));
    assert_eq!(stderr, "", "no log line, no \"listening on\"");

    // A start hook that fails: the same refusal, before the address is
    // bound (the state is given here).
    let failing = |env: &[(&str, &str)]| {
        child_output(&[&[("CHILD_START_FAILS", "the database is down")], env].concat())
    };
    let message = "pico: the app did not start: start hook 1 failed: the database is down";
    let (code, stdout, stderr) = failing(&[]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(stdout, "", "no \"Running on\"");
    assert_eq!(stderr.trim_end(), message);
    let (code, stdout, _) = failing(&[("CHILD_PRODUCTION", "1")]);
    assert_eq!(code, Some(3), "{stdout}");
    assert_eq!(stdout.trim_end(), format!("run answered: {message}"));
}

async fn slow_headers_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let served = Served::start(
        &[
            ("CHILD_HEADER_TIMEOUT_MS", "1000"),
            ("CHILD_PRODUCTION_SERVING", "1"),
        ],
        false,
    );
    let mut stream = tokio::net::TcpStream::connect(served.base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(b"GET /devapp/hello?who=slow HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    // One byte every 200 ms, as a slow-loris client does.
    let closed = loop {
        if stream.write_all(b"X").await.is_err() {
            break true;
        }
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break true,
            Ok(Ok(_)) => {}
            Err(_) => {}
        }
        if started.elapsed() > Duration::from_secs(8) {
            break false;
        }
    };
    assert!(closed, "a client dribbling its headers was never cut off");
    // Others are still served.
    assert_eq!(
        served.get("/devapp/hello?who=you").await,
        (200, "\"hello you!\"".to_owned())
    );
    let (code, _) = served.stop();
    assert_eq!(code, Some(0));
}

async fn a_slowloris_of_500_connections_does_not_stop_others() {
    use tokio::io::AsyncWriteExt;
    let served = Served::start(&[], false);
    let addr = served.base.trim_start_matches("http://").to_owned();
    let mut loris = Vec::new();
    for _ in 0..500 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"GET /devapp/hello?who=loris HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        loris.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                if stream.write_all(b"X").await.is_err() {
                    return;
                }
            }
        }));
    }
    for i in 0..20 {
        let (status, body) = served.get(&format!("/devapp/hello?who={i}")).await;
        assert_eq!((status, body), (200, format!("\"hello {i}!\"")));
    }
    for task in loris {
        task.abort();
    }
    let (code, _) = served.stop();
    assert_eq!(code, Some(0));
}

/// A folder removed at the end of the test.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("pico-dev-server-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(Path::new(&self.0));
    }
}
