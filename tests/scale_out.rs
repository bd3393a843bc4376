//! The links example as a team deploys it when one machine is not enough:
//! two instances on one PostgreSQL (a cluster this test starts) behind
//! nginx running `deploy/nginx.conf`. Writers make links through nginx
//! without pause, a reader reads them back, and a feed on each instance
//! listens; meanwhile each instance is restarted in turn, then the database
//! is stopped and started again. In the end every acknowledged write is in
//! the database exactly once, every instance's feed told of every link, and
//! no request failed, but for the 503s (with `Retry-After`) of the time the
//! database was away.

mod common;
#[path = "support/example.rs"]
mod example;
#[path = "support/nginx.rs"]
mod nginx;
#[path = "support/postgres.rs"]
mod postgres;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::{Notify, watch};

/// How many clients write at once.
const WRITERS: usize = 4;

fn main() {
    if !Path::new(nginx::NGINX).exists() {
        common::missing("nginx");
        return;
    }
    let Some(bin) = postgres::Postgres::installed() else {
        common::missing("postgresql");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(scale_out(bin));
}

/// One instance of the example on its port.
struct Slot {
    port: u16,
    child: Option<Child>,
}

/// Counts what may make an instance ready again: its start, the database's
/// return. A feed's client that found its instance not ready waits for it.
static CHANGES: std::sync::LazyLock<watch::Sender<u64>> = std::sync::LazyLock::new(|| watch::channel(0).0);

fn changed() {
    CHANGES.send_modify(|n| *n += 1);
}

impl Slot {
    async fn start(&mut self, url: &str) {
        let env = [("DATABASE_URL", url)];
        let child = example::start("links", Path::new("."), self.port, &env).await;
        self.child = Some(child);
        changed();
    }

    /// SIGTERM, and its exit once it has drained.
    async fn stop(&mut self) {
        let mut child = self.child.take().unwrap();
        let pid = child.id().unwrap().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .await
                .unwrap()
                .success()
        );
        let exit = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("the instance did not stop within 30 s of SIGTERM")
            .unwrap();
        assert!(exit.success(), "the instance on {} exited with {exit}", self.port);
    }
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    /// `(Idempotency-Key, slug)` of each write answered 201.
    acked: Mutex<Vec<(String, String)>>,
    /// Every answer that was neither what was asked nor an allowed 503.
    failures: Mutex<Vec<String>>,
    /// 503s with `Retry-After`, while the database was away.
    unavailable: AtomicUsize,
    /// Whether a 503 is what the database's absence allows.
    database_away: AtomicBool,
    stop: AtomicBool,
    progress: Notify,
}

impl Tally {
    fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }

    /// Waits until `done` holds of the tally.
    async fn until(&self, what: &str, done: impl Fn(&Tally) -> bool) {
        let waiting = async {
            loop {
                let progress = self.progress.notified();
                if done(self) {
                    return;
                }
                progress.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(60), waiting)
            .await
            .is_err()
        {
            panic!(
                "not {what} within 60 s: {} acknowledged, failures {:?}",
                self.acked(),
                self.failures.lock().unwrap()
            );
        }
    }

    /// Counts an answer that is not the one asked for: a 503 with
    /// `Retry-After` while the database is away, a failure otherwise.
    fn other(&self, what: String, status: Option<u16>, retry_after: bool) {
        if status == Some(503) && retry_after && self.database_away.load(Ordering::SeqCst) {
            self.unavailable.fetch_add(1, Ordering::SeqCst);
        } else {
            self.failures.lock().unwrap().push(what);
        }
        self.progress.notify_waiters();
    }
}

/// Makes links through nginx until told to stop, each with a key of its
/// own, sent again with the same key until it is acknowledged.
async fn writer(id: usize, base: String, client: reqwest::Client, tally: Arc<Tally>) {
    let mut n = 0;
    while !tally.stop.load(Ordering::SeqCst) {
        let key = format!("w{id}-{n}");
        let body = json!({"target": format!("https://example.com/{id}/{n}"), "tags": [format!("w{id}")]});
        loop {
            let sent = client
                .post(format!("{base}/links"))
                .header("idempotency-key", &key)
                .json(&body)
                .send()
                .await;
            match sent {
                Ok(answer) if answer.status() == 201 => {
                    let link: Value = answer.json().await.unwrap();
                    tally
                        .acked
                        .lock()
                        .unwrap()
                        .push((key, link["slug"].as_str().unwrap().to_owned()));
                    tally.progress.notify_waiters();
                    break;
                }
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    let retry_after = answer.headers().contains_key("retry-after");
                    let text = answer.text().await.unwrap_or_default();
                    tally.other(
                        format!("create {key}: {status} {text}"),
                        Some(status),
                        retry_after,
                    );
                }
                Err(e) => tally.other(format!("create {key}: {e}"), None, false),
            }
            if tally.stop.load(Ordering::SeqCst) {
                return;
            }
        }
        n += 1;
    }
}

