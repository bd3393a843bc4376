//! What a real service needs, over real HTTP: shared state, extractors,
//! typed domain errors, arguments as users send them, and a module in a
//! file of its own.

mod common;
#[path = "service/filed.rs"]
pub mod filed;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde_json::json;

use common::{Server, serve};

/// The store a service shares between requests.
#[derive(Default)]
pub struct Store {
    notes: Mutex<Vec<String>>,
}

/// A configuration, received by clone.
#[derive(Clone)]
pub struct Config {
    pub greeting: String,
}

/// A user's own extractor: the caller named in `X-User`, or a 401.
pub struct User(pub String);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = (http::StatusCode, [(&'static str, &'static str); 1], &'static str);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("x-user").and_then(|v| v.to_str().ok()) {
            Some("panic") => panic!("the extractor panicked"),
            Some(user) => Ok(User(user.to_owned())),
            None => Err((
                http::StatusCode::UNAUTHORIZED,
                [("www-authenticate", "X-User")],
                "Sign in with X-User.",
            )),
        }
    }
}

/// A bearer token, or the `HttpError` a token API answers without one.
pub struct Token(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Token {
    type Rejection = pico::HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get("authorization").and_then(|v| v.to_str().ok());
        match header.and_then(|v| v.strip_prefix("Bearer ")) {
            Some(token) => Ok(Token(token.to_owned())),
            None => Err(pico::HttpError::unauthorized()
                .with_message("Send a bearer token.")
                .with_key("scheme", "Bearer")
                .with_challenge("Bearer realm=\"notes\"")),
        }
    }
}

/// An extractor that reads the app's state.
pub struct Visits(pub u64);

impl FromRequestParts<pico::AppState> for Visits {
    type Rejection = pico::HttpError;

    async fn from_request_parts(_: &mut Parts, state: &pico::AppState) -> Result<Self, Self::Rejection> {
        let counter = state
            .get::<AtomicU64>()
            .ok_or_else(pico::HttpError::internal_server_error)?;
        Ok(Visits(counter.fetch_add(1, Ordering::Relaxed) + 1))
    }
}

#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(status = 500)]
pub enum NoteError {
    #[error("note {0} not found")]
    #[http(status = 404)]
    NotFound(usize),
    #[error("notes are read-only today")]
    #[http(status = 409, header("X-Read-Only-Until", "tomorrow"))]
    ReadOnly,
    #[error("the disk is gone")]
    Disk(#[source] std::io::Error),
    #[error("the queue is full")]
    #[http(status = 503, header("Retry-After", "5"))]
    #[http(header("Cache-Control", "no-store"))]
    Busy,
}

#[pico::api]
pub mod notes {
    use std::collections::HashMap;
    use std::sync::atomic::AtomicU64;

    use axum_extra::TypedHeader;
    use axum_extra::headers::UserAgent;

    use super::{Config, NoteError, Store, Token, User, Visits};

    /// Adds a note.
    #[expose]
    pub fn add(#[state] store: &Store, text: String) -> usize {
        let mut notes = store.notes.lock().unwrap();
        notes.push(text);
        notes.len() - 1
    }

    #[expose]
    pub async fn get(#[state] store: &Store, id: usize) -> Result<String, NoteError> {
        let notes = store.notes.lock().unwrap();
        notes.get(id).cloned().ok_or(NoteError::NotFound(id))
    }

    #[expose]
    pub fn fail(how: String) -> Result<(), NoteError> {
        Err(match how.as_str() {
            "read-only" => NoteError::ReadOnly,
            "busy" => NoteError::Busy,
            _ => NoteError::Disk(std::io::Error::other("sector 7 unreadable")),
        })
    }

    #[expose]
    pub fn greet(#[state] config: Config, #[state] hits: &AtomicU64, who: String) -> String {
        hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{} {who}", config.greeting)
    }

    #[expose]
    pub fn whoami(#[from_request] user: User, #[from_request] agent: TypedHeader<UserAgent>) -> String {
        format!("{} with {}", user.0, agent.as_str())
    }

    #[expose]
    pub fn token(#[from_request] token: Token) -> String {
        token.0
    }

