//! The servers under test: started as processes of their own, pinned to their CPUs, stopped when dropped; the original under gunicorn.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server under test.
pub(crate) struct Server {
    pub(crate) label: &'static str,
    pub(crate) name: &'static str,
    pub(crate) addr: String,
    pub(crate) child: Child,
}

impl Server {
    pub(crate) fn start(label: &'static str, name: &'static str, mut command: Command) -> Server {
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
    pub(crate) fn cpu_ticks(&self) -> u64 {
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
        };
        let moved = Command::new("taskset")
            .args(["-p", "-c", &pinning.load, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        moved.then_some(pinning)
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

/// The original pico under gunicorn with 2 workers, when Python has it.
pub(crate) fn original(python_bin: &Path, pinning: Option<&Pinning>) -> Option<Server> {
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
