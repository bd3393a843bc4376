//! Hostile input and faults over real HTTP: each answer is the standard JSON
//! (never with `__debug__`, debug being off), and the server keeps serving.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Answer, Server, serve};
use serde_json::json;

#[pico::api]
mod target {
    use std::sync::atomic::Ordering;

    use pico::Request;
    use serde::Serialize;

    #[expose]
    fn echo(value: serde_json::Value) -> serde_json::Value {
        value
    }

    #[expose]
    fn multiply(x: i64, y: i64) -> i64 {
        x.wrapping_mul(y)
    }

    #[expose]
    fn sizes(a: Option<u64>, f: Option<f64>, s: Option<u8>) -> (Option<u64>, Option<f64>, Option<u8>) {
        (a, f, s)
    }

    #[expose]
    #[request_args(auth = pico::basic_auth())]
    fn who(auth: Option<(String, String)>) -> Option<String> {
        auth.map(|(user, _)| user)
    }

    #[expose]
    #[request_args(req)]
    fn header(req: Request) -> Option<String> {
        req.header("x-echo").map(str::to_owned)
    }

    struct Bomb;

    impl Serialize for Bomb {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("the serialiser exploded")
        }
    }

    #[expose]
    fn broken() -> std::io::Result<u32> {
        Err(std::io::Error::other("the disk at /srv/secret is full"))
    }

    #[expose]
    fn bomb() -> Bomb {
        Bomb
    }

    /// Counts itself alive while it waits, so that a test can see it
    /// dropped when its client goes away.
    #[expose]
    async fn wait(ms: u64) -> u64 {
        struct Alive;
        impl Drop for Alive {
            fn drop(&mut self) {
                super::ALIVE.fetch_sub(1, Ordering::SeqCst);
                super::ALIVE_CHANGED.notify_waiters();
            }
        }
        super::ALIVE.fetch_add(1, Ordering::SeqCst);
        super::ALIVE_CHANGED.notify_waiters();
        let _alive = Alive;
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        ms
    }
}

static ALIVE: AtomicUsize = AtomicUsize::new(0);
/// Told each time `ALIVE` changes.
static ALIVE_CHANGED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Waits until `ALIVE` is `wanted`, for at most 10 seconds.
async fn alive_becomes(wanted: usize) {
    let waiting = async {
        loop {
            let changed = ALIVE_CHANGED.notified();
            if ALIVE.load(Ordering::SeqCst) == wanted {
                return;
            }
            changed.await;
        }
    };
    let waited = tokio::time::timeout(Duration::from_secs(10), waiting).await;
    assert!(
        waited.is_ok(),
        "{} handlers alive, not {wanted}",
        ALIVE.load(Ordering::SeqCst)
    );
}

/// Every raw answer the tests look at passes here: debug being off, none
/// may carry `__debug__`.
fn seen(text: &str) {
    assert!(
        !text.contains("__debug__"),
        "debug details with debug off: {text}"
    );
}

async fn server() -> Server {
    let dir = static_dir();
    serve(
        pico::App::new()
            .debug(false)
            .register(target::module())
            .static_files(dir),
    )
    .await
}

/// `public/hello.txt` to serve, beside a `secret.txt` that must stay out of
/// reach.
fn static_dir() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-static");
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("public/hello.txt"), "hello").unwrap();
    std::fs::write(root.join("secret.txt"), "the secret").unwrap();
    root.join("public")
}

/// The answer is the standard JSON error body with this status.
fn standard(a: &Answer, code: u16) {
    seen(&a.text);
    assert_eq!(a.status, code, "{a:?}");
    assert_eq!(a.content_type, "application/json", "{a:?}");
    let body = a.json();
    assert_eq!(body["code"], code);
    assert!(body["name"].is_string() && body["message"].is_string(), "{body}");
}

async fn still_serving(s: &Server) {
    let a = s.get("/target/multiply?x=6&y=7").await;
    seen(&a.text);
    assert_eq!(a.text, "42");
}

