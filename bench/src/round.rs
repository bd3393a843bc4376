//! What one round of load measured, whichever generator sent it.

/// What one round of load measured.
#[derive(Default, Clone)]
pub(crate) struct Round {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) seconds: f64,
    /// The 99th percentile of latency, in milliseconds.
    pub(crate) p99: f64,
    /// The server's CPU time over the round, in clock ticks.
    pub(crate) cpu_ticks: u64,
}

impl Round {
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The server's CPU time (user and system) per answered request.
    pub(crate) fn cpu_us_per_request(&self) -> f64 {
        // /proc counts in USER_HZ, which Linux fixes at 100 on every
        // architecture it exposes to user space.
        self.cpu_ticks as f64 * 1e6 / 100.0 / self.requests.max(1) as f64
    }
}
