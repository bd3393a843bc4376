//! The statistics: medians of rounds, and ratios with the spread of the
//! paired rounds behind them.

use crate::round::Round;

/// The `q` quantile of `values` (0.5 the median), interpolated between the
/// two nearest.
pub(crate) fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let position = (sorted.len() - 1) as f64 * q;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

pub(crate) fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// A server's figures in a scenario: the medians of its rounds.
pub(crate) struct Figures {
    pub(crate) rate: f64,
    pub(crate) p99: f64,
    pub(crate) cpu_us: f64,
    pub(crate) user_us: f64,
    /// The share of one CPU the load used while it loaded this server.
    pub(crate) load: f64,
    pub(crate) errors: u64,
}

impl Figures {
    pub(crate) fn of(rounds: &[Round]) -> Figures {
        let each = |f: fn(&Round) -> f64| median(&rounds.iter().map(f).collect::<Vec<_>>());
        Figures {
            rate: each(Round::rate),
            p99: each(|r| r.p99),
            cpu_us: each(Round::cpu_us_per_request),
            user_us: each(Round::user_us_per_request),
            load: each(Round::load_share),
            errors: rounds.iter().map(|r| r.errors).sum(),
        }
    }
}

/// One server's figure over another's: the ratio of their medians, and the
/// interquartile range of the ratios of paired rounds (rounds of the same
/// turn), which says how far round-to-round noise moves it.
pub(crate) struct Ratio {
    pub(crate) of_medians: f64,
    pub(crate) low: f64,
    pub(crate) high: f64,
}

impl Ratio {
    pub(crate) fn of(x: &[Round], y: &[Round], figure: fn(&Round) -> f64) -> Ratio {
        let fx: Vec<f64> = x.iter().map(figure).collect();
        let fy: Vec<f64> = y.iter().map(figure).collect();
        let paired: Vec<f64> = fx.iter().zip(&fy).map(|(x, y)| x / y).collect();
        Ratio {
            of_medians: median(&fx) / median(&fy),
            low: quantile(&paired, 0.25),
            high: quantile(&paired, 0.75),
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} ({:.2}–{:.2})", self.of_medians, self.low, self.high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let values = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(median(&values), 2.5);
        assert_eq!(quantile(&values, 0.25), 1.75);
        assert_eq!(quantile(&values, 0.75), 3.25);
        assert_eq!(median(&[7.0]), 7.0);
    }

    #[test]
    fn a_ratio_is_of_medians_with_the_paired_spread() {
        let round = |requests| Round {
            requests,
            seconds: 1.0,
            ..Round::default()
        };
        let x = [round(100), round(200), round(300)];
        let y = [round(100), round(100), round(150)];
        let ratio = Ratio::of(&x, &y, Round::rate);
        assert_eq!(ratio.of_medians, 2.0);
        assert_eq!((ratio.low, ratio.high), (1.5, 2.0));
    }
}
