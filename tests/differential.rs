//! The same requests to the original pico 2.0.5, under gunicorn, serving
//! `tests/differential/diffapp.py`, and to Pico for Rust serving its twin
//! below: the statuses, content types and bodies must be the same, but for
//! the deliberate differences of `DIFFERENCES`, which must still differ
//! (the guide quotes the list in `book/src/differences.md`). Hosts and ports in URLs are the one thing
//! set aside everywhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

/// The module both servers serve in the differential test
/// (`tests/differential.rs`): the original pico 2.0.5 this one, under gunicorn
/// (`gunicorn --chdir tests/differential diffapp:app`); Pico for Rust its twin
/// in Rust.
#[pico::api]
mod diffapp {
    use pico::{HttpError, Upload};
    use serde_json::Value;

    /// Says hello.
    #[expose]
    fn hello(#[default("world")] who: String) -> String {
        format!("Hello {who}")
    }

    #[expose]
    fn multiply(x: i64, y: i64) -> i64 {
        x * y
    }

    #[expose]
    fn echo(value: Value) -> Value {
        value
    }

    #[expose]
    fn fail() -> String {
        panic!("fail")
    }

    #[expose]
    fn missing() -> Result<(), HttpError> {
        Err(HttpError::not_found())
    }

    #[expose]
    fn forbidden() -> Result<(), HttpError> {
        Err(HttpError::forbidden())
    }

    #[expose]
    fn upload(upload: Upload) -> String {
        String::from_utf8_lossy(&upload.data).into_owned()
    }

    #[expose]
    #[stream]
    fn countdown(#[default(3)] n: u32) -> impl Iterator<Item = u32> {
        (0..n).rev()
    }
}

include!("differential/differences.rs");

/// Every error body of Pico carries the request's id, which the original's
/// do not; it is the one key set aside in error bodies.
const ADDED_TO_ERRORS: &str = "request_id";

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<(&'static str, Vec<u8>)>,
}

fn get(name: &'static str, path: &'static str) -> Case {
    Case {
        name,
        method: "GET",
        path,
        body: None,
    }
}

fn post(name: &'static str, path: &'static str, content_type: &'static str, body: &[u8]) -> Case {
    Case {
        name,
        method: "POST",
        path,
        body: Some((content_type, body.to_vec())),
    }
}

fn cases() -> Vec<Case> {
    let multipart = b"--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"f.txt\"\r\n\
                      Content-Type: text/plain\r\n\r\nsome file contents\r\n--b--\r\n";
    vec![
        get("a default", "/diffapp/hello"),
        get("a query argument", "/diffapp/hello?who=Bob"),
        post(
            "a form argument",
            "/diffapp/hello",
            "application/x-www-form-urlencoded",
            b"who=Bob",
        ),
        post(
            "a JSON body",
            "/diffapp/hello",
            "application/json",
            br#"{"who": "Bob"}"#,
        ),
        get("numbers from the query", "/diffapp/multiply?x=6&y=7"),
        post(
            "numbers from a JSON body",
            "/diffapp/multiply",
            "application/json",
            br#"{"x": -6, "y": 7}"#,
        ),
        get("a missing argument", "/diffapp/multiply?x=6"),
        get("an unexpected argument", "/diffapp/hello?who=a&extra=1"),
        get("a JSON list in the query", "/diffapp/echo?value=%5B1%2C2%5D"),
        get(
            "a JSON object in the query",
            "/diffapp/echo?value=%7B%22a%22%3A%201%7D",
        ),
        get("a word in the query", "/diffapp/echo?value=abc"),
        get("a float in the query", "/diffapp/echo?value=3.5"),
        get("null in the query", "/diffapp/echo?value=null"),
        post(
            "nested JSON",
            "/diffapp/echo",
            "application/json",
            br#"{"value": {"list": [1, "two", null, true], "nested": {"x": 1.5}}}"#,
        ),
        get("a panic", "/diffapp/fail"),
        get("a 404 raised", "/diffapp/missing"),
        get("a 403 raised", "/diffapp/forbidden"),
        get("an unknown path", "/nowhere"),
        get("an unknown function", "/diffapp/nowhere"),
        get("a string where an integer is wanted", "/diffapp/multiply?x=a&y=3"),
        post(
            "an upload",
            "/diffapp/upload",
            "multipart/form-data; boundary=b",
            multipart,
        ),
        get("a GET to a function that takes a file", "/diffapp/upload"),
        post(
            "a body in a media type neither reads",
            "/diffapp/hello",
            "text/plain",
            b"who=Bob",
        ),
        get("a stream", "/diffapp/countdown"),
        get("a stream with an argument", "/diffapp/countdown?n=5"),
        get("a JSONP call", "/diffapp/hello?_callback=f"),
        get("the module's definition", "/diffapp"),
    ]
}

