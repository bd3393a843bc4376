//! Clients that ask for a large answer and never read it, over real
//! sockets against the app's own server: each costs a small window of
//! memory, not the whole answer; a fresh client is answered meanwhile; and
//! each is cut once it has taken nothing for the idle time. Alone in its
//! binary, as it measures this process's resident memory and listens to
//! the server's events.

use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tracing_subscriber::layer::SubscriberExt;

#[pico::api]
mod files {
    #[expose]
    fn ping() -> &'static str {
        "pong"
    }

    /// An answer in pieces, each handed over as soon as asked for.
    #[expose]
    #[stream]
    fn pieces() -> impl futures_util::Stream<Item = String> {
        futures_util::stream::iter((0..super::PIECES).map(|_| "x".repeat(super::PIECE)))
    }
}

const PIECES: usize = 64;
const PIECE: usize = 64 * 1024;

const SLOW_READERS: usize = 500;
const FILE_SIZE: usize = 8 * 1024 * 1024;
const IDLE: Duration = Duration::from_secs(3);
const H2_READERS: usize = 20;

/// Tells the test each time the server cuts a stalled connection.
struct Cuts(Mutex<mpsc::UnboundedSender<()>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Cuts {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(bool);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    let text = format!("{value:?}");
                    self.0 = text.starts_with("closing the connection") && text.ends_with("Stalled");
                }
            }
        }
        let mut message = Message(false);
        event.record(&mut message);
        if message.0 {
            let _ = self.0.lock().unwrap().send(());
        }
    }
}

fn resident() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<usize>().unwrap() * 1024
}

/// A client that asks for the file with a receive window of 2 KiB and
/// reads only the start of the answer's head.
async fn slow_reader(port: u16) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let mut stream = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_readers_cost_a_window_each_and_are_cut_at_the_idle_time() {
    let (cut, mut cuts) = mpsc::unbounded_channel();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::Targets::new().with_target("pico", tracing::Level::DEBUG))
        .with(Cuts(Mutex::new(cut)));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let dir = std::env::temp_dir().join(format!("pico-slow-readers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("big.bin"), vec![b'x'; FILE_SIZE]).unwrap();
    let app = pico::App::new().register(files::module()).static_files(&dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = pico::Server::new().idle_timeout(IDLE);
    tokio::spawn(server.serve_on(listener, app, std::future::pending()));

    let before = resident();
    let mut readers = Vec::new();
    for _ in 0..SLOW_READERS {
        readers.push(slow_reader(port).await);
    }
    let held = resident().saturating_sub(before);
    eprintln!(
        "{SLOW_READERS} slow readers of an {FILE_SIZE}-byte file: {held} bytes resident ({} per reader)",
        held / SLOW_READERS
    );
    // hyper alone would queue up to 1 MiB of each answer.
    assert!(
        held < SLOW_READERS * 256 * 1024,
        "{held} bytes for {SLOW_READERS} slow readers"
    );

    let fresh = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/files/ping"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("a fresh client is answered while the slow readers hold");
    assert_eq!(fresh.status(), 200);
    // A client that reads takes the whole file through the same window:
    // each write the client takes lets the answer hand over more.
    let whole = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/big.bin"))
        .timeout(IDLE * 4)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .expect("a client that reads is sent the whole file");
    assert_eq!(whole.len(), FILE_SIZE);
    // And a stream: its pieces wait while the window is full, and each
    // write the client takes wakes them.
    let events = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/files/pieces"))
        .timeout(IDLE * 4)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .expect("a client that reads is sent the whole stream");
    let piece = format!("data: \"{}\"", "x".repeat(PIECE));
    assert_eq!(events.lines().filter(|line| *line == piece).count(), PIECES);

    // Every stalled connection is cut, within the idle time and a quarter.
    let deadline = IDLE * 3;
    for n in 0..SLOW_READERS {
        tokio::time::timeout(deadline, cuts.recv())
            .await
            .unwrap_or_else(|_| panic!("only {n} of {SLOW_READERS} slow readers were cut after {deadline:?}"))
            .unwrap();
    }
    // Over HTTP/2 a client that does not read closes its flow-control
    // window, and nothing is even tried on the socket: still cut.
    let mut h2_readers = Vec::new();
    for _ in 0..H2_READERS {
        let client = reqwest::Client::builder()
            .http2_prior_knowledge()
            .http2_initial_stream_window_size(2048)
            .http2_initial_connection_window_size(2048)
            .build()
            .unwrap();
        let response = client
            .get(format!("http://127.0.0.1:{port}/big.bin"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.version(), reqwest::Version::HTTP_2);
        h2_readers.push((client, response));
    }
    for n in 0..H2_READERS {
        tokio::time::timeout(deadline, cuts.recv())
            .await
            .unwrap_or_else(|_| {
                panic!("only {n} of {H2_READERS} HTTP/2 slow readers were cut after {deadline:?}")
            })
            .unwrap();
    }
    let (_, response) = h2_readers.pop().unwrap();
    let mut body = std::pin::pin!(response.bytes_stream());
    let mut total = 0;
    let cut = loop {
        match futures_util::StreamExt::next(&mut body).await {
            Some(Ok(chunk)) => total += chunk.len(),
            Some(Err(_)) => break true,
            None => break false,
        }
    };
    assert!(
        cut && total < FILE_SIZE,
        "{total} bytes reached an HTTP/2 reader that was cut"
    );

    // Cut, not finished: what reaches a reader now is what was in flight.
    let mut received = vec![0; FILE_SIZE];
    let mut reader = readers.pop().unwrap();
    let mut total = 0;
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(5), reader.read(&mut received)).await {
        if n == 0 {
            break;
        }
        total += n;
    }
    assert!(
        total < FILE_SIZE / 2,
        "{total} bytes reached a reader that was cut"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
