//! The load: rounds of keep-alive requests from our own generator or from
//! wrk, the servers of a scenario in turn.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::client::{Connection, request_bytes};
use crate::round::{Round, Ticks, Whose};
use crate::scenarios::*;
use crate::servers::*;
use crate::wrk::wrk;

/// Who sends the load.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generator {
    /// This process: a plain HTTP/1.1 client (`client.rs`), every answer
    /// checked.
    Own,
    /// wrk, from Debian's package, a process of its own on the load's CPU.
    Wrk,
}

impl Generator {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Generator::Own => "own",
            Generator::Wrk => "wrk",
        }
    }
}

/// How a round is sent.
pub(crate) struct Load<'a> {
    pub(crate) runtime: &'a tokio::runtime::Runtime,
    pub(crate) generator: Generator,
    pub(crate) connections: usize,
    pub(crate) seconds: f64,
}

impl Load<'_> {
    pub(crate) fn round(&self, server: &Server, scenario: &Scenario) -> Round {
        let whose = match self.generator {
            Generator::Own => Whose::Own,
            Generator::Wrk => Whose::WaitedChildren,
        };
        let before = (server.cpu_ticks(), Ticks::of_this_process(whose));
        let mut round = match self.generator {
            Generator::Own => self.runtime.block_on(load(
                &server.addr,
                scenario,
                self.connections,
                Duration::from_secs_f64(self.seconds),
            )),
            Generator::Wrk => wrk(&server.addr, scenario, self.connections, self.seconds),
        };
        round.cpu = server.cpu_ticks().since(before.0);
        round.load = Ticks::of_this_process(whose).since(before.1);
        round
    }
}

/// `rounds` rounds of every server in turn, the order rotated every turn
/// and reversed every other one (A B C, B A C, C A B, A C B...): no server
/// always runs first, nor always after the same one, whose load may linger
/// (a server's caches, the kernel's buffers). A round of each server is
/// paired with the rounds of the others in the same turn. Rounds are
/// indexed like `servers`.
pub(crate) fn in_turn(
    load: &Load,
    servers: &[&Server],
    scenario: &Scenario,
    rounds: usize,
    verbose: bool,
) -> Vec<Vec<Round>> {
    let mut all = vec![Vec::new(); servers.len()];
    let n = servers.len();
    for turn in 0..rounds {
        for k in 0..n {
            let i = if turn % 2 == 0 {
                (turn + k) % n
            } else {
                (turn + n - k) % n
            };
            let round = load.round(servers[i], scenario);
            if verbose {
                eprintln!(
                    "  {} {} c{} turn {turn}: {} {:.0}/s, p99 {:.2} ms, {:.1} µs CPU a request ({:.2} user), {} errors",
                    scenario.name,
                    load.generator.name(),
                    load.connections,
                    servers[i].label,
                    round.rate(),
                    round.p99,
                    round.cpu_us_per_request(),
                    round.user_us_per_request(),
                    round.errors,
                );
            }
            all[i].push(round);
        }
    }
    all
}

pub(crate) fn request(addr: &str, scenario: &Scenario) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(scenario.method.clone())
        .uri(scenario.path)
        .header("host", addr);
    for (name, value) in &scenario.headers {
        builder = builder.header(*name, value);
    }
    builder.body(Full::new(scenario.body.clone())).unwrap()
}

/// One request on a fresh connection, checked.
pub(crate) async fn check_once(addr: &str, scenario: &Scenario) -> Result<(), String> {
    sequential(addr, scenario, 1).await
}

/// `count` requests one after the other on one connection, each checked:
/// what the allocation counts divide by.
pub(crate) async fn sequential(addr: &str, scenario: &Scenario, count: u64) -> Result<(), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    for _ in 0..count {
        // The connection takes the next request once the last is done with.
        sender.ready().await.map_err(|e| e.to_string())?;
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
    }
    Ok(())
}

/// `connections` keep-alive connections sending `scenario` for `duration`,
/// every answer checked.
pub(crate) async fn load(addr: &str, scenario: &Scenario, connections: usize, duration: Duration) -> Round {
    let start = Instant::now();
    let deadline = start + duration;
    // A server that stops answering is an error once the round is over
    // and another answer would have had ample time, not a round that
    // never ends.
    let cut_off = tokio::time::Instant::from_std(deadline) + Duration::from_secs(5);
    let request = Arc::new(request_bytes(addr, scenario));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        let request = Arc::clone(&request);
        let (expected, check) = (scenario.status.as_u16(), scenario.check);
        tasks.push(tokio::spawn(async move {
            let mut errors = 0;
            let mut latencies_us = Vec::new();
            'connect: while Instant::now() < deadline {
                let Ok(Ok(mut connection)) =
                    tokio::time::timeout_at(cut_off, Connection::connect(&addr)).await
                else {
                    errors += 1;
                    continue;
                };
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match connection.exchange(&request, cut_off).await {
                        Ok(answer) if answer.status == expected && check(answer.body) => {
                            latencies_us.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                            if answer.closing {
                                continue 'connect;
                            }
                        }
                        _ => {
                            errors += 1;
                            continue 'connect;
                        }
                    }
                }
            }
            (errors, latencies_us)
        }));
    }
    let mut errors = 0;
    let mut latencies_us = Vec::new();
    for task in tasks {
        let (e, l) = task.await.unwrap();
        errors += e;
        latencies_us.extend(l);
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies_us.sort_unstable();
    let p99 = latencies_us
        .get(((latencies_us.len().max(1) - 1) as f64 * 0.99).round() as usize)
        .map_or(f64::NAN, |us| f64::from(*us) / 1000.0);
    Round {
        requests: latencies_us.len() as u64,
        errors,
        seconds,
        p99,
        ..Round::default()
    }
}
