//! The command line.

use std::path::{Path, PathBuf};

use crate::scenarios::*;

pub(crate) struct Options {
    pub(crate) smoke: bool,
    /// `--soak`: the long run alone.
    pub(crate) soak: bool,
    pub(crate) rounds: usize,
    pub(crate) seconds: f64,
    /// wrk's rounds, in whole seconds.
    pub(crate) wrk_seconds: f64,
    /// The connection counts measured: all scenarios at the first, the
    /// main ones at every one.
    pub(crate) connections: Vec<usize>,
    /// Builds timed per compile-time figure, of which the median is kept.
    pub(crate) builds: usize,
    pub(crate) compile: bool,
    pub(crate) output: PathBuf,
    pub(crate) only: Option<String>,
    pub(crate) verbose: bool,
    /// `--noisy`: measure even where A and N, asked first, disagree.
    pub(crate) noisy: bool,
    /// `--wait-quiet M`: where A and N disagree, ask again every few
    /// minutes for up to M minutes before giving up.
    pub(crate) wait_quiet: Option<std::time::Duration>,
    /// The CPUs of the machine, counted before this process is pinned.
    pub(crate) cores: usize,
}

impl Options {
    /// Requests sent per server and scenario while allocations are counted.
    pub(crate) fn allocation_requests(&self, scenario: &Scenario) -> u64 {
        let requests = if scenario.body.len() > 64 * 1024 {
            200
        } else {
            2000
        };
        if self.smoke { requests / 20 } else { requests }
    }
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
            .unwrap_or(if smoke { 1 } else { 10 }),
        seconds: value("--seconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(if smoke { 0.5 } else { 1.5 }),
        // wrk reports a minute or more as `1.00m`, which `wrk.rs` does not read.
        wrk_seconds: value("--wrk-seconds")
            .and_then(|v| v.parse().ok())
            .filter(|s: &f64| *s < 60.0)
            .unwrap_or(if smoke { 1.0 } else { 2.0 }),
        connections: value("--connections").map_or_else(
            || vec![32, 256],
            |v| {
                v.split(',')
                    .map(|c| c.parse().expect("--connections 32,256"))
                    .collect()
            },
        ),
        builds: value("--builds").and_then(|v| v.parse().ok()).unwrap_or(3),
        compile: !smoke && !args.iter().any(|a| a == "--no-compile"),
        only: value("--only"),
        verbose: args.iter().any(|a| a == "--verbose"),
        noisy: args.iter().any(|a| a == "--noisy"),
        wait_quiet: value("--wait-quiet").map(|v| {
            let minutes: u64 = v.parse().expect("--wait-quiet <minutes>");
            std::time::Duration::from_secs(minutes * 60)
        }),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        output: value("--output").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md"),
            PathBuf::from,
        ),
    }
}
