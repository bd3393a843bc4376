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
    /// The load's CPU time over the round: this process's for our own
    /// generator, wrk's for wrk.
    pub(crate) load: Ticks,
}

/// The clock ticks a second `/proc` counts CPU time in: Linux fixes
/// USER_HZ at 100 on every architecture it exposes to user space.
const USER_HZ: f64 = 100.0;

/// CPU time in clock ticks, as the kernel splits it: in the process's own
/// code (user), and in the kernel on its behalf (system: its sockets).
#[derive(Default, Clone, Copy)]
pub(crate) struct Ticks {
    pub(crate) user: u64,
    pub(crate) system: u64,
}

impl Ticks {
    /// A process's CPU time, from its `/proc/<pid>/stat`: its own, or that
    /// of its children it has waited for.
    pub(crate) fn from_stat(stat: &str, whose: Whose) -> Ticks {
        // The fields after the command's closing parenthesis: utime and
        // stime are the 14th and 15th of the whole line, cutime and
        // cstime the 16th and 17th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        let first = match whose {
            Whose::Own => 11,
            Whose::WaitedChildren => 13,
        };
        Ticks {
            user: field(first),
            system: field(first + 1),
        }
    }

    /// This process's CPU time, or its waited children's.
    pub(crate) fn of_this_process(whose: Whose) -> Ticks {
        Ticks::from_stat(
            &std::fs::read_to_string("/proc/self/stat").unwrap_or_default(),
            whose,
        )
    }

    pub(crate) fn since(self, before: Ticks) -> Ticks {
        Ticks {
            user: self.user.saturating_sub(before.user),
            system: self.system.saturating_sub(before.system),
        }
    }
}

/// Whose CPU time a process's `stat` is read for.
#[derive(Clone, Copy)]
pub(crate) enum Whose {
    Own,
    /// wrk, once it has ended.
    WaitedChildren,
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

    /// The share of one CPU the load used over the round. Near 1, the
    /// generator, not the server, set the pace: it could send no faster.
    pub(crate) fn load_share(&self) -> f64 {
        (self.load.user + self.load.system) as f64 / USER_HZ / self.seconds.max(f64::MIN_POSITIVE)
    }

    fn us_per_request(&self, ticks: u64) -> f64 {
        ticks as f64 * 1e6 / USER_HZ / self.requests.max(1) as f64
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

    #[test]
    fn a_process_stat_is_read_for_its_own_time_or_its_waited_childrens() {
        // pid (command, with a space and a parenthesis) state ppid ...
        let stat = "42 (odd) name) S 1 42 42 0 -1 4194560 1 2 3 4 \
                    150 60 7 3 20 0 1 0 100 1000 10";
        let own = Ticks::from_stat(stat, Whose::Own);
        assert_eq!((own.user, own.system), (150, 60));
        let children = Ticks::from_stat(stat, Whose::WaitedChildren);
        assert_eq!((children.user, children.system), (7, 3));
        let round = Round {
            seconds: 2.0,
            load: own.since(Ticks { user: 50, system: 10 }),
            ..Round::default()
        };
        // 150 ticks over 2 s: three quarters of a CPU.
        assert_eq!(round.load_share(), 0.75);
    }
}
