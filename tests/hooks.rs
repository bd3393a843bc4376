//! App hooks, module prehandles, `protected`, `require_method`, streams and
//! the JSON codec, over real HTTP.

mod common;

use std::sync::atomic::AtomicUsize;

use common::{Server, serve};
use pico::{Args, Failure, HttpError, Request, Response};
use serde_json::{Map, Value, json};

/// Records the order of the steps on the request, under `order`.
fn push(request: &mut Request, step: &str) {
    let mut order: Vec<String> = request.get("order").unwrap_or_default();
    order.push(step.to_owned());
    request.set("order", order);
}

#[pico::api]
mod hooked {
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use futures_util::Stream;
    use pico::{Args, HttpError, Request};

    #[prehandle]
    fn module_prehandle(request: &mut Request, args: &mut Args) -> Result<(), HttpError> {
        super::push(request, "module");
        // The original's use: take a token out of the arguments.
        if let Some(token) = args.remove::<String>("token")? {
            request.set("token_seen", token);
        }
        if request.header("x-fail-in") == Some("module") {
            return Err(HttpError::forbidden().with_message("module prehandle says no"));
        }
        Ok(())
    }

    fn in_order(request: &Request, args: &Args) -> bool {
        if request.header("x-panic-in") == Some("protected") {
            panic!("protected check panicked");
        }
        // The argument check ran first: `x` is there.
        let order: Vec<String> = request.get("order").unwrap_or_default();
        order == ["app", "module"] && args.get::<i64>("x").ok().flatten().is_some()
    }

    #[expose]
    #[protected(in_order)]
    #[request_args(order = "order", token = "token_seen")]
    fn steps(x: i64, order: Vec<String>, token: Option<String>) -> (i64, Vec<String>, Option<String>) {
        (x, order, token)
    }

    fn never(_: &Request, _: &Args) -> bool {
        false
    }

    fn admins_only(request: &Request, _: &Args) -> Result<(), HttpError> {
        match request.token() {
            Some("admin") => Ok(()),
            _ => Err(HttpError::unauthorized().with_message("admins only")),
        }
    }

    #[expose]
    #[protected(never)]
    pub(super) fn closed() -> bool {
        true
    }

    #[expose]
    #[protected(admins_only)]
    pub(super) fn admin() -> &'static str {
        "welcome"
    }

    #[expose]
    #[require_method(POST)]
    pub(super) fn post_only() -> bool {
        true
    }

    /// Calls `post_only` directly: decorators do nothing then.
    #[expose]
    fn not_post_only() -> bool {
        post_only()
    }

    #[expose]
    #[require_method(PUT)]
    fn put_only() -> &'static str {
        "put"
    }

    #[expose]
    #[require_method(GET)]
    fn get_only() -> &'static str {
        "got"
    }

    #[expose]
    fn fail() -> String {
        panic!("handler panicked")
    }

    fn exploding(_: &Request) -> Result<String, HttpError> {
        panic!("request function panicked")
    }

    #[expose]
    #[request_args(value = exploding)]
    fn explodes(value: String) -> String {
        value
    }

    #[expose]
    #[request_args(req)]
    fn whole_request(req: Request, x: i64) -> (String, String, i64) {
        (req.method().to_string(), req.path().to_owned(), x)
    }

    #[expose]
    #[request_args(method = method, path = path, agent = user_agent, token = token, cookies = cookies)]
    fn attributes(
        method: String,
        path: String,
        agent: Option<String>,
        token: Option<String>,
        cookies: std::collections::HashMap<String, String>,
    ) -> (String, String, Option<String>, Option<String>, usize) {
        (method, path, agent, token, cookies.len())
    }

    #[expose]
    #[stream]
    pub(super) fn numbers(n: u32) -> Vec<u32> {
        (0..n).collect()
    }

    #[expose]
    #[stream]
    fn fails_midway() -> Vec<Result<u32, HttpError>> {
        vec![
            Ok(1),
            Ok(2),
            Err(HttpError::conflict().with_message("two is enough\nreally")),
            Ok(3),
        ]
    }

    #[expose]
    #[stream]
    fn panics_midway() -> impl Iterator<Item = u32> {
        (1..5).map(|i| if i == 3 { panic!("three!") } else { i })
    }

    /// Ticks for ever, and says when it is dropped.
    #[expose]
    #[stream]
    fn ticks() -> impl Stream<Item = usize> {
        struct Producer;
        impl Drop for Producer {
            fn drop(&mut self) {
                super::TICKS_DROPPED.notify_one();
            }
        }
        futures_util::stream::unfold(Producer, |producer| async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Some((super::TICKS.fetch_add(1, Ordering::SeqCst), producer))
        })
    }

    #[expose]
    #[stream]
    pub(super) fn refuses() -> Result<Vec<u32>, HttpError> {
        Err(HttpError::forbidden())
    }

    #[expose]
    #[set_cookie(
        path = "/app",
        domain = "example.com",
        max_age = 60,
        secure,
        http_only = false,
        same_site = "Strict"
    )]
    fn remember(value: String) -> std::collections::HashMap<&'static str, String> {
        std::collections::HashMap::from([("pref", value)])
    }

    #[expose]
    #[delete_cookie("pref", "other", path = "/app")]
    fn forget() -> &'static str {
        "forgotten"
    }
}