/// One server's answer, set up to be compared.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    content_type: String,
    body: Body,
}

#[derive(Debug, PartialEq)]
enum Body {
    Json(Value),
    Text(String),
}

impl Seen {
    /// What of this answer differs from `other`, each part as this one has it.
    fn differing(&self, other: &Seen) -> Vec<String> {
        let mut parts = Vec::new();
        if self.status != other.status {
            parts.push(format!("status {}", self.status));
        }
        if self.content_type != other.content_type {
            parts.push(format!("content type {:?}", self.content_type));
        }
        match (&self.body, &other.body) {
            (Body::Json(a), Body::Json(b)) => json_differences(a, b, "body", &mut parts),
            (a, b) if a != b => parts.push(format!("body {a:?}")),
            _ => {}
        }
        parts
    }
}

/// The paths at which `a` differs from `b`, with `a`'s value there.
fn json_differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                json_differences(
                    value,
                    y.get(key).unwrap_or(&Value::Null),
                    &format!("{path}.{key}"),
                    out,
                );
            }
            for key in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}.{key} absent"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                json_differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a != b => out.push(format!("{path} = {a}")),
        _ => {}
    }
}

/// The answer, and whether it says `X-Content-Type-Options: nosniff`.
async fn ask(client: &reqwest::Client, base: &str, case: &Case) -> (Seen, bool) {
    let url = format!("{base}{}", case.path);
    let request = match &case.body {
        None => client.get(&url),
        Some((content_type, body)) => client
            .request(case.method.parse().unwrap(), &url)
            .header("content-type", *content_type)
            .body(body.clone()),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let content_type = header("content-type");
    let nosniff = header("x-content-type-options") == "nosniff";
    // Each server's own address, which its URLs carry.
    let host = base.trim_start_matches("http://");
    let text = response.text().await.unwrap().replace(host, "HOST");
    let body = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut object)) if status >= 400 => {
            object.remove(ADDED_TO_ERRORS);
            Body::Json(Value::Object(object))
        }
        Ok(json) if content_type.starts_with("application/json") => Body::Json(json),
        _ => Body::Text(text),
    };
    let seen = Seen {
        status,
        content_type,
        body,
    };
    (seen, nosniff)
}

/// The original under gunicorn, stopped when dropped.
struct Original {
    child: std::process::Child,
    base: String,
    /// Read for as long as gunicorn runs, so that the pipe never fills.
    stderr: common::StderrLines,
}

impl Original {
    async fn start() -> Option<Original> {
        let python = std::env::var_os("PICO_PYTHON").map(PathBuf::from)?;
        let gunicorn = python.parent()?.join("gunicorn");
        if !gunicorn.exists() {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new(gunicorn)
            .args(["--workers", "1", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--chdir")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential"))
            .arg("diffapp:app")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = common::StderrLines::of(&mut child);
        // Stopped when dropped, also if it never gets ready.
        let mut original = Original {
            child,
            base: format!("http://127.0.0.1:{port}"),
            stderr,
        };
        // gunicorn's master says so once it has bound its socket.
        original.stderr.wait_for("Listening at").await;
        Some(original)
    }
}

impl Drop for Original {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_original_and_pico_for_rust_answer_alike() {
    let Some(original) = Original::start().await else {
        common::missing("gunicorn with pico 2.0.5 (PICO_PYTHON)");
        return;
    };
    // JSONP on, as the original has it.
    let ours = common::serve(pico::App::new().jsonp(true).register(diffapp::module())).await;
    let client = reqwest::Client::new();
    let mut unexpected = Vec::new();
    for case in cases() {
        let (theirs, _) = ask(&client, &original.base, &case).await;
        let (mine, nosniff) = ask(&client, &ours.base, &case).await;
        if !nosniff {
            unexpected.push(format!("{}: answered without nosniff", case.name));
        }
        let deliberate = DIFFERENCES.iter().any(|(name, _)| *name == case.name);
        match (theirs == mine, deliberate) {
            (true, false) | (false, true) => {}
            (false, false) => unexpected.push(format!(
                "{}: {} {}\n  original: {}\n  ours:     {}",
                case.name,
                case.method,
                case.path,
                theirs.differing(&mine).join("; "),
                mine.differing(&theirs).join("; "),
            )),
            (true, true) => unexpected.push(format!(
                "{}: listed as a deliberate difference, but the answers are the same",
                case.name
            )),
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}