/// Reads back, through nginx, links already acknowledged.
async fn reader(base: String, client: reqwest::Client, tally: Arc<Tally>) {
    let mut i = 0;
    while !tally.stop.load(Ordering::SeqCst) {
        let slug = {
            let acked = tally.acked.lock().unwrap();
            if acked.is_empty() {
                None
            } else {
                i = (i + 7) % acked.len();
                Some(acked[i].1.clone())
            }
        };
        let Some(slug) = slug else {
            tally.progress.notified().await;
            continue;
        };
        match client.get(format!("{base}/links/{slug}")).send().await {
            Ok(answer) if answer.status() == 200 => {}
            Ok(answer) => {
                let status = answer.status().as_u16();
                let retry_after = answer.headers().contains_key("retry-after");
                tally.other(format!("read {slug}: {status}"), Some(status), retry_after);
            }
            Err(e) => tally.other(format!("read {slug}: {e}"), None, false),
        }
    }
}

/// The slugs one instance's feed told of, the newest link's time, and a
/// signal for each news.
#[derive(Default)]
struct Heard {
    slugs: Mutex<HashSet<String>>,
    newest: Mutex<i64>,
    news: Notify,
}

/// Listens to the feed of the instance on `port` for the whole test. When
/// the stream ends (the instance stops, or its database goes away) it
/// connects again once the instance is ready, asking for what was made
/// since the newest link it heard of, less a margin for commits that
/// overtook each other.
async fn listen(port: u16, heard: Arc<Heard>, since: i64) {
    let client = reqwest::Client::new();
    let mut changes = CHANGES.subscribe();
    loop {
        changes.borrow_and_update();
        let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
        if !ready.is_ok_and(|r| r.status() == 200) {
            if changes.changed().await.is_err() {
                return;
            }
            continue;
        }
        let newest = *heard.newest.lock().unwrap();
        let from = if newest == 0 { since } else { newest - 5_000 };
        let opened = client
            .get(format!("http://127.0.0.1:{port}/feed?since={from}"))
            .header("accept", "text/event-stream")
            .send()
            .await;
        let mut body = match opened {
            Ok(answer) if answer.status() == 200 => answer.bytes_stream(),
            // Going down since it said it was ready: ready again after
            // the next change.
            _ => {
                if changes.changed().await.is_err() {
                    return;
                }
                continue;
            }
        };
        let mut buffer = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                // The close event at a stop, and keep-alive comments, carry
                // no link.
                if event.lines().any(|l| l.starts_with("event:")) {
                    continue;
                }
                for data in event.lines().filter_map(|l| l.strip_prefix("data: ")) {
                    let link: Value = serde_json::from_str(data).unwrap();
                    let created = link["created_ms"].as_i64().unwrap();
                    let mut newest = heard.newest.lock().unwrap();
                    *newest = (*newest).max(created);
                    heard
                        .slugs
                        .lock()
                        .unwrap()
                        .insert(link["slug"].as_str().unwrap().to_owned());
                }
                heard.news.notify_waiters();
            }
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn scale_out(bin: PathBuf) {
    let cluster = postgres::Postgres::start(bin);
    let url = cluster.database("links");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scale-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ports: Vec<u16> = {
        let listeners: Vec<_> = (0..4)
            .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        listeners.iter().map(|l| l.local_addr().unwrap().port()).collect()
    };
    let began = now_ms();
    let mut slots: Vec<Slot> = ports[..2]
        .iter()
        .map(|&port| Slot { port, child: None })
        .collect();
    for slot in &mut slots {
        slot.start(&url).await;
    }
    let _nginx = nginx::Nginx::start(&dir, [ports[0], ports[1]], ports[2], ports[3]).await;
    let base = format!("http://127.0.0.1:{}/api-prefix", ports[2]);

    let heard: Vec<Arc<Heard>> = slots.iter().map(|_| Arc::default()).collect();
    for (slot, heard) in slots.iter().zip(&heard) {
        tokio::spawn(listen(slot.port, Arc::clone(heard), began));
    }
    let tally = Arc::new(Tally::default());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut clients: Vec<_> = (0..WRITERS)
        .map(|id| tokio::spawn(writer(id, base.clone(), client.clone(), Arc::clone(&tally))))
        .collect();
    clients.push(tokio::spawn(reader(
        base.clone(),
        client.clone(),
        Arc::clone(&tally),
    )));

    print!("test each_instance_restarted_in_turn ... ");
    tally.until("50 writes in", |t| t.acked() >= 50).await;
    for slot in &mut slots {
        slot.stop().await;
        let before = tally.acked();
        tally
            .until("20 writes while one instance is down", |t| {
                t.acked() >= before + 20
            })
            .await;
        slot.start(&url).await;
        let before = tally.acked();
        tally
            .until("20 writes once it is back", |t| t.acked() >= before + 20)
            .await;
    }
    assert_eq!(
        tally.failures.lock().unwrap().clone(),
        Vec::<String>::new(),
        "requests failed in the restarts"
    );
    println!("ok");

    print!("test the_database_stopped_and_started ... ");
    tally.database_away.store(true, Ordering::SeqCst);
    cluster.halt();
    tally
        .until("503s while the database is away", |t| {
            t.unavailable.load(Ordering::SeqCst) >= WRITERS
        })
        .await;
    for slot in &slots {
        let ready = client
            .get(format!("http://127.0.0.1:{}/readyz", slot.port))
            .send()
            .await
            .unwrap();
        assert_eq!(
            ready.status(),
            503,
            "an instance without its database is not ready"
        );
    }
    cluster.resume();
    for slot in &slots {
        let probe = format!("http://127.0.0.1:{}/readyz", slot.port);
        common::eventually(|| async { client.get(&probe).send().await.is_ok_and(|r| r.status() == 200) })
            .await;
    }
    changed();
    let before = tally.acked();
    tally
        .until("50 writes once the database is back", |t| {
            t.acked() >= before + 50
        })
        .await;
    tally.stop.store(true, Ordering::SeqCst);
    tally.progress.notify_waiters();
    for client in clients {
        client.await.unwrap();
    }
    let failures = tally.failures.lock().unwrap().clone();
    assert_eq!(
        failures,
        Vec::<String>::new(),
        "requests failed other than by 503"
    );
    println!("ok");

    print!("test every_acknowledged_write_once_and_in_every_feed ... ");
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT slug, target, idempotency_key FROM links")
            .fetch_all(&pool)
            .await
            .unwrap();
    let by_key: HashMap<&str, &str> = rows
        .iter()
        .filter_map(|(slug, _, key)| Some((key.as_deref()?, slug.as_str())))
        .collect();
    let acked = tally.acked.lock().unwrap().clone();
    let found = acked
        .iter()
        .filter(|(key, slug)| by_key.get(key.as_str()) == Some(&slug.as_str()))
        .count();
    let mut targets: HashMap<&str, usize> = HashMap::new();
    for (_, target, _) in &rows {
        *targets.entry(target).or_default() += 1;
    }
    let duplicates: usize = targets.values().map(|n| n - 1).sum();
    let slugs: HashSet<&str> = acked.iter().map(|(_, slug)| slug.as_str()).collect();
    for (slot, heard) in slots.iter().zip(&heard) {
        let waiting = async {
            loop {
                let news = heard.news.notified();
                if slugs.iter().all(|s| heard.slugs.lock().unwrap().contains(*s)) {
                    return;
                }
                news.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), waiting)
            .await
            .is_err()
        {
            let seen = heard.slugs.lock().unwrap();
            let missed: Vec<_> = slugs.iter().filter(|s| !seen.contains(**s)).collect();
            panic!(
                "the feed of the instance on {} missed {} links: {missed:?}",
                slot.port,
                missed.len()
            );
        }
    }
    println!("ok");
    println!(
        "acknowledged writes: {}, found in the database: {found}, duplicates: {duplicates}, \
         rows: {}, 503s while the database was away: {}, failed requests: {}, \
         feeds that told of every link: {}/{}",
        acked.len(),
        rows.len(),
        tally.unavailable.load(Ordering::SeqCst),
        failures.len(),
        heard.len(),
        slots.len(),
    );
    assert_eq!(
        found,
        acked.len(),
        "acknowledged writes missing from the database"
    );
    assert_eq!(duplicates, 0, "a write made two links");
    for slot in &mut slots {
        slot.stop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
