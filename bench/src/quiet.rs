//! Whether the machine is quiet enough to measure on, asked before the
//! run: A and N, two identical servers, in turn on the query. On a shared
//! virtual machine whose host is busy, their rounds can differ by a fifth
//! while `/proc/stat` shows no steal; a run there takes most of an hour
//! and writes ratios that nothing can be read from.

use crate::stats::*;

/// How far from 1.00 the ratio of the two servers' medians may be: a quiet
/// machine measures them within 1 or 2 % of each other.
const MEDIANS_WITHIN: f64 = 0.03;

/// How far from 1.00 the quartiles of their paired rounds may be.
const ROUNDS_WITHIN: f64 = 0.05;

/// How long `--wait-quiet` lets a busy host be before asking again: a
/// neighbour stays busy for minutes, and asking at once would only
/// measure it again.
pub(crate) const ASK_AGAIN: std::time::Duration = std::time::Duration::from_secs(4 * 60);

/// What a ratio is compared with the bounds to: the two decimals it is
/// shown with, so that a ratio shown as 1.03 is within 3 %.
fn shown(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Whether two identical servers measured as one: the ratio of their
/// medians and the middle half of their paired rounds near 1.00.
pub(crate) fn is_quiet(ratio: &Ratio) -> bool {
    let within = |value: f64, bound: f64| (shown(value) - 1.0).abs() <= bound + 1e-9;
    within(ratio.of_medians, MEDIANS_WITHIN)
        && within(ratio.low, ROUNDS_WITHIN)
        && within(ratio.high, ROUNDS_WITHIN)
}

/// The passes whose A/N (each pass's title and ratio) broke the same
/// rule: the machine grew busy while the run went on.
pub(crate) fn noisy_passes<'a>(floors: impl Iterator<Item = (&'a str, &'a Ratio)>) -> Vec<String> {
    floors
        .filter(|(_, ratio)| !is_quiet(ratio))
        .map(|(pass, ratio)| format!("{pass}: {ratio}"))
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
        // Noise floors of quiet runs (BENCHMARKS.md at a85226a, 387d1be and
        // 10ae4fe).
        assert!(is_quiet(&ratio(1.02, 1.01, 1.02)));
        assert!(is_quiet(&ratio(1.01, 1.00, 1.03)));
        assert!(is_quiet(&ratio(0.99, 0.98, 1.00)));
        // At the bounds, as shown.
        assert!(is_quiet(&ratio(1.0304, 0.9504, 1.0496)));
        assert!(is_quiet(&ratio(0.97, 0.95, 1.05)));
    }

    #[test]
    fn each_bound_alone_refuses() {
        assert!(!is_quiet(&ratio(0.96, 0.97, 0.99)));
        assert!(!is_quiet(&ratio(1.04, 0.99, 1.01)));
        assert!(!is_quiet(&ratio(1.00, 0.94, 1.02)));
        assert!(!is_quiet(&ratio(1.00, 0.98, 1.06)));
    }

    #[test]
    fn a_run_is_noisy_by_its_passes_that_break_the_rule() {
        let passes = [
            ("own, 32 connections", ratio(1.01, 1.00, 1.02)),
            ("wrk, 256 connections", ratio(0.92, 0.90, 0.94)),
        ];
        let floors = || passes.iter().map(|(pass, ratio)| (*pass, ratio));
        assert_eq!(noisy_passes(floors()), ["wrk, 256 connections: 0.92 (0.90–0.94)"]);
        assert!(noisy_passes(floors().take(1)).is_empty());
    }

    #[test]
    fn a_busy_host_is_not() {
        // The question's answer and the passes' while the host was busy
        // (2026-12-06, from 19:10).
        assert!(!is_quiet(&ratio(1.07, 1.01, 1.07)));
        assert!(!is_quiet(&ratio(0.86, 0.86, 0.86)));
        assert!(!is_quiet(&ratio(1.32, 1.00, 1.22)));
    }
}
