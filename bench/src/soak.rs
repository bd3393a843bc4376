//! `--soak`: a long mixed run, every answer checked, the memory along the way.

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::servers::*;

pub(crate) const SOAK_HEADING: &str = "## Soak";

/// One request of the soak's mix, by its number: 10 % panics, HTTP errors,
/// uploads, streams, and successes; with the status and the body it must
/// be answered with.
pub(crate) fn soak_request(i: u64, addr: &str, upload: &Bytes) -> (Request<Full<Bytes>>, StatusCode, Expect) {
    let get = |path: &str| {
        Request::builder()
            .uri(path)
            .header("host", addr)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    match i % 10 {
        0 => (
            get("/bench/panics"),
            StatusCode::INTERNAL_SERVER_ERROR,
            Expect::Error("Internal Server Error", 500),
        ),
        1 | 2 => (
            get("/bench/missing"),
            StatusCode::NOT_FOUND,
            Expect::Error("Not Found", 404),
        ),
        3 => {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/bench/upload")
                .header("host", addr)
                .header("content-type", "multipart/form-data; boundary=soak")
                .body(Full::new(upload.clone()))
                .unwrap();
            (request, StatusCode::OK, Expect::Exact(SOAK_FILE.to_string()))
        }
        4 => (get("/bench/items"), StatusCode::OK, Expect::Items(100)),
        5 => {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/bench/hello")
                .header("host", addr)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(br#"{"who": "soak"}"#)))
                .unwrap();
            (
                request,
                StatusCode::OK,
                Expect::Exact(r#""hello soak!""#.to_owned()),
            )
        }
        6 => (get("/bench/object"), StatusCode::OK, Expect::Object),
        _ => (
            get("/bench/multiply?x=6&y=7"),
            StatusCode::OK,
            Expect::Exact("42".to_owned()),
        ),
    }
}

/// The bytes of the soak's uploaded file.
pub(crate) const SOAK_FILE: usize = 64 * 1024;

/// What an answer's body must be.
pub(crate) enum Expect {
    /// These bytes exactly.
    Exact(String),
    /// The standard error body with this name and code, and no debug details.
    Error(&'static str, u16),
    /// The events 0 to n - 1, then the close event.
    Items(u32),
    /// The 4 KiB object.
    Object,
}

impl Expect {
    pub(crate) fn met_by(&self, body: &[u8]) -> bool {
        match self {
            Expect::Exact(wanted) => body == wanted.as_bytes(),
            Expect::Error(name, code) => serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| {
                v["name"] == *name
                    && v["code"] == *code
                    && v["message"].is_string()
                    && v.get("__debug__").is_none()
            }),
            Expect::Items(n) => {
                let wanted: String = (0..*n)
                    .map(|i| format!("data: {i}\n\n"))
                    .chain(["event: close\ndata: close\n\n".to_owned()])
                    .collect();
                body == wanted.as_bytes()
            }
            Expect::Object => serde_json::from_slice::<serde_json::Value>(body)
                .is_ok_and(|v| v["kind"] == "benchmark" && body.len() > 3500),
        }
    }
}

/// Current resident memory of a process.
pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// `--soak`: 1,000,000 requests of the mix over 64 connections, in five
/// segments of 200,000, bounded in time; every answer checked; the memory
/// after each segment, against the memory after a warm-up.
pub(crate) fn soak() {
    const SEGMENT: u64 = 200_000;
    const SEGMENTS: u64 = 5;
    const TOTAL: u64 = SEGMENT * SEGMENTS;
    const WARM_UP: u64 = 50_000;
    const CONNECTIONS: u64 = 64;
    let bin = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    let logs = bin.join("bench-logs");
    std::fs::create_dir_all(&logs).unwrap();
    let server = Server::start(&KINDS[0], None, &bin, &logs);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut upload =
        b"--soak\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n".to_vec();
    upload.extend(std::iter::repeat_n(b'u', SOAK_FILE));
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
                        let (request, status, expect) = soak_request(c * per_connection + n, &addr, &upload);
                        match sender.send_request(request).await {
                            Ok(response) => {
                                let got = response.status();
                                match response.into_body().collect().await.map(|b| b.to_bytes()) {
                                    Ok(body) if got == status && expect.met_by(&body) => ok += 1,
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
         strings), each answer checked (its status, and its body: the exact value, the standard error body without debug details, every event of the stream).\n\n{line}\n"
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
