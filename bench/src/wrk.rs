//! wrk as the second load generator: a round is one run of it, its request
//! given by a Lua script, its figures read from its report.

use std::process::Command;

use crate::round::Round;
use crate::scenarios::*;

/// Whether wrk is installed.
pub(crate) fn wrk_available() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

/// One run of wrk: one thread (the load has one CPU), `connections`
/// connections, for `seconds` (whole seconds: wrk takes no fraction).
pub(crate) fn wrk(addr: &str, scenario: &Scenario, connections: usize, seconds: f64) -> Round {
    let script = std::env::temp_dir().join(format!("pico-bench-{}.lua", std::process::id()));
    std::fs::write(&script, lua(scenario)).unwrap();
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{}s", seconds.round().max(1.0)),
        ])
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(format!("http://{addr}{}", scenario.path))
        .output()
        .expect("wrk runs");
    let report = String::from_utf8_lossy(&output.stdout);
    parse(&report).unwrap_or_else(|| panic!("cannot read wrk's report:\n{report}"))
}

/// The scenario's method, headers and body, for wrk.
fn lua(scenario: &Scenario) -> String {
    let quote = |s: &str| format!("{s:?}");
    let mut script = format!("wrk.method = {}\n", quote(scenario.method.as_str()));
    for (name, value) in &scenario.headers {
        script.push_str(&format!("wrk.headers[{}] = {}\n", quote(name), quote(value)));
    }
    if !scenario.body.is_empty() {
        let body = std::str::from_utf8(&scenario.body).expect("wrk scenarios have text bodies");
        script.push_str(&format!("wrk.body = {}\n", quote(body)));
    }
    script
}

/// Reads the figures from wrk's report: requests, duration, the latency
/// distribution, and any non-2xx answer or socket error as an error.
fn parse(report: &str) -> Option<Round> {
    let mut round = Round::default();
    for line in report.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["99%", latency] => round.p99 = milliseconds(latency)?,
            [requests, "requests", "in", seconds, ..] => {
                round.requests = requests.parse().ok()?;
                round.seconds = seconds.trim_end_matches(',').trim_end_matches('s').parse().ok()?;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => round.errors += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                round.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    (round.seconds > 0.0).then_some(round)
}

fn milliseconds(latency: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = latency.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = latency.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = latency.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    Some(number.parse::<f64>().ok()? * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_report() {
        let report = "Running 2s test @ http://127.0.0.1:1/bench/multiply?x=6&y=7
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   301.17us  100.32us   4.04ms   92.31%
  Latency Distribution
     50%  285.00us
     75%  317.00us
     90%  366.00us
     99%    1.02ms
  210428 requests in 2.00s, 24.08MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec: 105187.53
Transfer/sec:     12.04MB
";
        let round = parse(report).unwrap();
        assert_eq!(round.requests, 210428);
        assert_eq!(round.seconds, 2.0);
        assert_eq!(round.p99, 1.02);
        assert_eq!(round.errors, 6);
    }
}
