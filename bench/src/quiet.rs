//! Whether the machine is quiet enough to measure on, asked before the
//! run: A and N, two identical servers, in turn on the query. On a shared
//! virtual machine whose host is busy, their rounds can differ by a fifth
//! while `/proc/stat` shows no steal; a run there takes most of an hour
//! and writes ratios that nothing can be read from.

use crate::load::*;
use crate::report::Pass;
use crate::scenarios::*;
use crate::servers::*;
use crate::stats::*;

/// Turns of A and N: enough for the quartiles of their paired rounds.
const TURNS: usize = 8;

/// How far from 1.00 the ratio of the two servers' medians may be: a quiet
/// machine measures them within 1 or 2 % of each other.
const MEDIANS_WITHIN: f64 = 0.03;

/// How far from 1.00 the quartiles of their paired rounds may be.
const ROUNDS_WITHIN: f64 = 0.05;

/// A/N in requests a second over [`TURNS`] turns of the query, with our
/// load at `load`'s connections.
pub(crate) fn measure(load: &Load, a: &Server, n: &Server, query: &Scenario) -> Ratio {
    let servers = [a, n];
    let warm_up = Load {
        seconds: load.seconds.min(1.0),
        ..*load
    };
    for server in servers {
        warm_up.round(server, query);
    }
    let rounds = in_turn(load, &servers, query, TURNS, false);
    Ratio::of(&rounds[0], &rounds[1], crate::round::Round::rate)
}

/// Whether two identical servers measured as one: the ratio of their
/// medians and the middle half of their paired rounds near 1.00.
pub(crate) fn is_quiet(ratio: &Ratio) -> bool {
    (ratio.of_medians - 1.0).abs() <= MEDIANS_WITHIN
        && ratio.low >= 1.0 - ROUNDS_WITHIN
        && ratio.high <= 1.0 + ROUNDS_WITHIN
}

/// The passes whose A/N broke the same rule: the machine grew busy while
/// the run went on.
pub(crate) fn noisy_passes(passes: &[Pass]) -> Vec<String> {
    passes
        .iter()
        .flat_map(|pass| pass.rows.iter().map(move |row| (pass, row)))
        .flat_map(|(pass, row)| row.ratios.iter().map(move |ratio| (pass, ratio)))
        .filter(|(_, ratio)| ratio.x == "A" && ratio.y == "N" && !is_quiet(&ratio.rate))
        .map(|(pass, ratio)| format!("{}: {}", pass.title, ratio.rate))
        .collect()
}

/// The rule, as the report and the refusal state it.
pub(crate) fn rule() -> String {
    format!(
        "a run starts, and is kept, only where A/N is within {:.0} % of 1.00 and the middle half of its paired rounds within {:.0} % (`--noisy` runs and keeps it anyway)",
        MEDIANS_WITHIN * 100.0,
        ROUNDS_WITHIN * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(of_medians: f64, low: f64, high: f64) -> Ratio {
        Ratio {
            of_medians,
            low,
            high,
        }
    }

    #[test]
    fn identical_servers_measured_alike_are_quiet() {
        // The noise floor of a quiet run (2026-12-06, 14:51).
        assert!(is_quiet(&ratio(1.02, 1.01, 1.02)));
        assert!(is_quiet(&ratio(0.98, 0.96, 1.01)));
    }

    #[test]
    fn a_pass_is_noisy_by_its_a_against_n_alone() {
        let row = |x, y, rate| crate::report::RowRatio {
            x,
            y,
            rate,
            p99: ratio(1.0, 1.0, 1.0),
            cpu: ratio(1.0, 1.0, 1.0),
            user: ratio(1.0, 1.0, 1.0),
        };
        let pass = |title: &str, a_n| Pass {
            title: title.to_owned(),
            rows: vec![crate::report::Row {
                name: "multiply (query)",
                figures: Vec::new(),
                ratios: vec![row("S", "H", ratio(0.80, 0.70, 0.90)), row("A", "N", a_n)],
            }],
        };
        let passes = [
            pass("own, 32 connections", ratio(1.01, 1.00, 1.02)),
            pass("wrk, 256 connections", ratio(0.92, 0.90, 0.94)),
        ];
        assert_eq!(noisy_passes(&passes), ["wrk, 256 connections: 0.92 (0.90–0.94)"]);
        assert!(noisy_passes(&passes[..1]).is_empty());
    }

    #[test]
    fn a_busy_host_is_not() {
        // Two H servers in turn while the host was busy (2026-12-06, 18:55).
        assert!(!is_quiet(&ratio(0.93, 0.89, 0.96)));
        // Medians alike, rounds apart.
        assert!(!is_quiet(&ratio(1.00, 0.90, 1.08)));
        // Rounds alike, one server slower throughout.
        assert!(!is_quiet(&ratio(1.04, 1.03, 1.05)));
    }
}