#[tokio::test]
async fn json_nested_100000_deep_is_a_400_not_a_stack_overflow() {
    let s = server().await;
    let deep = format!("{{\"value\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let a = s.post_raw("/target/echo", "application/json", deep).await;
    standard(&a, 400);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    standard(&s.post_raw("/target/echo", "application/json", deep).await, 400);
    let deep = format!("value={}{}", "%5B".repeat(100_000), "%5D".repeat(100_000));
    let a = s
        .post_raw("/target/echo", "application/x-www-form-urlencoded", deep)
        .await;
    // Not JSON within the recursion limit, so the plain string.
    assert_eq!(a.status, 200);
    still_serving(&s).await;
}

#[tokio::test]
async fn bodies_that_are_not_objects_or_not_json() {
    let s = server().await;
    for body in [
        "[1]",
        "\"x\"",
        "null",
        "{\"x\": ",
        "{\"x\" 1}",
        "\u{feff}{}",
        "{'x': 1}",
    ] {
        standard(
            &s.post_raw("/target/multiply", "application/json", body).await,
            400,
        );
    }
    still_serving(&s).await;
}

#[tokio::test]
async fn invalid_utf8_in_the_path_query_form_and_body() {
    let s = server().await;
    standard(&s.get("/target/%FF%FE").await, 404);
    standard(&s.get("/target/echo?value=%FF").await, 400);
    standard(&s.get("/target/echo?%FF=1").await, 400);
    standard(
        &s.post_raw(
            "/target/echo",
            "application/x-www-form-urlencoded",
            "value=%C3%28",
        )
        .await,
        400,
    );
    standard(
        &s.post_raw(
            "/target/echo",
            "application/json",
            &b"{\"value\": \"\xff\xfe\"}"[..],
        )
        .await,
        400,
    );
    let multipart = b"--B\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n\xff\xfe\r\n--B--\r\n";
    standard(
        &s.post_raw("/target/echo", "multipart/form-data; boundary=B", &multipart[..])
            .await,
        400,
    );
    still_serving(&s).await;
}

#[tokio::test]
async fn a_wrong_or_missing_content_type_is_a_415_with_the_body_unread() {
    let s = server().await;
    let a = s.post_raw("/target/multiply", "text/plain", "x=6&y=7").await;
    standard(&a, 415);
    let request = s
        .client
        .post(s.url("/target/multiply"))
        .body("{\"x\": 6, \"y\": 7}");
    standard(&s.send(request).await, 415);
    let a = s
        .post_raw("/target/multiply", "application/jsonx; charset=utf-8", "{}")
        .await;
    standard(&a, 415);
    still_serving(&s).await;
}

#[tokio::test]
async fn hostile_multipart_bodies() {
    let s = server().await;
    let broken = "--XYZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n6\r\n--WRONG--\r\n";
    standard(
        &s.post_raw("/target/multiply", "multipart/form-data; boundary=XYZ", broken)
            .await,
        400,
    );
    let unclosed = "--XYZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n6";
    standard(
        &s.post_raw("/target/multiply", "multipart/form-data; boundary=XYZ", unclosed)
            .await,
        400,
    );
    standard(
        &s.post_raw("/target/multiply", "multipart/form-data; boundary=\"\"", "x")
            .await,
        400,
    );
    let mut huge = b"--XYZ\r\nContent-Disposition: form-data; name=\"x\"; filename=\"f\"\r\n\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 17 * 1024 * 1024));
    huge.extend(b"\r\n--XYZ--\r\n");
    standard(
        &s.post_raw("/target/multiply", "multipart/form-data; boundary=XYZ", huge)
            .await,
        413,
    );
    let mut many = String::new();
    for i in 0..5000 {
        many.push_str(&format!(
            "--XYZ\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\n{i}\r\n"
        ));
    }
    many.push_str("--XYZ--\r\n");
    let a = s
        .post_raw("/target/multiply", "multipart/form-data; boundary=XYZ", many)
        .await;
    standard(&a, 400);
    assert!(
        a.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Too many parameters"),
        "{}",
        a.text
    );
    still_serving(&s).await;
}

#[tokio::test]
async fn a_hundred_thousand_parameters_are_refused() {
    let s = server().await;
    // Over the app's bounds within what a URL can hold (64 KiB): too many
    // values, and too many names.
    for query in [
        "a=1&".repeat(10_001),
        (0..1_001).map(|i| format!("k{i}=&")).collect(),
    ] {
        let a = s.get(&format!("/target/multiply?{query}")).await;
        standard(&a, 400);
        assert!(
            a.json()["message"]
                .as_str()
                .unwrap()
                .starts_with("Too many parameters")
        );
    }
    // 100,000 in a form body.
    let form: String = (0..100_000).map(|i| format!("k{i}=1&")).collect();
    let a = s
        .post_raw("/target/multiply", "application/x-www-form-urlencoded", form)
        .await;
    standard(&a, 400);
    let a = s
        .post_raw(
            "/target/multiply",
            "application/x-www-form-urlencoded",
            "x=1&".repeat(100_000),
        )
        .await;
    standard(&a, 400);
    // 100,000 in a URL is longer than any URL can be: the HTTP layer
    // refuses it before the app sees it, and the server goes on.
    let query: String = (0..100_000).map(|i| format!("k{i}=1&")).collect();
    let answer = s
        .raw(&format!(
            "GET /target/multiply?{query} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        ))
        .await;
    assert!(
        answer.starts_with("HTTP/1.1 414") || answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(100)]
    );
    still_serving(&s).await;
}

#[tokio::test]
async fn bodies_over_the_limit_declared_or_not() {
    let s = serve(pico::App::new().body_limit(1000).register(target::module())).await;
    standard(
        &s.post_raw("/target/echo", "application/json", "x".repeat(2000))
            .await,
        413,
    );
    // An absurd length is refused before anything is read.
    let answer = s
        .raw("POST /target/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000000000000000\r\nConnection: close\r\n\r\n{}")
        .await;
    assert!(
        answer.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{answer}"
    );
    assert!(answer.contains("\"code\":413"), "{answer}");
    // A length that lies short: the app reads what was declared.
    let answer = s
        .raw("POST /target/multiply HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{\"x\": 6, \"y\": 7}")
        .await;
    assert!(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{answer}");
    assert!(answer.contains("The JSON body is malformed"), "{answer}");
}

#[tokio::test]
async fn numbers_beyond_their_types() {
    let s = server().await;
    for query in ["a=18446744073709551616", "a=-1", "f=1e400", "s=256", "a=1.5"] {
        let a = s.get(&format!("/target/sizes?{query}")).await;
        standard(&a, 400);
        assert!(
            a.json()["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid value for parameter"),
            "{query}: {}",
            a.text
        );
    }
    let a = s
        .post_raw("/target/sizes", "application/json", r#"{"a": 1e999}"#)
        .await;
    standard(&a, 400);
    assert_eq!(
        s.get("/target/sizes?a=18446744073709551615").await.json(),
        json!([18_446_744_073_709_551_615_u64, null, null])
    );
}

/// serde quotes a refused value whole; a megabyte value must not come
/// back as a megabyte message (nor fill a log line).
#[tokio::test]
async fn a_megabyte_value_is_refused_in_a_short_message() {
    let s = server().await;
    let word = "w".repeat(1 << 20);
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", format!("y=1&x={word}")),
        ("application/x-www-form-urlencoded", format!("y=1&x=%22{word}%22")),
        ("application/json", format!(r#"{{"y": 1, "x": "{word}"}}"#)),
    ] {
        let a = s.post_raw("/target/multiply", content_type, body).await;
        standard(&a, 400);
        let message = a.json()["message"].as_str().unwrap().to_owned();
        assert!(message.len() < 400, "{content_type}: {} bytes", message.len());
        assert!(
            message.starts_with("Invalid value for parameter `x`: invalid type: string \"www"),
            "{message}"
        );
        assert!(message.ends_with("expected i64."), "{message}");
    }
    still_serving(&s).await;
}

#[tokio::test]
async fn duplicate_json_keys_take_the_last_value() {
    let s = server().await;
    let a = s
        .post_raw(
            "/target/multiply",
            "application/json",
            r#"{"x": 1, "x": 6, "y": 7}"#,
        )
        .await;
    assert_eq!(a.text, "42");
}

#[tokio::test]
async fn authorization_that_is_not_base64_or_not_utf8() {
    let s = server().await;
    for value in ["Basic !!!notbase64", "Basic", "Basic //79", "Token", "Bearer x"] {
        let a = s
            .send(s.client.get(s.url("/target/who")).header("authorization", value))
            .await;
        seen(&a.text);
        assert_eq!(a.text, "null", "{value}");
    }
    // Bytes that are not UTF-8 in the header itself.
    let answer = s
        .raw(
            "GET /target/who HTTP/1.1\r\nHost: t\r\nAuthorization: Basic \u{ff}\r\nConnection: close\r\n\r\n",
        )
        .await;
    assert!(
        answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("null"),
        "{answer}"
    );
}

#[tokio::test]
async fn echoed_headers_stay_json() {
    let s = server().await;
    let a = s
        .send(
            s.client
                .get(s.url("/target/header"))
                .header("x-echo", "</script><script>alert(1)</script>\""),
        )
        .await;
    assert_eq!(a.json(), json!("</script><script>alert(1)</script>\""));
    // CR/LF inside a header value: refused by the HTTP layer before the app.
    let answer = s
        .raw("GET /target/header HTTP/1.1\r\nHost: t\r\nX-Echo: a\rb\r\nConnection: close\r\n\r\n")
        .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}

#[tokio::test]
async fn static_files_cannot_be_left_by_dot_dot() {
    let s = server().await;
    let a = s.get("/hello.txt").await;
    assert_eq!(a.text, "hello");
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/hello.txt/../../secret.txt",
        "//secret.txt",
        "/%2e%2e%2f%2e%2e%2fetc/passwd",
    ] {
        let answer = s
            .raw(&format!(
                "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            ))
            .await;
        assert!(!answer.contains("the secret"), "{path}: {answer}");
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|_| panic!("{path}: {answer}"));
        assert!(
            body["code"].as_u64().is_some_and(|c| (400..500).contains(&c)),
            "{path}: {answer}"
        );
        seen(body.to_string().as_str());
    }
}

#[tokio::test]
async fn a_panicking_serialiser_is_a_500() {
    let s = server().await;
    standard(&s.get("/target/bomb").await, 500);
    still_serving(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_drops_its_handler() {
    let s = server().await;
    let before = tokio::runtime::Handle::current().metrics().num_alive_tasks();
    let mut clients = Vec::new();
    for _ in 0..20 {
        let url = s.url("/target/wait?ms=60000");
        clients.push(tokio::spawn(async move { reqwest::get(url).await }));
    }
    // The handlers are running...
    alive_becomes(20).await;
    // ...until their clients go away.
    for client in &clients {
        client.abort();
    }
    alive_becomes(0).await;
    // The connections' tasks end as their sockets close; the runtime tells
    // no one, so its count is looked at until it comes down.
    let settled = tokio::time::timeout(Duration::from_secs(10), async {
        while tokio::runtime::Handle::current().metrics().num_alive_tasks() > before + 1 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let after = tokio::runtime::Handle::current().metrics().num_alive_tasks();
    assert!(settled.is_ok(), "tasks before {before}, after {after}");
    still_serving(&s).await;
}

#[tokio::test]
async fn an_internal_error_says_nothing_of_its_insides_with_debug_off() {
    let s = server().await;
    for path in ["/target/bomb", "/target/broken"] {
        let a = s.get(path).await;
        standard(&a, 500);
        let body = a.json();
        assert_eq!(
            body.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["code", "message", "name", "request_id"],
            "{body}"
        );
        assert!(!a.text.contains("/srv/secret"), "{}", a.text);
    }
}
