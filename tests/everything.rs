//! The everything example over real HTTP, function by function, and its
//! functions called directly as plain Rust.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

use common::{Answer, Server, serve};
use everything::api;
use serde_json::json;

async fn server() -> Server {
    serve(pico::App::new().register(api::module())).await
}

#[tokio::test]
async fn hello_multiply_and_a_user_object() {
    let s = server().await;
    assert_eq!(s.get("/api/hello").await.json(), json!("Hello world"));
    assert_eq!(s.get("/api/hello?who=Arthur").await.json(), json!("Hello Arthur"));
    assert_eq!(
        s.post_json("/api/multiply", &json!({"x": 6, "y": 7}))
            .await
            .json(),
        json!(42)
    );
    let user = json!({"name": "Arthur", "occupation": "sandwich maker", "age": 42});
    let a = s
        .post_json("/api/user_description", &json!({ "user": user }))
        .await;
    assert_eq!(a.json(), json!("Arthur is a sandwich maker aged 42"));
    let a = s
        .post_form("/api/user_description", &[("user", &user.to_string())])
        .await;
    assert_eq!(a.json(), json!("Arthur is a sandwich maker aged 42"));
    assert!(
        s.get("/api/show_source")
            .await
            .json()
            .as_str()
            .unwrap()
            .contains("pub mod api")
    );
}

#[tokio::test]
async fn fail_and_make_coffee() {
    let s = server().await;
    s.get("/api/fail").await.error(500, "Internal Server Error");
    let message = s.get("/api/make_coffee").await.error(418, "I'm a teapot");
    assert_eq!(message, "This server is a teapot: it will not brew coffee.");
}

#[tokio::test]
async fn upload_takes_only_text_files() {
    let s = server().await;
    let upload = |name: &str| {
        let part = reqwest::multipart::Part::bytes(&b"some file contents"[..]).file_name(name.to_owned());
        reqwest::multipart::Form::new()
            .part("upload", part)
            .text("filename", name.to_owned())
    };
    let a = s
        .send(s.client.post(s.url("/api/upload")).multipart(upload("notes.txt")))
        .await;
    assert_eq!(a.json(), json!("some file contents"));
    let a = s
        .send(s.client.post(s.url("/api/upload")).multipart(upload("cat.png")))
        .await;
    assert_eq!(a.error(400, "Bad Request"), "Upload must be a .txt file!");
}

#[tokio::test]
async fn request_attributes_and_functions_of_the_request() {
    let s = server().await;
    assert_eq!(s.get("/api/my_ip").await.json(), json!("127.0.0.1"));
    assert_eq!(s.get("/api/my_ip3").await.json(), json!("127.0.0.1"));
    // A value a client sends for a request-filled parameter is ignored.
    assert_eq!(s.get("/api/my_ip?ip=10.0.0.1").await.json(), json!("127.0.0.1"));
    assert_eq!(
        s.post_json("/api/my_ip3", &json!({"ip": "10.0.0.1"}))
            .await
            .json(),
        json!("127.0.0.1")
    );
    let request = s
        .client
        .get(s.url("/api/session_id2"))
        .header("x-session-id", "42");
    assert_eq!(s.send(request).await.json(), json!("42"));
    assert_eq!(s.get("/api/session_id2").await.json(), json!(null));
}

#[tokio::test]
async fn the_prehandle_checks_basic_auth_and_stores_the_user() {
    let s = server().await;
    assert_eq!(s.get("/api/current_user").await.json(), json!(null));
    let request = s
        .client
        .get(s.url("/api/current_user"))
        .basic_auth("arthurd42", Some("secret"));
    assert_eq!(s.send(request).await.json(), json!("arthurd42"));
    let request = s
        .client
        .get(s.url("/api/current_user"))
        .basic_auth("arthurd42", Some("wrong"));
    let a = s.send(request).await;
    assert_eq!(a.error(401, "Unauthorized"), "Incorrect username or password");
    assert!(
        a.headers.get("www-authenticate").is_none(),
        "a browser would prompt"
    );
    // Every function of the module goes through it.
    let request = s
        .client
        .get(s.url("/api/hello"))
        .basic_auth("arthurd42", Some("wrong"));
    s.send(request).await.error(401, "Unauthorized");
}

#[tokio::test]
async fn sessions_by_cookie() {
    let s = server().await;
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let get = |path: &str| {
        let request = client.get(s.url(path));
        async move { Answer::read(request.send().await.unwrap()).await }
    };
    assert_eq!(get("/api/session_id").await.json(), json!(null));
    let started = get("/api/start_session").await;
    assert_eq!(started.json(), json!({"session_id": "42"}));
    assert_eq!(
        started.headers["set-cookie"],
        "session_id=42; HttpOnly; SameSite=Lax; Path=/"
    );
    assert_eq!(get("/api/session_id").await.json(), json!("42"));
    let ended = get("/api/end_session").await;
    assert_eq!(ended.json(), json!(true));
    let removal = ended.headers["set-cookie"].to_str().unwrap();
    assert!(
        removal.starts_with("session_id=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Expires="),
        "{removal}"
    );
    assert_eq!(get("/api/session_id").await.json(), json!(null));
}

#[tokio::test]
async fn countdown_streams_events_then_closes() {
    let s = server().await;
    let a = s.get("/api/countdown?n=3").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "text/event-stream");
    assert_eq!(a.headers["cache-control"], "no-cache");
    assert_eq!(
        a.text,
        "data: 2\n\ndata: 1\n\ndata: 0\n\nevent: close\ndata: close\n\n"
    );
}

#[tokio::test]
async fn the_definition_shows_defaults_methods_and_streams_but_not_request_arguments() {
    let s = server().await;
    let def = s.get("/api").await.json();
    let function = |name: &str| {
        def["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        function("countdown")["args"],
        json!([{"name": "n", "default": 10}])
    );
    assert_eq!(function("countdown")["stream"], json!(true));
    assert!(function("hello").get("stream").is_none());
    for name in ["my_ip", "my_ip3", "current_user", "session_id", "session_id2"] {
        assert_eq!(function(name)["args"], json!([]), "{name}");
    }
    assert_eq!(
        function("upload")["args"],
        json!([{"name": "upload"}, {"name": "filename"}])
    );
}

#[tokio::test]
async fn decorated_functions_are_plain_functions_when_called_directly() {
    assert_eq!(api::my_ip(Some("1.2.3.4".into())), Some("1.2.3.4".to_owned()));
    assert_eq!(api::current_user(None), None);
    assert_eq!(api::start_session()["session_id"], "42");
    assert!(api::end_session());
    let items: Vec<u32> = futures_util::StreamExt::collect(api::countdown(3)).await;
    assert_eq!(items, [2, 1, 0]);
}