static TICKS: AtomicUsize = AtomicUsize::new(0);
/// Told when the `ticks` producer is dropped (a permit kept until awaited).
static TICKS_DROPPED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Hooks that leave their marks, and can be asked to panic.
struct Marks;

impl pico::Hooks for Marks {
    fn prehandle(&self, request: &mut Request, args: &mut Args) -> Result<(), Failure> {
        push(request, "app");
        if request.header("x-panic-in") == Some("prehandle") {
            panic!("prehandle panicked");
        }
        if request.header("x-fail-in") == Some("app") {
            return Err(HttpError::payment_required().into());
        }
        args.insert("_seen_by_app", true);
        Ok(())
    }

    fn posthandle(&self, request: &Request, response: &mut Response) {
        if request.header("x-panic-in") == Some("posthandle") {
            panic!("posthandle panicked");
        }
        let status = response.status().as_u16().to_string();
        response
            .headers_mut()
            .insert("x-posthandle", status.parse().unwrap());
    }

    fn handle_exception(
        &self,
        failure: &Failure,
        request: &Request,
        mut extra: Map<String, Value>,
    ) -> Response {
        if request.header("x-panic-in") == Some("handle_exception") {
            panic!("handle_exception panicked");
        }
        extra.insert("path".to_owned(), json!(request.path()));
        extra.insert(
            "kind".to_owned(),
            json!(if failure.is_panic() {
                "panic"
            } else {
                failure.name()
            }),
        );
        failure.to_response(request, &extra)
    }
}

async fn server() -> Server {
    serve(pico::App::new().hooks(Marks).register(hooked::module())).await
}

#[tokio::test]
async fn hooks_run_in_order_and_prehandles_change_requests_and_arguments() {
    let s = server().await;
    let a = s.get("/hooked/steps?x=1&token=abc").await;
    assert_eq!(a.json(), json!([1, ["app", "module"], "abc"]));
    assert_eq!(a.headers["x-posthandle"], "200");
    // The argument check comes before the protected check: 400, not 403.
    let message = s.get("/hooked/steps").await.error(400, "Bad Request");
    assert_eq!(message, "Missing required parameters: [x]. ");
    // A request-filled parameter sent by the client is ignored.
    assert_eq!(
        s.get("/hooked/steps?x=2&order=%5B%5D").await.json(),
        json!([2, ["app", "module"], null])
    );
}

#[tokio::test]
async fn prehandles_can_refuse() {
    let s = server().await;
    let request = s
        .client
        .get(s.url("/hooked/steps?x=1"))
        .header("x-fail-in", "app");
    let a = s.send(request).await;
    a.error(402, "Payment Required");
    assert_eq!(a.json()["path"], "/hooked/steps");
    assert_eq!(a.headers["x-posthandle"], "402");
    let request = s
        .client
        .get(s.url("/hooked/steps?x=1"))
        .header("x-fail-in", "module");
    assert_eq!(
        s.send(request).await.error(403, "Forbidden"),
        "module prehandle says no"
    );
}

