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

mod compile;
mod load;
mod options;
mod report;
mod scenarios;
mod servers;
mod soak;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::compile::*;
use crate::load::*;
use crate::options::*;
use crate::report::*;
use crate::scenarios::*;
use crate::servers::*;
use crate::soak::*;

fn main() {
    build_servers();
    let options = options();
    if options.soak {
        soak();
        return;
    }
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
