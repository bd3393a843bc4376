//! What one round of load measured, whichever generator sent it.

/// What one round of load measured.
#[derive(Default, Clone)]
pub(crate) struct Round {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) seconds: f64,
    /// The 99th percentile of latency, in milliseconds.
    pub(crate) p99: f64,
    /// The server's CPU time over the round.
    pub(crate) cpu: Ticks,
}

/// CPU time in clock ticks, as the kernel splits it: in the process's own
/// code (user), and in the kernel on its behalf (system: its sockets).
#[derive(Default, Clone, Copy)]
pub(crate) struct Ticks {
    pub(crate) user: u64,
    pub(crate) system: u64,
}

impl Ticks {
    pub(crate) fn since(self, before: Ticks) -> Ticks {
        Ticks {
            user: self.user.saturating_sub(before.user),
            system: self.system.saturating_sub(before.system),
        }
    }
}

impl std::ops::Add for Ticks {
    type Output = Ticks;

    fn add(self, other: Ticks) -> Ticks {
        Ticks {
            user: self.user + other.user,
            system: self.system + other.system,
        }
    }
}

impl Round {
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The server's CPU time (user and system) per answered request.
    pub(crate) fn cpu_us_per_request(&self) -> f64 {
        self.us_per_request(self.cpu.user + self.cpu.system)
    }

    /// The server's user CPU time per answered request: its own code's
    /// cost, without the kernel's work on its sockets, which is most of a
    /// small request's and varies more from round to round than any
    /// server's code.
    pub(crate) fn user_us_per_request(&self) -> f64 {
        self.us_per_request(self.cpu.user)
    }

    fn us_per_request(&self, ticks: u64) -> f64 {
        // /proc counts in USER_HZ, which Linux fixes at 100 on every
        // architecture it exposes to user space.
        ticks as f64 * 1e6 / 100.0 / self.requests.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_a_request_is_split_into_user_and_all() {
        let before = Ticks { user: 10, system: 40 };
        let after = Ticks {
            user: 40,
            system: 110,
        };
        let round = Round {
            requests: 50_000,
            cpu: after.since(before),
            ..Round::default()
        };
        // 100 ticks a second: 0.3 s of user time and 1 s in all.
        assert_eq!(round.user_us_per_request(), 6.0);
        assert_eq!(round.cpu_us_per_request(), 20.0);
    }
}
