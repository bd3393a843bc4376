//! The benchmark: Pico against the same endpoints hand-written in axum, the
//! limit of the stack (hyper and a hand-written service), a realistic app
//! under each, and the original pico 2.0.5 under gunicorn; each server a
//! process of its own on half the CPUs, loaded over loopback from the
//! other half by this process and by wrk, the servers of a scenario in
//! turn so that drift on a shared machine falls on all alike. Then the
//! allocations per request, and compile times.
//!
//! `cargo run --release -p pico-bench` writes BENCHMARKS.md;
//! `cargo run --release -p pico-bench -- --smoke` only checks that every
//! scenario answers correctly on every server and generator, briefly (the
//! test command runs it).

mod client;
mod compile;
mod load;
mod options;
mod passes;
mod quiet;
mod report;
mod round;
mod scenarios;
mod servers;
mod soak;
mod stats;
mod wrk;

use std::path::{Path, PathBuf};

use crate::compile::*;
use crate::load::*;
use crate::options::*;
use crate::passes::{find, measure};
use crate::report::*;
use crate::scenarios::*;
use crate::servers::*;
use crate::soak::*;
use crate::stats::*;
use crate::wrk::*;

fn main() {
    build_servers();
    let options = options();
    if options.soak {
        soak();
        return;
    }
    let pinning = Pinning::apply();
    let bin = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    let logs = bin.join("bench-logs");
    std::fs::create_dir_all(&logs).unwrap();
    let mut servers: Vec<Server> = KINDS
        .iter()
        .map(|kind| Server::start(kind, pinning.as_ref(), &bin, &logs))
        .collect();
    let python = std::env::var_os("PICO_PYTHON")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/pico-tests/pico-2.0.5/bin")
        });
    match original(&python, pinning.as_ref()) {
        Ok(server) => servers.push(server),
        // Under CI the test command installed it: its absence is a fault.
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
            eprintln!("the original cannot be measured: {why}");
            std::process::exit(1);
        }
        Err(why) => eprintln!("({why}: C is left out)"),
    }
    let has_wrk = wrk_available();
    if !has_wrk {
        if std::env::var("CI").as_deref() == Ok("true") {
            eprintln!("wrk is missing (scripts/test-all installs it)");
            std::process::exit(1);
        }
        eprintln!("(no wrk: its rows are left out)");
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
                .is_none_or(|only| only.split(',').any(|o| s.name.contains(o)))
        })
        .collect();

    // Every scenario answers correctly on every server, or nothing is measured.
    let mut failures = Vec::new();
    for scenario in &scenarios {
        let c = scenario.original.then_some("C");
        for label in scenario.measured().into_iter().chain(c) {
            let Some(server) = find(&servers, label).map(|i| &servers[i]) else {
                continue;
            };
            if let Err(e) = runtime.block_on(check_once(&server.addr, scenario)) {
                failures.push(format!("{} on {label} ({}): {e}", scenario.name, server.name));
            }
        }
    }
    if !failures.is_empty() {
        eprintln!("wrong answers:\n  {}", failures.join("\n  "));
        // `exit` runs no destructors: stop the servers first.
        drop(servers);
        std::process::exit(1);
    }
    println!("every scenario answers correctly on every server");

    // Our load at the first connection count: the question below, and the
    // pass against the original.
    let own_first = Load {
        runtime: &runtime,
        generator: Generator::Own,
        connections: options.connections[0],
        seconds: options.seconds,
    };
    let deadline = options.wait_quiet.map(|wait| std::time::Instant::now() + wait);
    let may_wait = || deadline.is_some_and(|at| std::time::Instant::now() + quiet::ASK_AGAIN < at);
    let (quiet, mut passes) = loop {
        // Asked before anything is measured: a machine too busy to tell two
        // identical servers apart is not measured on.
        let quiet = (!options.smoke).then(|| ask_quiet(&own_first, &servers, &options, &may_wait));
        if let Some(ratio) = &quiet {
            println!("two identical servers (A/N), asked before the run: {ratio}");
            if !quiet::is_quiet(ratio) && !options.noisy {
                eprintln!(
                    "this machine is too busy to measure on: two identical servers measured {ratio} of each other; {}{}",
                    quiet::rule(),
                    if options.wait_quiet.is_none() {
                        "; `--wait-quiet M` asks again for up to M minutes"
                    } else {
                        ""
                    }
                );
                drop(servers);
                std::process::exit(2);
            }
        }
        match passes::timed(&runtime, &servers, &scenarios, &options, has_wrk) {
            Ok(passes) => break (quiet, passes),
            Err(noisy) if may_wait() => {
                println!(
                    "two identical servers measured {noisy}; the run starts again once they agree, asked in {} minutes",
                    quiet::ASK_AGAIN.as_secs() / 60
                );
                std::thread::sleep(quiet::ASK_AGAIN);
            }
            Err(noisy) => {
                drop(servers);
                eprintln!(
                    "this machine grew too busy to measure on while the run went on: two identical servers measured {noisy}; {}. {} is left as it was",
                    quiet::rule(),
                    options.output.display()
                );
                std::process::exit(2);
            }
        }
    };
    passes.extend(passes::against_original(
        &own_first, &servers, &scenarios, &options,
    ));

    // Allocations: counted over requests one after the other, apart from
    // the timed rounds, which run without counting.
    let mut allocations = Vec::new();
    for scenario in &scenarios {
        for label in scenario.servers {
            let index = find(&servers, label).unwrap();
            let server = &mut servers[index];
            let count = options.allocation_requests(scenario);
            runtime
                .block_on(sequential(&server.addr, scenario, count / 10 + 1))
                .unwrap_or_else(|e| panic!("{} on {label}: {e}", scenario.name));
            server.count_allocations();
            let sent = runtime.block_on(sequential(&server.addr, scenario, count));
            let (allocated, bytes) = server.allocations();
            sent.unwrap_or_else(|e| panic!("{} on {label}: {e}", scenario.name));
            println!(
                "allocations: {:<28} {label} {:.1} a request, {:.0} bytes",
                scenario.name,
                allocated as f64 / count as f64,
                bytes as f64 / count as f64
            );
            allocations.push(Allocations {
                scenario: scenario.name,
                label,
                per_request: allocated as f64 / count as f64,
                bytes_per_request: bytes as f64 / count as f64,
            });
        }
    }
    let rss: Vec<(&str, Option<u64>)> = servers.iter().map(|s| (s.label, s.peak_rss_kib())).collect();
    let errors: u64 = passes
        .iter()
        .flat_map(|p| &p.rows)
        .flat_map(|row| row.figures.iter().map(|(_, f)| f.errors))
        .sum();
    if options.smoke {
        drop(servers);
        if errors > 0 {
            eprintln!("{errors} wrong answers under load");
            std::process::exit(1);
        }
        println!("smoke run: every scenario answered correctly under load");
        return;
    }
    drop(servers);
    if let Some(pinning) = &pinning {
        pinning.release();
    }
    // Empty unless the run keeps noise (`--noisy`): any other run stops at
    // its first pass that breaks the quiet rule.
    let noisy = quiet::noisy_passes(floors(&passes).map(|(pass, _, ratio)| (pass, &ratio.rate)));
    let compile = options.compile.then(|| compile_times(options.builds));
    let mut report = report(&Report {
        options: &options,
        pinning: pinning.as_ref(),
        passes: &passes,
        allocations: &allocations,
        rss: &rss,
        compile: compile.as_ref(),
        errors,
        quiet: quiet.as_ref(),
        noisy: &noisy,
    });
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

/// A/N on the query, asked again every few minutes while they disagree
/// and `--wait-quiet` has time left.
fn ask_quiet(load: &Load, servers: &[Server], options: &Options, may_wait: &dyn Fn() -> bool) -> Ratio {
    let query = scenarios().into_iter().find(|s| s.noise_floor).unwrap();
    let pair = [
        &servers[find(servers, "A").unwrap()],
        &servers[find(servers, "N").unwrap()],
    ];
    loop {
        let row = measure(load, &pair, &query, &[("A", "N")], options);
        let ratio = row.ratios.into_iter().next().unwrap().rate;
        if quiet::is_quiet(&ratio) || !may_wait() {
            return ratio;
        }
        println!(
            "two identical servers (A/N) measured {ratio}; asked again in {} minutes",
            quiet::ASK_AGAIN.as_secs() / 60
        );
        std::thread::sleep(quiet::ASK_AGAIN);
    }
}
