//! An example's binary, which Cargo builds beside the tests, run as a
//! production server (`pico::Server`) on a port of the test's choosing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub(crate) fn binary(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

/// Starts the example `name` in `dir` with `env`, bound to `port`, its log
/// as JSON lines; returns once it says it listens, and reads the rest of
/// its log so that the pipe never fills. Killed when dropped.
pub(crate) async fn start(name: &str, dir: &Path, port: u16, env: &[(&str, &str)]) -> Child {
    let mut child = Command::new(binary(name))
        .current_dir(dir)
        // What the test does not say is the example's default, whatever
        // the test's own environment holds.
        .env_remove("DATABASE_URL")
        .env_remove("LINKS_ADMIN_TOKEN")
        .envs(env.iter().copied())
        .env("PICO_BIND", format!("127.0.0.1:{port}"))
        .env("PICO_LOG", "json")
        .env_remove("PICO_DEBUG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let listening = format!("listening on http://127.0.0.1:{port}/");
    let waiting = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains(&listening) {
                return;
            }
        }
        panic!("{name} on {port} ended before it listened");
    };
    tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .unwrap_or_else(|_| panic!("{name} on {port} did not listen within 30 s"));
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    child
}
