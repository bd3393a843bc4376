//! The timed passes: every generator at every connection count, the
//! servers of each scenario in turn, then the original in a pass of its
//! own. A pass whose two identical servers disagree ends the run there:
//! the passes after it would take most of an hour to be thrown away.

use crate::load::*;
use crate::options::*;
use crate::report::*;
use crate::round::Round;
use crate::scenarios::*;
use crate::servers::*;
use crate::stats::*;

/// Where a server of that label is in the list.
pub(crate) fn find(servers: &[Server], label: &str) -> Option<usize> {
    servers.iter().position(|s| s.label == label)
}

/// Every generator at every connection count: all scenarios at the first
/// pass, the main ones at the others. `Err` says what the noise floor
/// measured in the first pass where it broke the quiet rule, and which
/// pass, unless the run keeps noise (`--noisy`) or only checks answers
/// (`--smoke`).
pub(crate) fn timed(
    runtime: &tokio::runtime::Runtime,
    servers: &[Server],
    scenarios: &[Scenario],
    options: &Options,
    has_wrk: bool,
) -> Result<Vec<Pass>, String> {
    let strict = !(options.noisy || options.smoke);
    let mut passes = Vec::new();
    let generators = [Generator::Own]
        .into_iter()
        .chain(has_wrk.then_some(Generator::Wrk));
    for generator in generators {
        for &connections in &options.connections {
            let load = Load {
                runtime,
                generator,
                connections,
                seconds: match generator {
                    Generator::Own => options.seconds,
                    Generator::Wrk => options.wrk_seconds,
                },
            };
            let title = format!("{}, {connections} connections", generator.name());
            let first = generator == Generator::Own && connections == options.connections[0];
            let mut rows = Vec::new();
            for scenario in scenarios.iter().filter(|s| first || s.main) {
                let pass: Vec<&Server> = scenario
                    .measured()
                    .into_iter()
                    .map(|label| &servers[find(servers, label).unwrap()])
                    .collect();
                let row = measure(&load, &pass, scenario, &scenario.compared(), options);
                let floor = row.ratios.iter().find(|r| r.x == "A" && r.y == "N");
                if let Some(floor) = floor.filter(|f| strict && !crate::quiet::is_quiet(&f.rate)) {
                    return Err(format!("{} in the pass {title}", floor.rate));
                }
                rows.push(row);
            }
            passes.push(Pass { title, rows });
        }
    }
    Ok(passes)
}

/// A against C, and the limit H against C where it serves the scenario:
/// how far from the original any server on this stack can get. A pass of
/// its own, because C's rounds (eight Python threads) leave the machine
/// busier than they found it, and must not fall on one of A and B more
/// than on the other.
pub(crate) fn against_original(
    load: &Load,
    servers: &[Server],
    scenarios: &[Scenario],
    options: &Options,
) -> Option<Pass> {
    let c = find(servers, "C")?;
    let a = find(servers, "A").unwrap();
    let h = find(servers, "H");
    let rows = scenarios
        .iter()
        .filter(|s| s.original)
        .map(|s| match h.filter(|_| s.servers.contains(&"H")) {
            Some(h) => measure(
                load,
                &[&servers[a], &servers[h], &servers[c]],
                s,
                &[("A", "C"), ("H", "C")],
                options,
            ),
            None => measure(load, &[&servers[a], &servers[c]], s, &[("A", "C")], options),
        })
        .collect();
    Some(Pass {
        title: "the original".to_owned(),
        rows,
    })
}

/// A warm-up of each server, discarded, then rounds of all in turn.
pub(crate) fn measure(
    load: &Load,
    servers: &[&Server],
    scenario: &Scenario,
    pairs: &[(&'static str, &'static str)],
    options: &Options,
) -> Row {
    let warm_up = Load {
        seconds: load.seconds.min(1.0),
        ..*load
    };
    for server in servers {
        warm_up.round(server, scenario);
    }
    let rounds = in_turn(load, servers, scenario, options.rounds, options.verbose);
    let of = |label: &str| &rounds[servers.iter().position(|s| s.label == label).unwrap()];
    let row = Row {
        name: scenario.name,
        figures: servers
            .iter()
            .zip(&rounds)
            .map(|(s, r)| (s.label, Figures::of(r)))
            .collect(),
        ratios: pairs
            .iter()
            .map(|&(x, y)| RowRatio {
                x,
                y,
                rate: Ratio::of(of(x), of(y), Round::rate),
                p99: Ratio::of(of(x), of(y), |r| r.p99),
                cpu: Ratio::of(of(x), of(y), Round::cpu_us_per_request),
                user: Ratio::of(of(x), of(y), Round::user_us_per_request),
            })
            .collect(),
    };
    let line: Vec<String> = row
        .figures
        .iter()
        .map(|(label, f)| format!("{label} {:.0}/s p99 {:.2}ms", f.rate, f.p99))
        .chain(row.ratios.iter().map(|r| format!("{}/{} {}", r.x, r.y, r.rate)))
        .collect();
    println!(
        "{} c{} {:<28} {}",
        load.generator.name(),
        load.connections,
        scenario.name,
        line.join(" | ")
    );
    row
}
