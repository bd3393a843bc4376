//! The command line.

use std::path::{Path, PathBuf};

pub(crate) struct Options {
    pub(crate) smoke: bool,
    /// `--soak`: the long run alone.
    pub(crate) soak: bool,
    pub(crate) rounds: usize,
    pub(crate) seconds: f64,
    pub(crate) connections: usize,
    pub(crate) compile: bool,
    pub(crate) output: PathBuf,
    pub(crate) only: Option<String>,
    pub(crate) verbose: bool,
    /// The CPUs of the machine, counted before this process is pinned.
    pub(crate) cores: usize,
}

pub(crate) fn options() -> Options {
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
        soak: args.iter().any(|a| a == "--soak"),
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
