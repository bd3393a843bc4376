//! The benchmark: Pico (A) against the same endpoints hand-written in axum
//! (B) and, when Python is at hand, the original pico 2.0.5 under gunicorn
//! (C), each a server process of its own on half the CPUs, loaded over
//! loopback from this process on the other half: A and B in turn, then A
//! and C in turn, so that drift on a shared machine falls on both of a pair
//! alike. Then the compile time of 200 functions either way.
//!
//! `cargo run --release -p pico-bench` writes BENCHMARKS.md;
//! `cargo run --release -p pico-bench -- --smoke` only checks that every
//! scenario answers correctly, briefly (the test command runs it).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// One thing measured: a request, and how to know its answer is right.
struct Scenario {
    name: &'static str,
    method: Method,
    path: &'static str,
    content_type: Option<String>,
    body: Bytes,
    status: StatusCode,
    check: fn(&[u8]) -> bool,
}

fn scenarios() -> Vec<Scenario> {
    let boundary = "pico-bench-boundary";
    let mut upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    upload.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    upload.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    vec![
        Scenario {
            name: "multiply (query)",
            method: Method::GET,
            path: "/bench/multiply?x=6&y=7",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::OK,
            check: |b| b == b"42",
        },
        Scenario {
            name: "hello (JSON body)",
            method: Method::POST,
            path: "/bench/hello",
            content_type: Some("application/json".to_owned()),
            body: Bytes::from_static(br#"{"who": "bench"}"#),
            status: StatusCode::OK,
            check: |b| b == br#""hello bench!""#,
        },
        Scenario {
            name: "4 KiB object",
            method: Method::GET,
            path: "/bench/object",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::OK,
            check: |b| b.len() > 3500 && b.starts_with(br#"{"kind":"benchmark""#),
        },
        Scenario {
            name: "HttpError 404",
            method: Method::GET,
            path: "/bench/missing",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::NOT_FOUND,
            check: |b| b.starts_with(br#"{"name":"Not Found","code":404,"#),
        },
        Scenario {
            name: "panic 500",
            method: Method::GET,
            path: "/bench/panics",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::INTERNAL_SERVER_ERROR,
            check: |b| b.starts_with(br#"{"name":"Internal Server Error","code":500,"#),
        },
        Scenario {
            name: "stream of 100",
            method: Method::GET,
            path: "/bench/items",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::OK,
            check: |b| b.starts_with(b"data: 0\n\n") && b.ends_with(b"event: close\ndata: close\n\n"),
        },
        Scenario {
            name: "upload 1 MiB",
            method: Method::POST,
            path: "/bench/upload",
            content_type: Some(format!("multipart/form-data; boundary={boundary}")),
            body: Bytes::from(upload),
            status: StatusCode::OK,
            check: |b| b == b"1048576",
        },
    ]
}

/// A server under test.
struct Server {
    label: &'static str,
    name: &'static str,
    addr: String,
    child: Child,
}

impl Server {
    fn start(label: &'static str, name: &'static str, mut command: Command) -> Server {
        command.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            label,
            name,
            addr: line.trim().to_owned(),
            child,
        }
    }

    /// CPU time (user and system, in clock ticks) the server and its
    /// children (gunicorn's workers) have used so far.
    fn cpu_ticks(&self) -> u64 {
        fn tree(pid: &str) -> u64 {
            let own = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .map_or(0, |stat| {
                    // The fields after the command's closing parenthesis; utime
                    // and stime are the 14th and 15th of the whole line.
                    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
                    let fields: Vec<&str> = rest.split_whitespace().collect();
                    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
                    field(11) + field(12)
                });
            let children =
                std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
            own + children.split_whitespace().map(tree).sum::<u64>()
        }
        tree(&self.child.id().to_string())
    }

    /// Peak resident memory, from the kernel's high-water mark.
    fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: gunicorn's master stops its workers on it, where a
        // SIGKILL would leave them orphaned.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Which CPUs the servers run on, and which this process (the load) runs
/// on: apart, so that the load generator and the server under test do not
/// take turns on the same core, which makes their speeds depend on the
/// scheduler's whims more than on the server.
struct Pinning {
    servers: String,
    load: String,
}

impl Pinning {
    /// Splits the CPUs this process may use in two halves, servers first,
    /// and moves this process to the second; `None` (and no pinning) on a
    /// single CPU or without `taskset`. Called before any thread starts, so
    /// that every thread of the load inherits it.
    fn apply() -> Option<Pinning> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let list = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?
            .trim();
        let mut cpus = Vec::new();
        for part in list.split(',') {
            match part.split_once('-') {
                Some((first, last)) => cpus.extend(first.parse::<usize>().ok()?..=last.parse().ok()?),
                None => cpus.push(part.parse().ok()?),
            }
        }
        if cpus.len() < 2 {
            return None;
        }
        let join = |cpus: &[usize]| cpus.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        let (servers, load) = cpus.split_at(cpus.len() / 2);
        let pinning = Pinning {
            servers: join(servers),
            load: join(load),
        };
        let moved = Command::new("taskset")
            .args(["-p", "-c", &pinning.load, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        moved.then_some(pinning)
    }

    /// `program`, started on the servers' CPUs when there is a pinning.
    fn command(pinning: Option<&Pinning>, program: impl AsRef<std::ffi::OsStr>) -> Command {
        match pinning {
            Some(pinning) => {
                let mut command = Command::new("taskset");
                command.args(["-c", &pinning.servers]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

/// The original pico under gunicorn with 2 workers, when Python has it.
fn original(python_bin: &Path, pinning: Option<&Pinning>) -> Option<Server> {
    let gunicorn = python_bin.join("gunicorn");
    if !gunicorn.exists() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("original");
    let child = Pinning::command(pinning, gunicorn)
        .args([
            "--workers",
            "2",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log-level",
            "warning",
        ])
        .arg("--chdir")
        .arg(&dir)
        .arg("bench:app")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Server {
        label: "C",
        name: "original pico 2.0.5 (gunicorn, 2 workers)",
        addr,
        child,
    })
}

/// What one round of load measured.
#[derive(Default, Clone)]
struct Round {
    requests: u64,
    errors: u64,
    seconds: f64,
    latencies_us: Vec<u32>,
    /// The server's CPU time over the round, in clock ticks.
    cpu_ticks: u64,
}

impl Round {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The latency below which a share `p` of the round's answers came, in
    /// milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() - 1) as f64 * p).round() as usize;
        f64::from(sorted[index]) / 1000.0
    }

    /// The server's CPU time (user and system) per answered request.
    fn cpu_us_per_request(&self) -> f64 {
        // /proc counts in USER_HZ, which Linux fixes at 100 on every
        // architecture it exposes to user space.
        self.cpu_ticks as f64 * 1e6 / 100.0 / self.requests.max(1) as f64
    }
}

/// A server's figures in a scenario: the medians of its rounds.
struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
    cpu_us: f64,
    errors: u64,
}

impl Figures {
    fn of(rounds: &[Round]) -> Figures {
        let each = |f: fn(&Round) -> f64| median(rounds.iter().map(f).collect());
        Figures {
            rate: each(Round::rate),
            p50: each(|r| r.percentile(0.5)),
            p99: each(|r| r.percentile(0.99)),
            cpu_us: each(Round::cpu_us_per_request),
            errors: rounds.iter().map(|r| r.errors).sum(),
        }
    }
}

/// The median over paired rounds of the ratio of a figure of `a` to that of
/// `other`: each round of one is paired with the round of the other run
/// right next to it, and a median of those ratios is what drift disturbs
/// least.
fn paired(a: &[Round], other: &[Round], figure: fn(&Round) -> f64) -> f64 {
    median(a.iter().zip(other).map(|(a, o)| figure(a) / figure(o)).collect())
}

/// Rounds of two servers in turn, the order flipped every round (one two,
/// two one, ...) so that neither always runs first.
fn alternate(
    runtime: &tokio::runtime::Runtime,
    pair: [&Server; 2],
    scenario: &Scenario,
    options: &Options,
) -> [Vec<Round>; 2] {
    let duration = Duration::from_secs_f64(options.seconds);
    let mut rounds = [Vec::new(), Vec::new()];
    for round in 0..options.rounds {
        for k in 0..2 {
            let i = (round + k) % 2;
            let server = pair[i];
            let before = server.cpu_ticks();
            let mut result = runtime.block_on(load(&server.addr, scenario, options.connections, duration));
            result.cpu_ticks = server.cpu_ticks().saturating_sub(before);
            if options.verbose {
                eprintln!(
                    "  {} round {round}: {} {:.0}/s, p99 {:.2} ms, {:.1} µs CPU a request",
                    scenario.name,
                    server.label,
                    result.rate(),
                    result.percentile(0.99),
                    result.cpu_us_per_request()
                );
            }
            rounds[i].push(result);
        }
    }
    rounds
}

fn request(addr: &str, scenario: &Scenario) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(scenario.method.clone())
        .uri(scenario.path)
        .header("host", addr);
    if let Some(content_type) = &scenario.content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(Full::new(scenario.body.clone())).unwrap()
}

/// One request on a fresh connection, checked: the smoke test.
async fn check_once(addr: &str, scenario: &Scenario) -> Result<(), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let response = sender
        .send_request(request(addr, scenario))
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status != scenario.status || !(scenario.check)(&body) {
        return Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ));
    }
    Ok(())
}

/// `connections` keep-alive connections sending `scenario` for `duration`.
async fn load(addr: &str, scenario: &Scenario, connections: usize, duration: Duration) -> Round {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        let template = request(&addr, scenario);
        let (expected, check) = (scenario.status, scenario.check);
        tasks.push(tokio::spawn(async move {
            let mut round = Round::default();
            'connect: while Instant::now() < deadline {
                let Ok(stream) = tokio::net::TcpStream::connect(&addr).await else {
                    round.errors += 1;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let Ok((mut sender, connection)) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
                else {
                    round.errors += 1;
                    continue;
                };
                tokio::spawn(connection);
                while Instant::now() < deadline {
                    let mut request = Request::new(template.body().clone());
                    *request.method_mut() = template.method().clone();
                    *request.uri_mut() = template.uri().clone();
                    *request.headers_mut() = template.headers().clone();
                    let sent = Instant::now();
                    let answer = match sender.send_request(request).await {
                        Ok(response) => {
                            let status = response.status();
                            // gunicorn's sync workers close after each answer.
                            let closing = response.headers().get("connection").is_some_and(|v| v == "close");
                            response
                                .into_body()
                                .collect()
                                .await
                                .map(|b| (status, b.to_bytes(), closing))
                        }
                        Err(_) => {
                            round.errors += 1;
                            continue 'connect;
                        }
                    };
                    match answer {
                        Ok((status, body, closing)) if status == expected && check(&body) => {
                            round.requests += 1;
                            round
                                .latencies_us
                                .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                            if closing {
                                continue 'connect;
                            }
                        }
                        _ => {
                            round.errors += 1;
                            continue 'connect;
                        }
                    }
                }
            }
            round
        }));
    }
    let mut total = Round::default();
    for task in tasks {
        let round = task.await.unwrap();
        total.requests += round.requests;
        total.errors += round.errors;
        total.latencies_us.extend(round.latencies_us);
    }
    total.seconds = start.elapsed().as_secs_f64();
    total
}

struct Options {
    smoke: bool,
    rounds: usize,
    seconds: f64,
    connections: usize,
    compile: bool,
    output: PathBuf,
    only: Option<String>,
    verbose: bool,
    /// The CPUs of the machine, counted before this process is pinned.
    cores: usize,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let smoke = args.iter().any(|a| a == "--smoke");
    Options {
        smoke,
        rounds: value("--rounds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(if smoke { 1 } else { 12 }),
        seconds: value("--seconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(if smoke { 1.0 } else { 1.5 }),
        connections: value("--connections").and_then(|v| v.parse().ok()).unwrap_or(16),
        compile: !smoke && !args.iter().any(|a| a == "--no-compile"),
        only: value("--only"),
        verbose: args.iter().any(|a| a == "--verbose"),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        output: value("--output").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md"),
            PathBuf::from,
        ),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Builds the server binaries beside this one, with the same profile:
/// `cargo run -p pico-bench` builds only the driver.
fn build_servers() {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["build", "--quiet", "-p", "pico-bench", "--bins"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "building the benchmark's servers failed");
}

fn main() {
    build_servers();
    if std::env::args().any(|a| a == "--soak") {
        soak();
        return;
    }
    let options = options();
    let pinning = Pinning::apply();
    let bin = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    let mut servers = vec![
        Server::start(
            "A",
            "Pico",
            Pinning::command(pinning.as_ref(), bin.join("bench-pico")),
        ),
        Server::start(
            "B",
            "hand-written axum",
            Pinning::command(pinning.as_ref(), bin.join("bench-axum")),
        ),
    ];
    let python = std::env::var_os("PICO_PYTHON")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/pico-tests/pico-2.0.5/bin")
        });
    match original(&python, pinning.as_ref()) {
        Some(server) => servers.push(server),
        None => eprintln!(
            "(no gunicorn with pico 2.0.5 in {}: C is left out)",
            python.display()
        ),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let scenarios: Vec<Scenario> = scenarios()
        .into_iter()
        .filter(|s| {
            options
                .only
                .as_ref()
                .is_none_or(|only| s.name.contains(only.as_str()))
        })
        .collect();

    // Every scenario answers correctly on every server, or nothing is measured.
    let mut failures = Vec::new();
    for scenario in &scenarios {
        for server in &servers {
            if let Err(e) = runtime.block_on(check_once(&server.addr, scenario)) {
                failures.push(format!(
                    "{} on {} ({}): {e}",
                    scenario.name, server.label, server.name
                ));
            }
        }
    }
    if !failures.is_empty() {
        eprintln!("wrong answers:\n  {}", failures.join("\n  "));
        // `exit` runs no destructors: stop the servers first.
        drop(servers);
        std::process::exit(1);
    }
    println!("every scenario answers correctly on {} servers", servers.len());

    let mut table = Vec::new();
    for scenario in &scenarios {
        // Warm-up, discarded.
        for server in &servers {
            runtime.block_on(load(
                &server.addr,
                scenario,
                options.connections,
                Duration::from_secs_f64(options.seconds.min(1.0)),
            ));
        }
        // A against B, then A against C in a pass of its own: C's rounds
        // (a thousand short connections a second, two Python processes)
        // leave the machine busier than they found it, and must not fall
        // more on one of A and B than on the other.
        let [a, b] = alternate(&runtime, [&servers[0], &servers[1]], scenario, &options);
        let versus_c = servers
            .get(2)
            .map(|c| alternate(&runtime, [&servers[0], c], scenario, &options));
        let mut figures = vec![Figures::of(&a), Figures::of(&b)];
        let ab = paired(&a, &b, Round::rate);
        let p99_ab = paired(&a, &b, |r| r.percentile(0.99));
        let ac = versus_c.map(|[a_again, c]| {
            figures.push(Figures::of(&c));
            paired(&a_again, &c, Round::rate)
        });
        let line: Vec<String> = servers
            .iter()
            .zip(&figures)
            .map(|(s, f)| {
                format!(
                    "{} {:.0}/s p50 {:.2}ms p99 {:.2}ms {:.1}µs CPU errors {}",
                    s.label, f.rate, f.p50, f.p99, f.cpu_us, f.errors
                )
            })
            .collect();
        println!("{:<18} {}  (A/B {ab:.2})", scenario.name, line.join(" | "));
        table.push(Row {
            name: scenario.name,
            figures,
            ab,
            p99_ab,
            ac,
        });
    }
    let rss: Vec<Option<u64>> = servers.iter().map(Server::peak_rss_kib).collect();
    if options.smoke {
        let errors: u64 = table
            .iter()
            .flat_map(|row| row.figures.iter().map(|f| f.errors))
            .sum();
        if errors > 0 {
            eprintln!("{errors} wrong answers under load");
            drop(servers);
            std::process::exit(1);
        }
        println!("smoke run: every scenario answered correctly under load");
        return;
    }
    drop(servers);
    let compile = options.compile.then(compile_times);
    let mut report = report(&options, pinning.as_ref(), &table, &rss, compile.as_ref());
    // The soak section is written by `--soak`; a benchmark run keeps it.
    if let Some(soak) = std::fs::read_to_string(&options.output)
        .ok()
        .and_then(|old| old.find(SOAK_HEADING).map(|i| old[i..].to_owned()))
    {
        report.push('\n');
        report.push_str(&soak);
    }
    std::fs::write(&options.output, report).unwrap();
    println!("written to {}", options.output.display());
}

/// Clean and incremental build times of a 200-function module, Pico and
/// hand-written axum.
struct CompileTimes {
    pico: (f64, f64),
    axum: (f64, f64),
}

fn compile_times() -> CompileTimes {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned();
    let dir = root.join("target/bench-compile");
    let _ = std::fs::remove_dir_all(dir.join("gen-pico"));
    let _ = std::fs::remove_dir_all(dir.join("gen-axum"));
    std::fs::create_dir_all(dir.join("gen-pico/src")).unwrap();
    std::fs::create_dir_all(dir.join("gen-axum/src")).unwrap();
    let versions = "axum = { version = \"0.8.9\", default-features = false, features = [\"http1\", \"tokio\", \"json\", \"query\"] }\n\
         serde = { version = \"1\", features = [\"derive\"] }\n".to_owned();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"gen-pico\", \"gen-axum\"]\nresolver = \"3\"\n",
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("gen-pico/Cargo.toml"),
        format!(
            "[package]\nname = \"gen-pico\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\npico = {{ path = \"{}\" }}\n{versions}",
            root.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("gen-axum/Cargo.toml"),
        format!("[package]\nname = \"gen-axum\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n{versions}"),
    )
    .unwrap();
    let pico_source = |marker: u32| {
        let mut s = String::from("#[pico::api]\npub mod api {\n");
        for i in 0..200 {
            let _ = writeln!(
                s,
                "    #[expose]\n    pub fn f{i}(x: i64, y: i64) -> i64 {{ x * y + {} }}",
                i + marker
            );
        }
        s.push_str("}\n\npub fn app() -> pico::App {\n    pico::App::new().register(api::module())\n}\n");
        s
    };
    let axum_source = |marker: u32| {
        let mut s = String::from(
            "use axum::extract::Query;\nuse axum::routing::any;\nuse axum::{Json, Router};\n\n\
             #[derive(serde::Deserialize)]\npub struct Args {\n    x: i64,\n    y: i64,\n}\n\n",
        );
        for i in 0..200 {
            let _ = writeln!(
                s,
                "pub async fn f{i}(Query(a): Query<Args>) -> Json<i64> {{ Json(a.x * a.y + {}) }}",
                i + marker
            );
        }
        s.push_str("\npub fn router() -> Router {\n    Router::new()\n");
        for i in 0..200 {
            let _ = writeln!(s, "        .route(\"/api/f{i}\", any(f{i}))");
        }
        s.push_str("}\n");
        s
    };
    let build = |package: &str| {
        let start = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", package])
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "building {package} failed");
        start.elapsed().as_secs_f64()
    };
    let clean = |package: &str| {
        Command::new(env!("CARGO"))
            .args(["clean", "--quiet", "-p", package])
            .current_dir(&dir)
            .status()
            .unwrap();
    };
    let measure = |package: &str, source: &dyn Fn(u32) -> String| {
        let file = dir.join(package).join("src/lib.rs");
        std::fs::write(&file, source(0)).unwrap();
        build(package); // the dependencies, once
        clean(package);
        let clean_time = build(package);
        std::fs::write(&file, source(1)).unwrap();
        let incremental = build(package);
        (clean_time, incremental)
    };
    // Both members need a source before either builds.
    std::fs::write(dir.join("gen-pico/src/lib.rs"), pico_source(0)).unwrap();
    std::fs::write(dir.join("gen-axum/src/lib.rs"), axum_source(0)).unwrap();
    let pico = measure("gen-pico", &pico_source);
    let axum = measure("gen-axum", &axum_source);
    println!(
        "compile, 200 functions: Pico {:.1}s clean {:.1}s incremental; axum {:.1}s / {:.1}s",
        pico.0, pico.1, axum.0, axum.1
    );
    CompileTimes { pico, axum }
}

/// A scenario's figures, per server (A, B, and C when run), and the paired
/// ratios.
struct Row {
    name: &'static str,
    figures: Vec<Figures>,
    ab: f64,
    p99_ab: f64,
    ac: Option<f64>,
}

fn report(
    options: &Options,
    pinning: Option<&Pinning>,
    table: &[Row],
    rss: &[Option<u64>],
    compile: Option<&CompileTimes>,
) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = options.cores;
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let has_c = table.first().is_some_and(|row| row.figures.len() > 2);
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo run --release -p pico-bench` (bench/src/main.rs); do not edit by hand.\n"
    );
    let _ = writeln!(out, "- Machine: {cpu}, {cores} cores; {rustc}; {date}.");
    let _ = writeln!(
        out,
        "- Load: this process on loopback, {} keep-alive connections. Per scenario, a 1 s warm-up per server, discarded; then {} rounds of {} s of A and B in turn, the order flipped every round (A B, B A, ...); then, in a pass of its own, as many of A and C.",
        options.connections, options.rounds, options.seconds,
    );
    let _ = writeln!(
        out,
        "- {}",
        match pinning {
            Some(p) => format!(
                "CPUs: the servers run on CPU {}, the load on CPU {} (`taskset`), so that the two never take turns on one core and each figure is the server's own cost.",
                p.servers, p.load
            ),
            None => "CPUs: not pinned (a single CPU, or no `taskset`); servers and load share the machine."
                .to_owned(),
        }
    );
    let _ = writeln!(
        out,
        "- A: Pico (`bench/src/bin/bench-pico.rs`). B: the same endpoints hand-written in axum (`bench/src/bin/bench-axum.rs`), same JSON answers and error bodies.{}",
        if has_c {
            " C: the original pico 2.0.5 under gunicorn, 2 workers (`bench/original/bench.py`)."
        } else {
            " C: not run (no Python with pico 2.0.5 and gunicorn)."
        }
    );
    let _ = writeln!(
        out,
        "- Every figure of a server is the median of its rounds: requests/s; p50 and p99 latency, in ms, each computed per round; CPU µs a request, the server's user and system time over the round divided by its answers (for C, its gunicorn master and workers). A/B, p99 A/B and A/C are the medians of the ratios of paired rounds: each round of A with the round of the other run right next to it.\n"
    );
    let _ = write!(
        out,
        "| scenario | A req/s | B req/s | A/B | A p50 | B p50 | A p99 | B p99 | p99 A/B | A CPU µs | B CPU µs |"
    );
    if has_c {
        let _ = write!(out, " C req/s | C CPU µs | A/C |");
    }
    let _ = writeln!(out);
    let _ = write!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    if has_c {
        let _ = write!(out, "---|---|---|");
    }
    let _ = writeln!(out);
    for row in table {
        let (a, b) = (&row.figures[0], &row.figures[1]);
        let _ = write!(
            out,
            "| {} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} |",
            row.name, a.rate, b.rate, row.ab, a.p50, b.p50, a.p99, b.p99, row.p99_ab, a.cpu_us, b.cpu_us
        );
        if let (Some(c), Some(ac)) = (row.figures.get(2), row.ac) {
            let _ = write!(out, " {:.0} | {:.0} | {ac:.1} |", c.rate, c.cpu_us);
        }
        let _ = writeln!(out);
    }
    let errors: u64 = table
        .iter()
        .flat_map(|row| row.figures.iter().map(|f| f.errors))
        .sum();
    let _ = writeln!(
        out,
        "\nWrong answers or connection errors under load: {errors}.\n"
    );
    let labels = ["A", "B", "C"];
    let rss: Vec<String> = rss
        .iter()
        .enumerate()
        .map(|(i, kib)| {
            format!(
                "{} {}",
                labels[i],
                kib.map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "Peak RSS of the servers over the whole run: {} (for C, its gunicorn master).\n",
        rss.join(", ")
    );
    let panic_ratio = table
        .iter()
        .find(|row| row.name.starts_with("panic"))
        .zip(table.iter().find(|row| row.name.starts_with("HttpError")))
        .map(|(p, h)| p.figures[0].rate / h.figures[0].rate);
    if let Some(ratio) = panic_ratio {
        let _ = writeln!(
            out,
            "Pico's panic path runs at {ratio:.2} of its HttpError path's throughput.\n"
        );
    }
    if let Some(c) = compile {
        let _ = writeln!(out, "## Compile time: a module of 200 exposed functions\n");
        let _ = writeln!(
            out,
            "Debug builds of the crate alone (dependencies already built), `target/bench-compile/`.\n"
        );
        let _ = writeln!(out, "| | Pico | hand-written axum | ratio |");
        let _ = writeln!(out, "|---|---|---|---|");
        let _ = writeln!(
            out,
            "| clean | {:.2} s | {:.2} s | {:.2} |",
            c.pico.0,
            c.axum.0,
            c.pico.0 / c.axum.0
        );
        let _ = writeln!(
            out,
            "| incremental (one body changed) | {:.2} s | {:.2} s | {:.2} |",
            c.pico.1,
            c.axum.1,
            c.pico.1 / c.axum.1
        );
    }
    out
}

const SOAK_HEADING: &str = "## Soak";

/// One request of the soak's mix, by its number: 10 % panics, HTTP errors,
/// uploads, streams, and successes.
fn soak_request(i: u64, addr: &str, upload: &Bytes) -> (Request<Full<Bytes>>, StatusCode, bool) {
    let get = |path: &str| {
        Request::builder()
            .uri(path)
            .header("host", addr)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    match i % 10 {
        0 => (get("/bench/panics"), StatusCode::INTERNAL_SERVER_ERROR, false),
        1 | 2 => (get("/bench/missing"), StatusCode::NOT_FOUND, false),
        3 => {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/bench/upload")
                .header("host", addr)
                .header("content-type", "multipart/form-data; boundary=soak")
                .body(Full::new(upload.clone()))
                .unwrap();
            (request, StatusCode::OK, false)
        }
        4 => (get("/bench/items"), StatusCode::OK, true),
        5 => {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/bench/hello")
                .header("host", addr)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(br#"{"who": "soak"}"#)))
                .unwrap();
            (request, StatusCode::OK, false)
        }
        6 => (get("/bench/object"), StatusCode::OK, false),
        _ => (get("/bench/multiply?x=6&y=7"), StatusCode::OK, false),
    }
}

/// Whether a body is what it should be: JSON, or events whose data is JSON.
fn soak_body_ok(body: &[u8], stream: bool) -> bool {
    if !stream {
        return serde_json::from_slice::<serde_json::Value>(body).is_ok();
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    text.ends_with("event: close\ndata: close\n\n")
        && text
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .all(|d| serde_json::from_str::<serde_json::Value>(d).is_ok())
}

/// Current resident memory of a process.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// `--soak`: 200,000 requests of the mix over 64 connections, bounded in
/// time; every answer checked; memory after the run against memory after a
/// warm-up.
fn soak() {
    const SEGMENT: u64 = 200_000;
    const SEGMENTS: u64 = 5;
    const TOTAL: u64 = SEGMENT * SEGMENTS;
    const WARM_UP: u64 = 50_000;
    const CONNECTIONS: u64 = 64;
    let bin = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    let server = Server::start("A", "Pico", Command::new(bin.join("bench-pico")));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut upload =
        b"--soak\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n".to_vec();
    upload.extend(std::iter::repeat_n(b'u', 64 * 1024));
    upload.extend(b"\r\n--soak--\r\n");
    let upload = Bytes::from(upload);
    let run = |count: u64| {
        let per_connection = count / CONNECTIONS;
        let deadline = Instant::now() + Duration::from_secs(600);
        let addr = server.addr.clone();
        let upload = upload.clone();
        runtime.block_on(async move {
            let mut tasks = Vec::new();
            for c in 0..CONNECTIONS {
                let (addr, upload) = (addr.clone(), upload.clone());
                tasks.push(tokio::spawn(async move {
                    let (mut ok, mut wrong, mut connection_errors) = (0u64, 0u64, 0u64);
                    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
                    let _ = stream.set_nodelay(true);
                    let (mut sender, connection) =
                        hyper::client::conn::http1::handshake(TokioIo::new(stream))
                            .await
                            .unwrap();
                    tokio::spawn(connection);
                    for n in 0..per_connection {
                        if Instant::now() > deadline {
                            break;
                        }
                        let (request, status, stream) = soak_request(c * per_connection + n, &addr, &upload);
                        match sender.send_request(request).await {
                            Ok(response) => {
                                let got = response.status();
                                match response.into_body().collect().await.map(|b| b.to_bytes()) {
                                    Ok(body) if got == status && soak_body_ok(&body, stream) => ok += 1,
                                    Ok(_) => wrong += 1,
                                    Err(_) => connection_errors += 1,
                                }
                            }
                            Err(_) => {
                                connection_errors += 1;
                                break;
                            }
                        }
                    }
                    (ok, wrong, connection_errors)
                }));
            }
            let mut totals = (0, 0, 0);
            for task in tasks {
                let (ok, wrong, errors) = task.await.unwrap();
                totals = (totals.0 + ok, totals.1 + wrong, totals.2 + errors);
            }
            totals
        })
    };
    let pid = server.child.id();
    let warm = run(WARM_UP);
    let rss_warm = rss_kib(pid);
    let started = Instant::now();
    // In segments, with the memory after each: a leak grows with every
    // segment, where an allocator's pools level off.
    let (mut ok, mut wrong, mut errors) = (0, 0, 0);
    let mut rss = Vec::new();
    for _ in 0..SEGMENTS {
        let (o, w, e) = run(SEGMENT);
        (ok, wrong, errors) = (ok + o, wrong + w, errors + e);
        rss.push(rss_kib(pid));
    }
    let seconds = started.elapsed().as_secs_f64();
    let mib = |kib: u64| kib as f64 / 1024.0;
    let percent = |from: u64, to: u64| (to as f64 - from as f64) / from as f64 * 100.0;
    let growth = percent(rss_warm, rss[rss.len() - 1]);
    // From the end of the second segment on, what a leak would keep adding.
    let late_growth = percent(rss[1], rss[rss.len() - 1]);
    let line = format!(
        "{TOTAL} requests over {CONNECTIONS} connections in {seconds:.1} s (after a warm-up of {WARM_UP}): \
         {ok} right answers, {wrong} wrong, {errors} connection errors. Server RSS {:.1} MiB after the warm-up, \
         then after each {SEGMENT}: {} MiB ({growth:+.1} % in all, {late_growth:+.1} % over the last {}).",
        mib(rss_warm),
        rss.iter()
            .map(|&k| format!("{:.1}", mib(k)))
            .collect::<Vec<_>>()
            .join(", "),
        (SEGMENTS - 2) * SEGMENT,
    );
    println!("{line}");
    let output = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
    let old = std::fs::read_to_string(&output).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let kept = old
        .find(SOAK_HEADING)
        .map_or(old.as_str(), |i| &old[..i])
        .trim_end();
    let section = format!(
        "{SOAK_HEADING}\n\nWritten by `cargo run --release -p pico-bench -- --soak`: Pico (A) under a mix of 10 % panics, \
         20 % HttpErrors, 10 % uploads of 64 KiB, 10 % streams of 100 items and successes (JSON bodies and query \
         strings), each answer checked (status, and a body that parses as JSON or as events of JSON).\n\n{line}\n"
    );
    std::fs::write(&output, format!("{kept}\n\n{section}")).unwrap();
    drop(server);
    let failed =
        warm.1 + warm.2 + wrong + errors > 0 || ok != TOTAL / CONNECTIONS * CONNECTIONS || late_growth > 5.0;
    if failed {
        eprintln!("the soak failed");
        std::process::exit(1);
    }
}