#[tokio::test]
async fn protected_checks_refuse_with_403_or_their_error() {
    let s = server().await;
    let a = s.get("/hooked/closed").await;
    a.error(403, "Forbidden");
    let request = s
        .client
        .get(s.url("/hooked/admin"))
        .header("authorization", "Token admin");
    assert_eq!(s.send(request).await.json(), json!("welcome"));
    let request = s
        .client
        .get(s.url("/hooked/admin"))
        .header("authorization", "Token guest");
    assert_eq!(s.send(request).await.error(401, "Unauthorized"), "admins only");
}

#[tokio::test]
async fn require_method_lets_one_method_through() {
    let s = server().await;
    assert_eq!(
        s.post_json("/hooked/post_only", &json!({})).await.json(),
        json!(true)
    );
    let a = s.get("/hooked/post_only").await;
    a.error(405, "Method Not Allowed");
    assert_eq!(a.headers["allow"], "POST");
    assert_eq!(s.get("/hooked/not_post_only").await.json(), json!(true));
    let a = s.send(s.client.put(s.url("/hooked/put_only"))).await;
    assert_eq!(a.json(), json!("put"));
    s.post_json("/hooked/put_only", &json!({}))
        .await
        .error(405, "Method Not Allowed");
    assert_eq!(s.get("/hooked/get_only").await.json(), json!("got"));
    assert_eq!(s.send(s.client.head(s.url("/hooked/get_only"))).await.status, 200);
    s.post_json("/hooked/get_only", &json!({}))
        .await
        .error(405, "Method Not Allowed");
    let def = s.get("/hooked").await.json();
    let post_only = def["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "post_only")
        .unwrap();
    assert_eq!(post_only["method"], "POST");
}

#[tokio::test]
async fn failures_go_through_handle_exception_then_posthandle() {
    let s = server().await;
    let a = s.get("/hooked/fail").await;
    a.error(500, "Internal Server Error");
    let body = a.json();
    assert_eq!(
        (&body["path"], &body["kind"]),
        (&json!("/hooked/fail"), &json!("panic"))
    );
    assert_eq!(a.headers["x-posthandle"], "500");
}

/// A refusal before any function is reached takes the path of a function's
/// failure: `handle_exception` writes it (here with the hooks' `path` and
/// `kind`), `posthandle` sees it, and problem details are written straight
/// in that shape when asked for.
#[tokio::test]
async fn refusals_before_routing_go_through_the_hooks_too() {
    let files = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hooks-static");
    std::fs::create_dir_all(&files).unwrap();
    let app = pico::App::new()
        .hooks(Marks)
        .register(hooked::module())
        .trusted_proxies(["127.0.0.1"])
        .static_files(&files);
    let s = serve(app).await;
    let seen = |a: &common::Answer, code: u16, name: &str, path: &str| {
        a.error(code, name);
        let body = a.json();
        assert_eq!(
            (&body["path"], &body["kind"]),
            (&json!(path), &json!(name)),
            "{body}"
        );
        assert_eq!(a.headers["x-posthandle"], code.to_string().as_str(), "{a:?}");
    };
    // No route, and no such static file.
    seen(&s.get("/nowhere").await, 404, "Not Found", "/nowhere");
    seen(
        &s.get("/hooked/nowhere.txt").await,
        404,
        "Not Found",
        "/hooked/nowhere.txt",
    );
    // A method the function does not take.
    let a = s.send(s.client.delete(s.url("/hooked/steps?x=1"))).await;
    seen(&a, 405, "Method Not Allowed", "/hooked/steps");
    // Another site's page.
    let a = s
        .send(
            s.client
                .post(s.url("/hooked/steps"))
                .header("origin", "http://evil.test")
                .form(&[("x", "1")]),
        )
        .await;
    seen(&a, 403, "Forbidden", "/hooked/steps");
    // A prefix from a trusted proxy that is no path.
    let proxied = s.client.get(s.url("/hooked/steps?x=1"));
    let a = s.send(proxied.header("x-forwarded-prefix", "no-slash")).await;
    seen(&a, 400, "Bad Request", "/hooked/steps");

    let a = s
        .send(
            s.client
                .get(s.url("/nowhere"))
                .header("accept", "application/problem+json"),
        )
        .await;
    assert_eq!(
        (a.status, a.content_type.as_str()),
        (404, "application/problem+json")
    );
    let body = a.json();
    assert_eq!(
        (
            &body["instance"],
            &body["status"],
            &body["path"],
            &body["request_id"]
        ),
        (
            &json!("/nowhere"),
            &json!(404),
            &json!("/nowhere"),
            &json!(a.request_id())
        ),
        "{body}"
    );
    assert_eq!(a.headers["x-posthandle"], "404");
}

/// Hooks that write every error's body themselves.
struct OwnBodies;

impl pico::Hooks for OwnBodies {
    fn handle_exception(&self, failure: &Failure, _: &Request, _: Map<String, Value>) -> Response {
        let mut response = Response::new(format!("our own {}", failure.status().as_u16()).into());
        *response.status_mut() = failure.status();
        response
    }
}

/// What an error's headers say belongs to its status: a `handle_exception`
/// that writes its own body keeps them, and a static file's refusal keeps
/// the files' own (a 416's `Content-Range`).
#[tokio::test]
async fn an_errors_protocol_headers_survive_a_body_of_the_hooks_own() {
    let files = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hooks-own-bodies");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("ten.txt"), "0123456789").unwrap();
    let app = pico::App::new()
        .hooks(OwnBodies)
        .register(hooked::module())
        .static_files(&files);
    let s = serve(app).await;
    let a = s.send(s.client.delete(s.url("/hooked/steps?x=1"))).await;
    assert_eq!((a.status, a.text.as_str()), (405, "our own 405"), "{a:?}");
    assert_eq!(a.headers["allow"], "GET, HEAD, POST");
    let a = s
        .send(s.client.get(s.url("/ten.txt")).header("range", "bytes=50-60"))
        .await;
    assert_eq!((a.status, a.text.as_str()), (416, "our own 416"), "{a:?}");
    assert_eq!(a.headers["content-range"], "bytes */10");
}

#[tokio::test]
async fn a_panic_in_any_hook_is_a_500_and_the_server_keeps_serving() {
    let s = server().await;
    for place in ["prehandle", "protected", "posthandle"] {
        let request = s
            .client
            .get(s.url("/hooked/steps?x=1"))
            .header("x-panic-in", place);
        let a = s.send(request).await;
        a.error(500, "Internal Server Error");
        assert_eq!(a.json()["kind"], "panic", "{place}");
    }
    s.get("/hooked/explodes")
        .await
        .error(500, "Internal Server Error");
    // A panicking handle_exception still gives the standard body.
    let request = s
        .client
        .get(s.url("/hooked/fail"))
        .header("x-panic-in", "handle_exception");
    let a = s.send(request).await;
    a.error(500, "Internal Server Error");
    assert!(a.json().get("path").is_none());
    assert_eq!(s.get("/hooked/steps?x=5").await.json()[0], 5);
}

#[tokio::test]
async fn request_args_give_the_request_and_its_attributes() {
    let s = server().await;
    let a = s.post_json("/hooked/whole_request?x=3", &json!({})).await;
    assert_eq!(a.json(), json!(["POST", "/hooked/whole_request", 3]));
    let request = s
        .client
        .get(s.url("/hooked/attributes"))
        .header("user-agent", "pico-test")
        .header("authorization", "Token t0k3n")
        .header("cookie", "a=1; b=2");
    let a = s.send(request).await;
    assert_eq!(
        a.json(),
        json!(["GET", "/hooked/attributes", "pico-test", "t0k3n", 2])
    );
}

#[tokio::test]
async fn streams_send_items_then_close_or_an_error_event() {
    let s = server().await;
    let a = s.get("/hooked/numbers?n=3").await;
    assert_eq!(a.content_type, "text/event-stream");
    assert_eq!(
        a.text,
        "data: 0\n\ndata: 1\n\ndata: 2\n\nevent: close\ndata: close\n\n"
    );
    assert_eq!(
        s.get("/hooked/numbers?n=0").await.text,
        "event: close\ndata: close\n\n"
    );
    let a = s.get("/hooked/fails_midway").await;
    assert_eq!(
        a.text,
        "data: 1\n\ndata: 2\n\nevent: error\ndata: two is enough really\n\n"
    );
    let a = s.get("/hooked/panics_midway").await;
    assert_eq!(
        a.text,
        "data: 1\n\ndata: 2\n\nevent: error\ndata: The server encountered an internal error and was unable \
         to complete your request. Either the server is overloaded or there is an error in the application.\n\n"
    );
    // A stream refused before it starts is a plain JSON error.
    s.get("/hooked/refuses").await.error(403, "Forbidden");
}

#[tokio::test]
async fn a_client_that_goes_away_stops_the_producer() {
    let s = server().await;
    let mut response = s.client.get(s.url("/hooked/ticks")).send().await.unwrap();
    let mut received = 0;
    while received < 3 {
        let chunk = response.chunk().await.unwrap().expect("more events");
        received += String::from_utf8_lossy(&chunk).matches("data: ").count();
    }
    drop(response);
    let dropped = tokio::time::timeout(std::time::Duration::from_secs(10), TICKS_DROPPED.notified()).await;
    assert!(dropped.is_ok(), "the producer kept running");
}

#[tokio::test]
async fn cookie_options_and_unsafe_values() {
    let s = server().await;
    let a = s.get("/hooked/remember?value=dark").await;
    assert_eq!(a.json(), json!({"pref": "dark"}));
    assert_eq!(
        a.headers["set-cookie"],
        "pref=dark; SameSite=Strict; Secure; Path=/app; Domain=example.com; Max-Age=60"
    );
    // A value that would break the header is percent-encoded.
    let a = s.get("/hooked/remember?value=a%3Bb%0D%0ASet-Cookie:%20x=1").await;
    assert_eq!(a.headers.get_all("set-cookie").iter().count(), 1);
    let cookie = a.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("pref=a%3Bb%0D%0ASet-Cookie%3A%20x%3D1;"),
        "{cookie}"
    );
    let a = s.get("/hooked/forget").await;
    assert_eq!(a.json(), json!("forgotten"));
    let removals: Vec<&str> = a
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(removals.len(), 2);
    assert!(
        removals[0].starts_with("pref=; HttpOnly; SameSite=Lax; Path=/app; Max-Age=0;"),
        "{removals:?}"
    );
    assert!(removals[1].starts_with("other=;"), "{removals:?}");
}

