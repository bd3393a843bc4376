//! The servers under test: started as processes of their own, pinned to their CPUs, stopped when dropped; the original under gunicorn.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::round::{Ticks, Whose};

/// A kind of server the benchmark starts: a binary of this crate and what
/// it serves.
pub(crate) struct Kind {
    pub(crate) label: &'static str,
    pub(crate) name: &'static str,
    program: &'static str,
    mode: &'static str,
}

pub(crate) const KINDS: &[Kind] = &[
    Kind {
        label: "A",
        name: "Pico, `into_router` under `axum::serve` (its defaults: a request id made for each request and answered in `X-Request-Id`, which B does not do)",
        program: "bench-pico",
        mode: "",
    },
    Kind {
        label: "B",
        name: "the same endpoints hand-written in axum",
        program: "bench-axum",
        mode: "",
    },
    Kind {
        label: "B0",
        name: "the minimal axum a user writes first: B's routes and extractors, without its panic layer, its body limit or `TCP_NODELAY` (the listener as `axum::serve` takes it)",
        program: "bench-axum",
        mode: "minimal",
    },
    Kind {
        label: "I",
        name: "B with request ids as A answers them: tower-http's `SetRequestId` (ids from a counter) and `PropagateRequestId`",
        program: "bench-axum",
        mode: "ids",
    },
    Kind {
        label: "H",
        name: "the limit: hyper's own server and a hand-written service (query, JSON body, 4 KiB object and upload; the upload's body read into one buffer sized from `Content-Length` and the file found in it by its boundary, with no multipart parser)",
        program: "bench-hyper",
        mode: "",
    },
    Kind {
        label: "HG",
        name: "H with the guarantees Pico gives every answer on these paths, each written the cheapest way by hand: a request id kept or made and answered (in `X-Request-Id` and error bodies), `nosniff`, a panic answered as a 500, a body limit, a body's media type checked; H's serve loop (no time or connection limits)",
        program: "bench-hyper",
        mode: "guarded",
    },
    Kind {
        label: "S",
        name: "Pico under its own serve loop, `pico::Server`",
        program: "bench-pico",
        mode: "own",
    },
    Kind {
        label: "P",
        name: "the realistic app in Pico (a prehandle reads basic auth) with Pico's request ids, its span (recorded by the subscriber) and its log line, under `axum::serve`",
        program: "bench-pico",
        mode: "app",
    },
    Kind {
        label: "X",
        name: "the realistic app in axum: a `from_fn` middleware reads basic auth, tower-http's `SetRequestId` (ids from a counter) and `PropagateRequestId` give request ids, a `TraceLayer` makes a span with the fields of Pico's, and another `from_fn` writes the same log line",
        program: "bench-axum",
        mode: "app",
    },
    Kind {
        label: "M",
        name: "P with request metrics (`App::metrics`); its answers compressed as the client accepts, as P's are (Pico's default)",
        program: "bench-pico",
        mode: "metrics",
    },
    Kind {
        label: "Y",
        name: "X with the same request metrics, written with `prometheus-client` in a `from_fn` middleware (a `Family` of histograms by method, route and status, a gauge of active requests), and tower-http's `CompressionLayer`",
        program: "bench-axum",
        mode: "metrics",
    },
    Kind {
        label: "D",
        name: "the realistic app under Pico's development server, `pico::serve`, which logs each request",
        program: "bench-pico",
        mode: "dev",
    },
    Kind {
        label: "Q",
        name: "the realistic app in Pico under `axum::serve`, without a log line",
        program: "bench-pico",
        mode: "app-quiet",
    },
    Kind {
        label: "N",
        name: "a second A: the same program, in a process of its own, measured as another server would be; A/N is how far apart two identical servers measure on this machine",
        program: "bench-pico",
        mode: "",
    },
];

/// A server under test.
pub(crate) struct Server {
    pub(crate) label: &'static str,
    pub(crate) name: &'static str,
    pub(crate) addr: String,
    pub(crate) child: Child,
    /// The allocation counter's line to the server (not for C).
    driver: Option<(ChildStdin, BufReader<ChildStdout>)>,
}

