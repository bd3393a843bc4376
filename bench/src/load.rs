//! The load generator and its statistics: rounds of keep-alive requests, A and B in turn, paired ratios.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::options::*;
use crate::scenarios::*;
use crate::servers::*;

/// What one round of load measured.
#[derive(Default, Clone)]
pub(crate) struct Round {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) seconds: f64,
    pub(crate) latencies_us: Vec<u32>,
    /// The server's CPU time over the round, in clock ticks.
    pub(crate) cpu_ticks: u64,
}

impl Round {
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The latency below which a share `p` of the round's answers came, in
    /// milliseconds.
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() - 1) as f64 * p).round() as usize;
        f64::from(sorted[index]) / 1000.0
    }

    /// The server's CPU time (user and system) per answered request.
    pub(crate) fn cpu_us_per_request(&self) -> f64 {
        // /proc counts in USER_HZ, which Linux fixes at 100 on every
        // architecture it exposes to user space.
        self.cpu_ticks as f64 * 1e6 / 100.0 / self.requests.max(1) as f64
    }
}

/// A server's figures in a scenario: the medians of its rounds.
pub(crate) struct Figures {
    pub(crate) rate: f64,
    pub(crate) p50: f64,
    pub(crate) p99: f64,
    pub(crate) cpu_us: f64,
    pub(crate) errors: u64,
}

impl Figures {
    pub(crate) fn of(rounds: &[Round]) -> Figures {
        let each = |f: fn(&Round) -> f64| median(rounds.iter().map(f).collect());
        Figures {
            rate: each(Round::rate),
            p50: each(|r| r.percentile(0.5)),
            p99: each(|r| r.percentile(0.99)),
            cpu_us: each(Round::cpu_us_per_request),
            errors: rounds.iter().map(|r| r.errors).sum(),
        }
    }
}

/// The median over paired rounds of the ratio of a figure of `a` to that of
/// `other`: each round of one is paired with the round of the other run
/// right next to it, and a median of those ratios is what drift disturbs
/// least.
pub(crate) fn paired(a: &[Round], other: &[Round], figure: fn(&Round) -> f64) -> f64 {
    median(a.iter().zip(other).map(|(a, o)| figure(a) / figure(o)).collect())
}

/// Rounds of two servers in turn, the order flipped every round (one two,
/// two one, ...) so that neither always runs first.
pub(crate) fn alternate(
    runtime: &tokio::runtime::Runtime,
    pair: [&Server; 2],
    scenario: &Scenario,
    options: &Options,
) -> [Vec<Round>; 2] {
    let duration = Duration::from_secs_f64(options.seconds);
    let mut rounds = [Vec::new(), Vec::new()];
    for round in 0..options.rounds {
        for k in 0..2 {
            let i = (round + k) % 2;
            let server = pair[i];
            let before = server.cpu_ticks();
            let mut result = runtime.block_on(load(&server.addr, scenario, options.connections, duration));
            result.cpu_ticks = server.cpu_ticks().saturating_sub(before);
            if options.verbose {
                eprintln!(
                    "  {} round {round}: {} {:.0}/s, p99 {:.2} ms, {:.1} µs CPU a request",
                    scenario.name,
                    server.label,
                    result.rate(),
                    result.percentile(0.99),
                    result.cpu_us_per_request()
                );
            }
            rounds[i].push(result);
        }
    }
    rounds
}

pub(crate) fn request(addr: &str, scenario: &Scenario) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(scenario.method.clone())
        .uri(scenario.path)
        .header("host", addr);
    if let Some(content_type) = &scenario.content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(Full::new(scenario.body.clone())).unwrap()
}

/// One request on a fresh connection, checked: the smoke test.
pub(crate) async fn check_once(addr: &str, scenario: &Scenario) -> Result<(), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let response = sender
        .send_request(request(addr, scenario))
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status != scenario.status || !(scenario.check)(&body) {
        return Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ));
    }
    Ok(())
}

/// `connections` keep-alive connections sending `scenario` for `duration`.
pub(crate) async fn load(addr: &str, scenario: &Scenario, connections: usize, duration: Duration) -> Round {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        let template = request(&addr, scenario);
        let (expected, check) = (scenario.status, scenario.check);
        tasks.push(tokio::spawn(async move {
            let mut round = Round::default();
            'connect: while Instant::now() < deadline {
                let Ok(stream) = tokio::net::TcpStream::connect(&addr).await else {
                    round.errors += 1;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let Ok((mut sender, connection)) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
                else {
                    round.errors += 1;
                    continue;
                };
                tokio::spawn(connection);
                while Instant::now() < deadline {
                    let mut request = Request::new(template.body().clone());
                    *request.method_mut() = template.method().clone();
                    *request.uri_mut() = template.uri().clone();
                    *request.headers_mut() = template.headers().clone();
                    let sent = Instant::now();
                    let answer = match sender.send_request(request).await {
                        Ok(response) => {
                            let status = response.status();
                            // gunicorn's sync workers close after each answer.
                            let closing = response.headers().get("connection").is_some_and(|v| v == "close");
                            response
                                .into_body()
                                .collect()
                                .await
                                .map(|b| (status, b.to_bytes(), closing))
                        }
                        Err(_) => {
                            round.errors += 1;
                            continue 'connect;
                        }
                    };
                    match answer {
                        Ok((status, body, closing)) if status == expected && check(&body) => {
                            round.requests += 1;
                            round
                                .latencies_us
                                .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                            if closing {
                                continue 'connect;
                            }
                        }
                        _ => {
                            round.errors += 1;
                            continue 'connect;
                        }
                    }
                }
            }
            round
        }));
    }
    let mut total = Round::default();
    for task in tasks {
        let round = task.await.unwrap();
        total.requests += round.requests;
        total.errors += round.errors;
        total.latencies_us.extend(round.latencies_us);
    }
    total.seconds = start.elapsed().as_secs_f64();
    total
}

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