/// Reads `yes`/`no` as booleans and wraps every result.
struct Wrapping;

impl pico::JsonCodec for Wrapping {
    fn load(&self, text: &str) -> Result<Value, String> {
        match text {
            "yes" => Ok(json!(true)),
            "no" => Ok(json!(false)),
            _ => serde_json::from_str(text).map_err(|e| e.to_string()),
        }
    }

    fn dump(&self, value: &Value) -> Vec<u8> {
        serde_json::to_vec(&json!({ "result": value })).unwrap()
    }
}

#[pico::api]
mod coded {
    #[expose]
    fn negate(flag: bool, times: Vec<i64>) -> (bool, i64) {
        (!flag, times.iter().sum())
    }
}

#[tokio::test]
async fn the_json_codec_reads_arguments_and_writes_results() {
    let s = serve(pico::App::new().json_codec(Wrapping).register(coded::module())).await;
    let a = s.get("/coded/negate?flag=yes&times=1&times=2").await;
    assert_eq!(a.json(), json!({"result": [false, 3]}));
    let a = s
        .post_json("/coded/negate", &json!({"flag": false, "times": [4]}))
        .await;
    assert_eq!(a.json(), json!({"result": [true, 4]}));
    s.get("/coded/negate?flag=maybe&times=1")
        .await
        .error(400, "Bad Request");
}

#[test]
fn decorated_functions_called_directly_are_plain_calls() {
    assert!(hooked::closed());
    assert_eq!(hooked::admin(), "welcome");
    assert!(hooked::post_only());
    assert_eq!(hooked::numbers(2), [0, 1]);
    assert!(hooked::refuses().is_err());
}