impl Server {
    /// Starts a kind from `bin`, its log lines (stderr) written to a file of
    /// `logs`, as a service's go to a file rather than nowhere.
    pub(crate) fn start(kind: &Kind, pinning: Option<&Pinning>, bin: &Path, logs: &Path) -> Server {
        let mut command = Pinning::command(pinning, bin.join(kind.program));
        command
            .arg("127.0.0.1:0")
            .arg(kind.mode)
            .env("PICO_PORT", "0")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(logs.join(format!("{}.log", kind.label))).unwrap());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", kind.name));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        // The development server says `Running on http://ADDR/`.
        let addr = line
            .trim()
            .trim_start_matches("Running on http://")
            .trim_end_matches('/')
            .to_owned();
        Server {
            label: kind.label,
            name: kind.name,
            addr,
            driver: Some((child.stdin.take().unwrap(), stdout)),
            child,
        }
    }

    /// Starts counting the server's allocations.
    pub(crate) fn count_allocations(&mut self) {
        let (stdin, stdout) = self.driver.as_mut().expect("a server of ours");
        writeln!(stdin, "start").unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "started");
    }

    /// Stops counting: the allocations and bytes allocated since
    /// [`count_allocations`](Self::count_allocations).
    pub(crate) fn allocations(&mut self) -> (u64, u64) {
        let (stdin, stdout) = self.driver.as_mut().expect("a server of ours");
        writeln!(stdin, "stop").unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let mut numbers = line.split_whitespace().map(|n| n.parse().unwrap());
        (numbers.next().unwrap(), numbers.next().unwrap())
    }

    /// CPU time the server and its children (gunicorn's workers) have
    /// used so far.
    pub(crate) fn cpu_ticks(&self) -> Ticks {
        fn tree(pid: &str) -> Ticks {
            let own = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(Ticks::default(), |stat| Ticks::from_stat(&stat, Whose::Own));
            let children =
                std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
            children
                .split_whitespace()
                .map(tree)
                .fold(own, |sum, child| sum + child)
        }
        tree(&self.child.id().to_string())
    }

    /// Peak resident memory, from the kernel's high-water mark.
    pub(crate) fn peak_rss_kib(&self) -> Option<u64> {
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
pub(crate) struct Pinning {
    pub(crate) servers: String,
    pub(crate) load: String,
    /// Every CPU this process was allowed at first.
    all: String,
}

impl Pinning {
    /// Splits the CPUs this process may use in two halves, servers first,
    /// and moves this process to the second; `None` (and no pinning) on a
    /// single CPU or without `taskset`. Called before any thread starts, so
    /// that every thread of the load inherits it.
    pub(crate) fn apply() -> Option<Pinning> {
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
            all: join(&cpus),
        };
        let moved = Command::new("taskset")
            .args(["-p", "-c", &pinning.load, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        moved.then_some(pinning)
    }

    /// Gives this process (every thread) all its CPUs back: the compile
    /// times are of builds on the whole machine, as a user waits for them.
    pub(crate) fn release(&self) {
        let _ = Command::new("taskset")
            .args(["-a", "-p", "-c", &self.all, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status();
    }

    /// `program`, started on the servers' CPUs when there is a pinning.
    pub(crate) fn command(pinning: Option<&Pinning>, program: impl AsRef<std::ffi::OsStr>) -> Command {
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

/// The original pico under gunicorn: 2 workers of 4 threads each
/// (`gthread`), which keep connections alive as A's clients do; sync
/// workers would close each one and add a TCP connect to every request.
pub(crate) fn original(python_bin: &Path, pinning: Option<&Pinning>) -> Result<Server, String> {
    let gunicorn = python_bin.join("gunicorn");
    if !gunicorn.exists() {
        return Err(format!("no gunicorn with pico 2.0.5 in {}", python_bin.display()));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("original");
    let child = Pinning::command(pinning, gunicorn)
        .args([
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
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
        .map_err(|e| format!("gunicorn did not start: {e}"))?;
    // Stopped when dropped, on every way out below.
    let mut server = Server {
        label: "C",
        name: "the original pico 2.0.5 under gunicorn, 2 `gthread` workers of 4 threads (keep-alive)",
        addr: format!("127.0.0.1:{port}"),
        child,
        driver: None,
    };
    // gunicorn says nothing when it listens: its port answering is the sign.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&server.addr).is_err() {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("gunicorn exited ({status})"));
        }
        if Instant::now() > deadline {
            return Err("gunicorn did not listen within 20 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(server)
}

/// Builds the server binaries beside this one, with the same profile:
/// `cargo run -p pico-bench` builds only the driver.
pub(crate) fn build_servers() {
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
