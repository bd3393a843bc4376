//! BENCHMARKS.md, written from the figures.

use std::fmt::Write as _;
use std::process::Command;

use crate::compile::*;
use crate::load::*;
use crate::options::*;
use crate::servers::*;

/// A scenario's figures, per server (A, B, and C when run), and the paired
/// ratios.
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) figures: Vec<Figures>,
    pub(crate) ab: f64,
    pub(crate) p99_ab: f64,
    pub(crate) ac: Option<f64>,
}

pub(crate) fn report(
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
