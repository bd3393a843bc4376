//! A PostgreSQL cluster of the test's own, from Debian's `postgresql`
//! package: `initdb` in a temporary directory, `pg_ctl` on a free port of
//! the loopback address, stopped and removed when dropped. No system
//! service is used or left behind. PostgreSQL refuses to run as root, so a
//! root test runs it as the package's `postgres` user.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(crate) struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// The user the server runs as, when not the test's own.
    user: Option<&'static str>,
}

impl Postgres {
    /// The newest installed PostgreSQL's programs, if there is one.
    pub(crate) fn installed() -> Option<PathBuf> {
        let versions = std::fs::read_dir("/usr/lib/postgresql").ok()?;
        let mut bins: Vec<(u32, PathBuf)> = versions
            .filter_map(|v| {
                let v = v.ok()?;
                let major = v.file_name().to_str()?.parse().ok()?;
                let bin = v.path().join("bin");
                bin.join("initdb").exists().then_some((major, bin))
            })
            .collect();
        bins.sort();
        bins.pop().map(|(_, bin)| bin)
    }

    /// A new cluster, running, with the superuser `pico` trusted on the
    /// loopback address.
    pub(crate) fn start(bin: PathBuf) -> Postgres {
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        let n = CLUSTERS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pico-postgres-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let user = root.then_some("postgres");
        if let Some(user) = user {
            run(Command::new("chown").arg(format!("{user}:")).arg(&dir));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Postgres { dir, bin, port, user };
        run(cluster
            .command("initdb")
            .args([
                "--username=pico",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(cluster.data()));
        cluster.resume();
        cluster
    }

    /// `postgres://` for the database `name`, which it creates.
    pub(crate) fn database(&self, name: &str) -> String {
        run(self.command("createdb").args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "pico",
            name,
        ]));
        format!("postgres://pico@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server, at once: its clients' connections are cut.
    pub(crate) fn halt(&self) {
        run(self
            .command("pg_ctl")
            .args(["-m", "fast", "-w", "stop", "-D"])
            .arg(self.data()));
    }

    /// Starts the server, and returns once it accepts connections.
    pub(crate) fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        run(self
            .command("pg_ctl")
            .args(["-w", "-o", &options, "-l"])
            .arg(self.dir.join("log"))
            .arg("-D")
            .arg(self.data())
            .arg("start"));
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "-w", "stop", "-D"])
            .arg(self.data())
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
