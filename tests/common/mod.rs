//! A real server on 127.0.0.1:0 for each test, and a real HTTP client.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use serde_json::Value;

/// A running app.
pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
}

/// Serves `app` on a free port for the rest of the test.
pub async fn serve(app: pico::App) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app
        .into_router()
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub async fn read(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        Answer {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_owned(),
            content_type: headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            headers,
            text: response.text().await.unwrap(),
        }
    }

    /// The body as JSON; fails the test when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// Asserts the standard error body, its `request_id` the one of the
    /// `X-Request-Id` header, and returns its message.
    pub fn error(&self, code: u16, name: &str) -> String {
        assert_eq!(self.status, code, "{self:?}");
        assert_eq!(self.content_type, "application/json", "{self:?}");
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["name"], name, "{body}");
        assert_eq!(body["request_id"], self.request_id(), "{body}");
        body["message"].as_str().expect("a message").to_owned()
    }

    /// The answer's `X-Request-Id`; fails the test when there is none.
    pub fn request_id(&self) -> &str {
        self.headers
            .get("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id: {self:?}"))
            .to_str()
            .unwrap()
    }

    /// `body`, a standard error body written out, as this answer's: with
    /// its request id as the last key.
    pub fn with_id(&self, body: &str) -> String {
        let open = body.strip_suffix('}').expect("a JSON object");
        format!(r#"{open},"request_id":"{}"}}"#, self.request_id())
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Answer {
        Answer::read(self.client.get(self.url(path)).send().await.unwrap()).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Answer {
        Answer::read(self.client.post(self.url(path)).json(body).send().await.unwrap()).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        Answer::read(self.client.post(self.url(path)).form(form).send().await.unwrap()).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Answer {
        let request = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        Answer::read(request.send().await.unwrap()).await
    }

    /// Sends `request` as written and returns the whole raw answer: the
    /// status line as it was on the wire, headers and body.
    pub async fn raw(&self, request: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.base.trim_start_matches("http://"))
            .await
            .unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        String::from_utf8(answer).unwrap()
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        Answer::read(request.send().await.unwrap()).await
    }
}

/// A test that needs a tool or service which is not here: under CI (where
/// the test command installs everything) that is a failure; elsewhere the
/// test is skipped, loudly.
pub fn missing(what: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} is missing: scripts/test-all installs it"
    );
    // Straight to the file descriptor: the test harness captures
    // `eprintln!`, and this must be seen.
    let message = format!("\n*** SKIPPED: {what} is missing (scripts/test-all installs it) ***\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
}

/// Runs `program` with `args` to its end and returns what it printed;
/// fails the test, with its output, when it fails.
pub async fn run_to_success(program: &str, args: &[&std::ffi::OsStr]) -> String {
    run_to_success_in(std::path::Path::new("."), program, args).await
}

/// [`run_to_success`] in `dir`, for a tool that leaves caches where it runs.
pub async fn run_to_success_in(dir: &std::path::Path, program: &str, args: &[&std::ffi::OsStr]) -> String {
    run_to_success_with(dir, &[], program, args).await
}

/// [`run_to_success_in`] with `env` set, for a tool that runs others by
/// name from its `PATH`.
pub async fn run_to_success_with(
    dir: &std::path::Path,
    env: &[(&str, &std::ffi::OsStr)],
    program: &str,
    args: &[&std::ffi::OsStr],
) -> String {
    let output = tokio::process::Command::new(program)
        .current_dir(dir)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{program} failed:\n{stdout}\n{stderr}");
    stdout
}

/// A child process's stderr, read line by line on a thread of its own (so
/// the pipe never fills), for a test to wait on the line that says the
/// child is ready.
pub struct StderrLines {
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

impl StderrLines {
    /// Takes `child`'s stderr, which must be piped.
    pub fn of(child: &mut std::process::Child) -> StderrLines {
        let stderr = child.stderr.take().expect("a piped stderr");
        let (send, lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
                let Ok(line) = line else { return };
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        StderrLines {
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits, for at most 20 seconds, for a line containing `needle`;
    /// fails the test with every line seen when none comes.
    pub async fn wait_for(&mut self, needle: &str) {
        let found = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            while let Some(line) = self.lines.recv().await {
                let found = line.contains(needle);
                self.seen.push(line);
                if found {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(
            found == Ok(true),
            "no line with {needle:?} on stderr; it said:\n{}",
            self.seen.join("\n")
        );
    }
}

/// `pico::Server` (as `server` is set) serving `app` on a free port until
/// the returned `Notify` is notified: the base URL, the stop, and the
/// server's task, which ends once it has drained and run its stop hooks.
/// Reads one answer off a kept-alive connection: its head and its body
/// (of its `Content-Length`) as they were on the wire, and not a byte
/// more, so that the next answer is left for the next read.
pub async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        match stream.read_u8().await {
            Ok(byte) => answer.push(byte),
            Err(e) => panic!("closed ({e}) after {:?}", String::from_utf8_lossy(&answer)),
        }
    }
    let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .expect("a Content-Length")
        .trim()
        .parse()
        .unwrap();
    let start = answer.len();
    answer.resize(start + length, 0);
    stream.read_exact(&mut answer[start..]).await.unwrap();
    String::from_utf8(answer).unwrap()
}

pub async fn serve_until_stopped(
    server: pico::Server,
    app: pico::App,
) -> (
    String,
    std::sync::Arc<tokio::sync::Notify>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = std::sync::Arc::new(tokio::sync::Notify::new());
    let stopping = stop.clone();
    let task = tokio::spawn(async move {
        server
            .serve_on(listener, app, async move { stopping.notified().await })
            .await
    });
    (base, stop, task)
}

/// Waits, for at most 30 seconds, until `check` holds: for what another
/// process (a scraper) or the server's own side (a client gone) learns in
/// its own time, with nothing to wait on but asking again. Each ask is a
/// round trip to a server, which paces the asking.
pub async fn eventually<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    eventually_some(|| {
        let asked = check();
        async move { asked.await.then_some(()) }
    })
    .await;
}

/// [`eventually`] for a value: the first `Some` that `ask` gives.
pub async fn eventually_some<T, F, Fut>(mut ask: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(value) = ask().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "still not so after 30 s");
        tokio::task::yield_now().await;
    }
}

/// `app` under `server` (the app's own loop, with short limits), and a way
/// to stop it.
pub async fn own_server(
    server: pico::Server,
    app: pico::App,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_on(listener, app, async {
        let _ = stopped.await;
    }));
    (address, stop)
}

/// Reads until the server closes the connection; the outer timeout only
/// bounds a test that would otherwise hang.
pub async fn read_to_close(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let read = tokio::io::AsyncReadExt::read_to_end(stream, &mut all);
    tokio::time::timeout(std::time::Duration::from_secs(20), read)
        .await
        .expect("the server closes the connection")
        .unwrap_or_default();
    all
}