    #[expose]
    pub fn theme(#[from_request] jar: axum_extra::extract::CookieJar) -> Option<String> {
        jar.get("theme").map(|c| c.value().to_owned())
    }

    #[expose]
    pub async fn visits(#[from_request] visits: Visits, #[from_request] user: User) -> String {
        format!("{} visit {}", user.0, visits.0)
    }

    #[expose]
    pub fn crash(#[state] store: &Store) -> usize {
        let _held = store.notes.lock().unwrap();
        panic!("crashed while holding nothing of pico's")
    }

    #[expose]
    pub fn list(
        tag: Option<String>,
        #[default(Vec::new())] tags: Vec<String>,
        limit: Option<u8>,
    ) -> HashMap<String, serde_json::Value> {
        HashMap::from([
            ("tag".to_owned(), serde_json::json!(tag)),
            ("tags".to_owned(), serde_json::json!(tags)),
            ("limit".to_owned(), serde_json::json!(limit)),
        ])
    }

    #[expose]
    pub fn big(n: u64) -> u64 {
        n
    }

    #[expose]
    pub fn files(files: Vec<pico::Upload>) -> Vec<String> {
        files.into_iter().map(|f| f.file_name).collect()
    }
}

fn app() -> pico::App {
    pico::App::new()
        .state(Store::default())
        .state(Config {
            greeting: "hello".to_owned(),
        })
        .state(AtomicU64::new(0))
        .register(notes::module())
        .register(filed::module())
}

async fn server() -> Server {
    serve(app()).await
}

#[tokio::test]
async fn state_is_shared_between_requests_and_functions_stay_plain() {
    let server = server().await;
    assert_eq!(
        server
            .post_json("/notes/add", &json!({"text": "milk"}))
            .await
            .json(),
        0
    );
    assert_eq!(server.get("/notes/add?text=eggs").await.json(), 1);
    assert_eq!(server.get("/notes/get?id=1").await.json(), "eggs");
    assert_eq!(server.get("/notes/greet?who=you").await.json(), "hello you");

    // Plain functions, with no framework.
    let store = Store::default();
    assert_eq!(notes::add(&store, "a".to_owned()), 0);
    let config = Config {
        greeting: "hi".to_owned(),
    };
    assert_eq!(notes::greet(config, &AtomicU64::new(0), "me".to_owned()), "hi me");
}

#[tokio::test]
async fn state_parameters_are_neither_defined_nor_sent() {
    let server = server().await;
    let definition = server.get("/notes").await.json();
    let add = &definition["functions"][0];
    assert_eq!(add["name"], "add");
    assert_eq!(add["args"], json!([{"name": "text"}]));
    let whoami = definition["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "whoami")
        .unwrap();
    assert_eq!(whoami["args"], json!([]));
    let answer = server.get("/notes/add?text=a&store=x").await;
    assert_eq!(
        answer.error(400, "Bad Request"),
        "Unexpected parameters: [store]. "
    );
}

#[test]
fn a_missing_state_type_fails_when_the_app_is_built_naming_function_and_type() {
    let built = std::panic::catch_unwind(|| pico::App::new().register(notes::module()).into_router());
    let message = *built.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("`notes.add` takes `#[state]` of type `service::Store`"),
        "{message}"
    );
    assert!(message.contains("add `.state(value)`"), "{message}");
}

#[tokio::test]
async fn a_panic_leaves_the_state_usable() {
    let server = server().await;
    server.get("/notes/add?text=kept").await;
    let answer = server.get("/notes/crash").await;
    answer.error(500, "Internal Server Error");
    // The user's own lock is poisoned by the panic; pico's map is not.
    assert_eq!(server.get("/notes/greet?who=again").await.json(), "hello again");
}

#[tokio::test]
async fn hooks_read_the_state_through_the_request() {
    struct Hooks;
    impl pico::Hooks for Hooks {
        fn prehandle(&self, request: &mut pico::Request, _: &mut pico::Args) -> Result<(), pico::Failure> {
            let config = request.state::<Config>().expect("the app's config");
            let greeting = config.greeting.clone();
            request.set("greeting", greeting);
            Ok(())
        }
    }
    #[pico::api]
    mod hooked {
        #[expose]
        #[request_args(greeting = "greeting")]
        fn seen(greeting: String) -> String {
            greeting
        }
    }
    let server = serve(
        pico::App::new()
            .state(Config {
                greeting: "ahoy".to_owned(),
            })
            .hooks(Hooks)
            .register(hooked::module()),
    )
    .await;
    assert_eq!(server.get("/hooked/seen").await.json(), "ahoy");
}

#[tokio::test]
async fn extractors_fill_parameters_and_their_rejections_are_standard_errors() {
    let server = server().await;
    let request = server
        .client
        .get(server.url("/notes/whoami"))
        .header("x-user", "arthur")
        .header("user-agent", "towel/42");
    assert_eq!(server.send(request).await.json(), "arthur with towel/42");

    let answer = server.get("/notes/whoami").await;
    assert_eq!(answer.error(401, "Unauthorized"), "Sign in with X-User.");
    assert_eq!(answer.headers["www-authenticate"], "X-User");

    // axum-extra's own rejection, as the standard body.
    let request = server
        .client
        .get(server.url("/notes/whoami"))
        .header("x-user", "arthur");
    let answer = server.send(request).await;
    let message = answer.error(400, "Bad Request");
    assert!(message.contains("user-agent"), "{message}");

    // An extractor that reads the app's state, in an async function.
    let request = || {
        server
            .client
            .get(server.url("/notes/visits"))
            .header("x-user", "ford")
    };
    let first = server.send(request()).await.json();
    let second = server.send(request()).await.json();
    assert_ne!(first, second);
    assert!(second.as_str().unwrap().starts_with("ford visit "), "{second}");
}

#[tokio::test]
async fn an_extractors_http_error_is_the_answer_as_it_is() {
    let server = server().await;
    let answer = server.get("/notes/token").await;
    assert_eq!(answer.error(401, "Unauthorized"), "Send a bearer token.");
    assert_eq!(
        answer.text,
        answer.with_id(
            r#"{"name":"Unauthorized","code":401,"message":"Send a bearer token.","scheme":"Bearer"}"#
        )
    );
    assert_eq!(answer.headers["www-authenticate"], "Bearer realm=\"notes\"");
    let request = server
        .client
        .get(server.url("/notes/token"))
        .header("authorization", "Bearer t0k");
    assert_eq!(server.send(request).await.json(), "t0k");

    // As problem details, and through the in-process client's contract.
    let request = server
        .client
        .get(server.url("/notes/token"))
        .header("accept", "application/problem+json");
    let problem = server.send(request).await.json();
    assert_eq!(problem["detail"], "Send a bearer token.");
    let client = pico::client::Client::in_process(app());
    let answer = client.get("notes/token").send().await.unwrap();
    assert_eq!(answer.error().unwrap().message(), "Send a bearer token.");
    let token = "t0k";
    let answer = client
        .get("notes/token")
        .header("authorization", format!("Bearer {token}"));
    assert_eq!(answer.send().await.unwrap().json::<String>().unwrap(), "t0k");
}

#[tokio::test]
async fn a_cookie_jar_is_an_extractor_too() {
    let server = server().await;
    let request = server
        .client
        .get(server.url("/notes/theme"))
        .header("cookie", "a=1; theme=dark");
    assert_eq!(server.send(request).await.json(), "dark");
    assert_eq!(server.get("/notes/theme").await.json(), json!(null));
}

#[tokio::test]
async fn state_works_under_picos_own_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(pico::Server::new().serve_on(listener, app(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{base}{path}")).send();
    assert_eq!(
        get("/notes/add?text=one")
            .await
            .unwrap()
            .json::<usize>()
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        get("/notes/get?id=0")
            .await
            .unwrap()
            .json::<String>()
            .await
            .unwrap(),
        "one"
    );
    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
}

#[tokio::test]
async fn an_extractor_that_panics_is_a_500_and_the_server_goes_on() {
    let server = server().await;
    let request = server
        .client
        .get(server.url("/notes/whoami"))
        .header("x-user", "panic")
        .header("user-agent", "x");
    let answer = server.send(request).await;
    answer.error(500, "Internal Server Error");
    assert!(answer.json().get("__debug__").is_none());
    assert_eq!(server.get("/notes/greet?who=still").await.json(), "hello still");
}

#[tokio::test]
async fn typed_errors_answer_their_own_status() {
    let server = server().await;
    let answer = server.get("/notes/get?id=99").await;
    assert_eq!(answer.error(404, "Not Found"), "note 99 not found");
    let answer = server.get("/notes/fail?how=read-only").await;
    assert_eq!(answer.error(409, "Conflict"), "notes are read-only today");
    assert_eq!(answer.headers["x-read-only-until"], "tomorrow");

    // 5xx: the generic message; the details stay on the server.
    let answer = server.get("/notes/fail?how=disk").await;
    let message = answer.error(500, "Internal Server Error");
    assert!(
        message.starts_with("The server encountered an internal error"),
        "{message}"
    );
    assert!(!answer.text.contains("sector 7"), "{}", answer.text);
    let answer = server.get("/notes/fail?how=busy").await;
    let message = answer.error(503, "Service Unavailable");
    assert_eq!(message, pico::HttpError::service_unavailable().message());
    // The type's headers go with the 5xx, whose details do not.
    assert_eq!(answer.headers["retry-after"], "5");
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert!(answer.headers.get("x-read-only-until").is_none());
}

#[tokio::test]
async fn a_typed_errors_headers_reach_problem_details_and_an_allowed_page() {
    let server = serve(app().allow_origins(["https://notes.test"])).await;
    let asked = server
        .client
        .get(server.url("/notes/fail?how=busy"))
        .header("accept", "application/problem+json")
        .header("origin", "https://notes.test");
    let answer = server.send(asked).await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.json()["status"], 503);
    assert_eq!(answer.headers["retry-after"], "5");
    // The page may read when to try again, as it may read the request id.
    let exposed = answer.headers["access-control-expose-headers"].to_str().unwrap();
    assert!(
        exposed.contains("retry-after") && exposed.contains("x-request-id"),
        "{exposed}"
    );
}

#[tokio::test]
async fn typed_5xx_errors_show_their_chain_in_debug_mode() {
    let server = serve(app().debug(true)).await;
    let body = server.get("/notes/fail?how=disk").await.json();
    assert_eq!(body["code"], 500);
    assert_eq!(
        body["__debug__"]["message"],
        "the disk is gone: sector 7 unreadable"
    );
    assert!(
        body["__debug__"]["name"].as_str().unwrap().ends_with("NoteError"),
        "{body}"
    );
    let body = server.get("/notes/get?id=5").await.json();
    assert!(body.get("__debug__").is_none(), "a 4xx is the client's: {body}");
}

#[tokio::test]
async fn a_word_fills_an_optional_string_from_query_and_form() {
    let server = server().await;
    assert_eq!(server.get("/notes/list?tag=work").await.json()["tag"], "work");
    assert_eq!(server.get("/notes/list?tag=123").await.json()["tag"], "123");
    assert_eq!(
        server.post_form("/notes/list", &[("tag", "work")]).await.json()["tag"],
        "work"
    );
    assert_eq!(server.get("/notes/list").await.json()["tag"], json!(null));
}

#[tokio::test]
async fn one_value_fills_a_list_and_null_is_the_default() {
    let server = server().await;
    assert_eq!(
        server.get("/notes/list?tags=solo").await.json()["tags"],
        json!(["solo"])
    );
    assert_eq!(
        server.post_form("/notes/list", &[("tags", "solo")]).await.json()["tags"],
        json!(["solo"])
    );
    assert_eq!(
        server.get("/notes/list?tags=a&tags=b").await.json()["tags"],
        json!(["a", "b"])
    );
    let answer = server
        .post_json("/notes/list", &json!({"tags": null, "tag": null, "limit": null}))
        .await
        .json();
    assert_eq!(answer, json!({"tag": null, "tags": [], "limit": null}));

    // One file for a list of files.
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("one.txt"),
    );
    let answer = server
        .send(server.client.post(server.url("/notes/files")).multipart(form))
        .await;
    assert_eq!(answer.json(), json!(["one.txt"]));
}

#[tokio::test]
async fn numbers_out_of_range_name_the_parameter_and_the_range() {
    let server = server().await;
    // A whole number with a fraction or an exponent is the integer its
    // digits say, at any size: out of range only when it is.
    let u64_range = "is out of range for u64 (0 to 18446744073709551615)";
    for (sent, reason) in [
        ("100000000000000000000000", u64_range),
        ("1.8446744073709551616e19", u64_range),
        ("9007199254740992.5", "is not a whole number, expected u64"),
    ] {
        let body = format!(r#"{{"n": {sent}}}"#);
        let answer = server.post_raw("/notes/big", "application/json", body).await;
        assert_eq!(
            answer.error(400, "Bad Request"),
            format!("Invalid value for parameter `n`: {sent} {reason}.")
        );
    }
    for (sent, n) in [
        ("9007199254740993.0", "9007199254740993"),
        ("1.8446744073709551615e19", "18446744073709551615"),
    ] {
        let body = format!(r#"{{"n": {sent}}}"#);
        let answer = server.post_raw("/notes/big", "application/json", body).await;
        assert_eq!(answer.text, n, "{sent}");
        let answer = server.get(&format!("/notes/big?n={sent}")).await;
        assert_eq!(answer.text, n, "{sent}");
    }
    let answer = server.get("/notes/big?n=-1").await;
    assert_eq!(
        answer.error(400, "Bad Request"),
        "Invalid value for parameter `n`: -1 is out of range for u64 (0 to 18446744073709551615)."
    );
    let answer = server.get("/notes/list?limit=300").await;
    assert_eq!(
        answer.error(400, "Bad Request"),
        "Invalid value for parameter `limit`: 300 is out of range for u8 (0 to 255)."
    );
    // The original's messages stay exact.
    let answer = server.get("/notes/big?m=1").await;
    assert_eq!(
        answer.error(400, "Bad Request"),
        "Unexpected parameters: [m]. Missing required parameters: [n]. "
    );
}

#[tokio::test]
async fn a_module_in_its_own_file_is_served() {
    let server = server().await;
    assert_eq!(server.get("/filed/count?text=a%20b%20c").await.json(), 3);
    let request = server
        .client
        .get(server.url("/filed/caller"))
        .header("x-caller", "zaphod");
    assert_eq!(server.send(request).await.json(), "zaphod");
    let definition = server.get("/filed").await.json();
    assert_eq!(definition["name"], "filed");
    assert_eq!(definition["doc"], "Words, from a file module.");
    assert_eq!(definition["functions"][0]["doc"], "Counts words.");
    assert_eq!(filed::count("plain call".to_owned()), 2);
}

/// Hooks that answer errors in a shape of their own, breaking the contract.
struct PlainTextErrors;

impl pico::Hooks for PlainTextErrors {
    fn handle_exception(
        &self,
        failure: &pico::Failure,
        _: &pico::Request,
        _: serde_json::Map<String, serde_json::Value>,
    ) -> pico::Response {
        let mut response = pico::Response::new(failure.message().to_owned().into());
        *response.status_mut() = failure.status();
        response
    }
}

#[tokio::test]
#[should_panic(expected = "pico's error contract is broken by a 404 Not Found answer")]
async fn the_in_process_client_fails_a_test_whose_app_breaks_the_error_contract() {
    let client = pico::client::Client::in_process(app().hooks(PlainTextErrors));
    let _ = client.get("notes/get?id=7").send().await;
}

#[tokio::test]
async fn the_in_process_client_accepts_the_standard_errors() {
    let client = pico::client::Client::in_process(app());
    let answer = client.get("notes/get?id=7").send().await.unwrap();
    assert_eq!(answer.status(), 404);
    assert_eq!(answer.error().unwrap().message(), "note 7 not found");
    let answer = client.get("nowhere").send().await.unwrap();
    assert_eq!(answer.status(), 404);
}
