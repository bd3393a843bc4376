//! The core over real HTTP: the macro, routing, arguments, results, errors,
//! debug mode, JSONP and X-Script-Name.

// The test module has both kinds of doc comment on purpose.
#![allow(clippy::mixed_attributes_style)]

mod common;

use common::{Answer, Server, serve};
use serde_json::json;

/// Functions for the tests.
#[pico::api]
pub mod testapp {
    //! More about the test module.

    use pico::{HttpError, Response, Upload};
    use serde::{Deserialize, Serialize};

    /// Says hello.
    ///
    /// To anyone.
    #[expose]
    pub fn hello(#[default("world")] who: String) -> String {
        format!("Hello {who}")
    }

    #[expose]
    pub fn multiply(x: i64, y: i64) -> i64 {
        x * y
    }

    #[expose]
    pub async fn slow_multiply(x: i64, y: i64) -> Result<i64, HttpError> {
        tokio::task::yield_now().await;
        x.checked_mul(y)
            .ok_or_else(|| HttpError::bad_request().with_message("too big"))
    }

    #[expose]
    pub fn upload(upload: Upload) -> String {
        String::from_utf8_lossy(&upload.data).into_owned()
    }

    #[expose]
    pub fn upload_info(upload: Upload, note: String) -> (String, String, usize, String) {
        (upload.file_name, upload.content_type, upload.data.len(), note)
    }

    #[expose]
    pub fn file_bytes(file: Vec<u8>) -> Vec<u8> {
        file
    }

    #[expose]
    pub fn fingerprints(upload: Upload, note: String) -> (usize, u64, usize, u64) {
        (
            upload.data.len(),
            super::fnv(&upload.data),
            note.len(),
            super::fnv(note.as_bytes()),
        )
    }

    #[expose]
    pub fn file_names(files: Vec<Upload>) -> Vec<String> {
        files.into_iter().map(|f| f.file_name).collect()
    }

    #[expose]
    pub fn maybe(x: Option<i64>) -> Option<i64> {
        x.map(|x| x + 1)
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    pub struct Point {
        pub x: f64,
        pub y: f64,
    }

    #[expose]
    pub fn mirror(p: Point, #[default(vec![1, 2])] tags: Vec<u8>) -> (Point, Vec<u8>) {
        (Point { x: -p.x, y: -p.y }, tags)
    }

    #[expose]
    pub fn sum(xs: Vec<i64>) -> i64 {
        xs.iter().sum()
    }

    #[expose]
    pub fn words(w: Vec<String>) -> Vec<String> {
        w
    }

    #[expose]
    pub fn echo(value: serde_json::Value) -> serde_json::Value {
        value
    }

    #[expose]
    pub fn nothing() {}

    #[expose]
    pub fn forbidden() -> Result<(), HttpError> {
        Err(HttpError::forbidden())
    }

    #[expose]
    pub fn teapot() -> Result<String, HttpError> {
        Err(HttpError::im_a_teapot()
            .with_message("I will not make coffee.")
            .with_key("brew", "tea")
            .with_header("retry-after", "120"))
    }

    #[expose]
    pub fn login() -> Result<(), HttpError> {
        Err(HttpError::unauthorized().with_challenge("Basic realm=\"Login required\""))
    }

    #[expose]
    pub fn fail() -> String {
        panic!("fail!")
    }

    #[expose]
    pub async fn fail_async() -> String {
        tokio::task::yield_now().await;
        panic!("async fail {}", 42)
    }

    #[expose]
    pub fn io_error() -> Result<String, std::io::Error> {
        Err(std::io::Error::other("disk on fire"))
    }

    #[expose]
    pub fn anyhow_error() -> anyhow::Result<String> {
        Err(anyhow::anyhow!("anyhow failure"))
    }

    #[expose]
    pub fn boxed_http() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Err(HttpError::gone().into())
    }

    #[expose]
    pub fn custom() -> Response {
        use axum::response::IntoResponse;
        (
            axum::http::StatusCode::CREATED,
            [("x-custom", "yes")],
            "made by hand",
        )
            .into_response()
    }

    #[expose]
    pub async fn custom_result(ok: bool) -> Result<Response, HttpError> {
        use axum::response::IntoResponse;
        if ok {
            Ok("plain".into_response())
        } else {
            Err(HttpError::conflict())
        }
    }

    pub struct Unserializable;

    impl Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot"))
        }
    }

    #[expose]
    pub fn unserializable() -> Unserializable {
        Unserializable
    }
}

/// Another module, for aliases and the app definition.
#[pico::api]
mod other {
    #[expose]
    fn ping() -> &'static str {
        "pong"
    }
}

fn app() -> pico::App {
    // JSONP as the original answers it.
    pico::App::new()
        .debug(false)
        .jsonp(true)
        .register(testapp::module())
        .register_as("nested.other", other::module())
        .register(files::module())
}

/// Files as text and bytes, and a stream made by an `async fn`.
#[pico::api]
mod files {
    #[expose]
    fn as_text(file: String) -> String {
        file
    }

    #[expose]
    fn as_bytes(file: Vec<u8>) -> usize {
        file.len()
    }

    /// Waits for its source before it streams.
    #[expose]
    #[stream]
    pub(super) async fn fetched(n: u32) -> Vec<u32> {
        tokio::task::yield_now().await;
        (1..=n).collect()
    }
}

async fn server() -> Server {
    serve(app()).await
}

#[tokio::test]
async fn exposed_functions_stay_plain_functions() {
    assert_eq!(testapp::hello("you".into()), "Hello you");
    assert_eq!(testapp::slow_multiply(6, 7).await.unwrap(), 42);
    assert_eq!(testapp::maybe(None), None);
}

#[tokio::test]
async fn sync_and_async_functions_answer_json() {
    let s = server().await;
    let a = s.get("/testapp/hello?who=Tester").await;
    assert_eq!(
        (a.status, a.content_type.as_str(), a.text.as_str()),
        (200, "application/json", "\"Hello Tester\"")
    );
    assert_eq!(s.get("/testapp/slow_multiply?x=6&y=7").await.text, "42");
    assert_eq!(s.get("/testapp/nothing").await.text, "null");
    assert_eq!(s.get("/testapp/maybe").await.text, "null");
    assert_eq!(s.get("/testapp/maybe?x=1").await.text, "2");
    assert_eq!(s.get("/testapp/maybe?x=null").await.text, "null");
    let a = s
        .post_json("/testapp/mirror", &json!({"p": {"x": 1.5, "y": -2}}))
        .await;
    assert_eq!(a.json(), json!([{"x": -1.5, "y": 2.0}, [1, 2]]));
    let a = s.get("/testapp/slow_multiply?x=9223372036854775807&y=2").await;
    assert_eq!(a.error(400, "Bad Request"), "too big");
}

#[tokio::test]
async fn responses_of_the_functions_own_pass_through() {
    let s = server().await;
    let a = s.get("/testapp/custom").await;
    assert_eq!((a.status, a.text.as_str()), (201, "made by hand"));
    assert_eq!(a.headers["x-custom"], "yes");
    assert_eq!(s.get("/testapp/custom_result?ok=true").await.text, "plain");
    s.get("/testapp/custom_result?ok=false")
        .await
        .error(409, "Conflict");
}

#[tokio::test]
async fn routes_take_get_post_and_a_trailing_slash() {
    let s = server().await;
    assert_eq!(s.get("/testapp/multiply/?x=2&y=3").await.text, "6");
    assert_eq!(
        s.post_form("/testapp/multiply/", &[("x", "2"), ("y", "4")])
            .await
            .text,
        "8"
    );
    assert_eq!(s.get("/nested/other/ping").await.text, "\"pong\"");
    let a = s.send(s.client.head(s.url("/testapp/multiply?x=1&y=1"))).await;
    assert_eq!((a.status, a.text.as_str()), (200, ""));
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_standard_json() {
    let s = server().await;
    for path in [
        "/nope",
        "/testapp/nope",
        "/testapp/hello/extra",
        "/nested",
        "/other/ping",
    ] {
        let message = s.get(path).await.error(404, "Not Found");
        assert!(
            message.starts_with("The requested URL was not found"),
            "{message}"
        );
    }
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] {
        let request = s.client.request(method.parse().unwrap(), s.url("/testapp/hello"));
        let a = s.send(request).await;
        a.error(405, "Method Not Allowed");
        assert_eq!(a.headers["allow"], "GET, HEAD, POST");
    }
}

#[tokio::test]
async fn module_and_app_definitions() {
    let s = server().await;
    let root = format!("{}/", s.base);
    let expected_module = json!({
        "name": "nested.other",
        "doc": "Another module, for aliases and the app definition.",
        "url": format!("{root}nested/other"),
        "functions": [{"name": "ping", "doc": null, "url": format!("{root}nested/other/ping"), "args": []}],
    });
    assert_eq!(s.get("/nested/other").await.json(), expected_module);
    assert_eq!(
        s.post_json("/nested/other/", &json!({})).await.json(),
        expected_module
    );

    let testapp = s.get("/testapp").await;
    let text = testapp.text.clone();
    let def = testapp.json();
    // Keys in the original's order.
    assert!(
        text.starts_with(
            r#"{"name":"testapp","doc":"Functions for the tests.\nMore about the test module.","url":"#
        ),
        "{text}"
    );
    let hello = &def["functions"][0];
    assert_eq!(
        *hello,
        json!({"name": "hello", "doc": "Says hello.\n\nTo anyone.", "url": format!("{root}testapp/hello"),
               "args": [{"name": "who", "default": "world"}]})
    );
    assert!(
        text.contains(r#""args":[{"name":"who","default":"world"}]"#),
        "{text}"
    );
    let mirror = def["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "mirror")
        .unwrap();
    assert_eq!(
        mirror["args"],
        json!([{"name": "p"}, {"name": "tags", "default": [1, 2]}])
    );
    let maybe = def["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "maybe")
        .unwrap();
    assert_eq!(maybe["args"], json!([{"name": "x", "default": null}]));

    let js = s.get("/nested/other.js").await;
    assert_eq!(js.content_type, "text/javascript");
    assert_eq!(inside(&js.text, "pico.loadModuleDefinition("), expected_module);

    let app_def = s.get("/").await.json();
    assert_eq!(app_def["url"], root);
    assert_eq!(app_def["modules"][0]["name"], "testapp");
    assert_eq!(app_def["modules"][1], expected_module);
    let app_js = s.get("/picoapp.js").await;
    assert_eq!(app_js.content_type, "text/javascript");
    assert_eq!(inside(&app_js.text, "pico.loadAppDefinition("), app_def);
}

/// The JSON inside `call(...);`.
fn inside(js: &str, call: &str) -> serde_json::Value {
    let json = js
        .strip_prefix(call)
        .and_then(|j| j.strip_suffix(");"))
        .unwrap_or_else(|| panic!("{js}"));
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn arguments_come_from_query_form_multipart_and_json() {
    let s = server().await;
    assert_eq!(s.get("/testapp/multiply?x=6&y=7").await.text, "42");
    assert_eq!(
        s.post_form("/testapp/multiply", &[("x", "6"), ("y", "7")])
            .await
            .text,
        "42"
    );
    assert_eq!(
        s.post_json("/testapp/multiply", &json!({"x": 6, "y": 7}))
            .await
            .text,
        "42"
    );
    let form = reqwest::multipart::Form::new().text("x", "6").text("y", "7");
    assert_eq!(
        s.send(s.client.post(s.url("/testapp/multiply")).multipart(form))
            .await
            .text,
        "42"
    );
    // Later sources override earlier ones: query, form, files, JSON.
    let a = s
        .send(
            s.client
                .post(s.url("/testapp/multiply?x=1&y=7"))
                .form(&[("x", "2")]),
        )
        .await;
    assert_eq!(a.text, "14");
    let a = s
        .send(
            s.client
                .post(s.url("/testapp/multiply?x=1&y=7"))
                .json(&json!({"x": 3})),
        )
        .await;
    assert_eq!(a.text, "21");
}

#[tokio::test]
async fn query_and_form_values_are_pragmatic_json() {
    let s = server().await;
    assert_eq!(s.get("/testapp/echo?value=6").await.json(), json!(6));
    assert_eq!(s.get("/testapp/echo?value=%5B1,2%5D").await.json(), json!([1, 2]));
    assert_eq!(s.get("/testapp/echo?value=%22a%22").await.json(), json!("a"));
    assert_eq!(s.get("/testapp/echo?value=Tester").await.json(), json!("Tester"));
    assert_eq!(
        s.get("/testapp/hello?who=Arthur%20Dent").await.json(),
        json!("Hello Arthur Dent")
    );
    // A number is still a fine string for a `String` parameter.
    assert_eq!(s.get("/testapp/hello?who=42").await.json(), json!("Hello 42"));
    assert_eq!(
        s.post_form("/testapp/echo", &[("value", "{\"a\":1}")])
            .await
            .json(),
        json!({"a": 1})
    );
}

#[tokio::test]
async fn repeated_keys_become_lists() {
    let s = server().await;
    assert_eq!(s.get("/testapp/sum?xs=1&xs=2&xs=3").await.text, "6");
    assert_eq!(s.get("/testapp/sum?xs=%5B4,5%5D").await.text, "9");
    assert_eq!(s.get("/testapp/words?w=a&w=1").await.json(), json!(["a", "1"]));
    assert_eq!(
        s.get("/testapp/echo?value=1&value=b").await.json(),
        json!([1, "b"])
    );
    let form = [("xs", "1"), ("xs", "10")];
    assert_eq!(s.post_form("/testapp/sum", &form).await.text, "11");
}

#[tokio::test]
async fn multipart_files_arrive_as_uploads() {
    let s = server().await;
    let part = reqwest::multipart::Part::bytes(&b"some file contents"[..]).file_name("notes.txt");
    let form = reqwest::multipart::Form::new().part("upload", part);
    assert_eq!(
        s.send(s.client.post(s.url("/testapp/upload")).multipart(form))
            .await
            .json(),
        json!("some file contents")
    );

    let part = reqwest::multipart::Part::bytes(vec![0u8, 159, 146, 150])
        .file_name("blob.bin")
        .mime_str("application/x-thing")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part("upload", part)
        .text("note", "hi");
    let a = s
        .send(s.client.post(s.url("/testapp/upload_info")).multipart(form))
        .await;
    assert_eq!(a.json(), json!(["blob.bin", "application/x-thing", 4, "hi"]));

    let part = reqwest::multipart::Part::bytes(vec![1u8, 2, 255]).file_name("b");
    let form = reqwest::multipart::Form::new().part("file", part);
    assert_eq!(
        s.send(s.client.post(s.url("/testapp/file_bytes")).multipart(form))
            .await
            .json(),
        json!([1, 2, 255])
    );

    let form = reqwest::multipart::Form::new()
        .part(
            "files",
            reqwest::multipart::Part::bytes(&b"1"[..]).file_name("one"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(&b"2"[..]).file_name("two"),
        );
    let a = s
        .send(s.client.post(s.url("/testapp/file_names")).multipart(form))
        .await;
    assert_eq!(a.json(), json!(["one", "two"]));
}

/// FNV-1a, to compare large uploads without sending them back.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[tokio::test]
async fn large_parts_arrive_whole_and_in_order() {
    // Megabytes arrive in many reads, so the server puts each part together
    // from many pieces; the bytes include CR LF and dashes, which look like
    // the start of a boundary.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let data: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|i| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            match i % 4099 {
                0 => b'\r',
                1 => b'\n',
                2 | 3 => b'-',
                _ => (state >> 56) as u8,
            }
        })
        .collect();
    let note: String = (0..300_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let expected = json!([data.len(), fnv(&data), note.len(), fnv(note.as_bytes())]);
    let s = server().await;
    let form = reqwest::multipart::Form::new()
        .part(
            "upload",
            reqwest::multipart::Part::bytes(data).file_name("big.bin"),
        )
        .text("note", note);
    let a = s
        .send(s.client.post(s.url("/testapp/fingerprints")).multipart(form))
        .await;
    assert_eq!(a.json(), expected);
}

#[tokio::test]
async fn missing_and_unexpected_parameters_get_the_original_message() {
    let s = server().await;
    let a = s
        .get("/testapp/multiply?spam=1&eggs=2&_callback=cb&_debug=1")
        .await;
    assert_eq!((a.status, a.reason.as_str()), (400, "Bad Request"));
    assert_eq!(
        a.text,
        a.with_id(
            r#"{"name":"Bad Request","code":400,"message":"Unexpected parameters: [eggs, spam]. Missing required parameters: [x, y]. "}"#
        )
    );
    let message = s.get("/testapp/multiply?x=1").await.error(400, "Bad Request");
    assert_eq!(message, "Missing required parameters: [y]. ");
    let message = s
        .get("/testapp/hello?who=a&spam=1")
        .await
        .error(400, "Bad Request");
    assert_eq!(message, "Unexpected parameters: [spam]. ");
}

#[tokio::test]
async fn values_of_the_wrong_type_name_the_parameter() {
    let s = server().await;
    let message = s.get("/testapp/multiply?x=a&y=7").await.error(400, "Bad Request");
    assert_eq!(
        message,
        "Invalid value for parameter `x`: invalid type: string \"a\", expected i64."
    );
    let message = s
        .post_json("/testapp/multiply", &json!({"x": 6, "y": 1.5}))
        .await
        .error(400, "Bad Request");
    assert_eq!(
        message,
        "Invalid value for parameter `y`: 1.5 is not a whole number, expected i64."
    );
    let message = s
        .post_json("/testapp/mirror", &json!({"p": {"x": 1}}))
        .await
        .error(400, "Bad Request");
    assert_eq!(message, "Invalid value for parameter `p`: missing field `y`.");
    // A function that takes a file answers POST only; text where the file
    // goes is a wrong value.
    let a = s.get("/testapp/upload?upload=text").await;
    a.error(405, "Method Not Allowed");
    assert_eq!(a.headers["allow"], "POST");
    let message = s
        .post_form("/testapp/upload", &[("upload", "text")])
        .await
        .error(400, "Bad Request");
    assert_eq!(
        message,
        "Invalid value for parameter `upload`: invalid type: string \"text\", \
         expected an uploaded file (a file field of a multipart form)."
    );
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let s = server().await;
    let message = s
        .post_raw("/testapp/multiply", "application/json", "{\"x\": 6,")
        .await
        .error(400, "Bad Request");
    assert!(message.starts_with("The JSON body is malformed"), "{message}");
    for body in ["[1, 2]", "\"x\"", "null", "42"] {
        let message = s
            .post_raw("/testapp/multiply", "application/json", body)
            .await
            .error(400, "Bad Request");
        assert_eq!(
            message, "The JSON body must be an object of named arguments.",
            "{body}"
        );
    }
    let message = s
        .post_raw(
            "/testapp/hello",
            "application/x-www-form-urlencoded",
            "who=%FF%FE",
        )
        .await
        .error(400, "Bad Request");
    assert_eq!(message, "A query or form value is not valid UTF-8 once decoded.");
    let message = s
        .post_raw(
            "/testapp/hello",
            "multipart/form-data; boundary=XYZ",
            "--XYZ\r\nbroken",
        )
        .await
        .error(400, "Bad Request");
    assert!(
        message.starts_with("The multipart body is malformed"),
        "{message}"
    );
    let message = s
        .post_raw("/testapp/hello", "multipart/form-data", "x")
        .await
        .error(400, "Bad Request");
    assert_eq!(message, "The multipart Content-Type has no valid boundary.");
    // The server keeps serving.
    assert_eq!(s.get("/testapp/multiply?x=6&y=7").await.text, "42");
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let s = serve(app().body_limit(1024)).await;
    let big = format!("{{\"who\": \"{}\"}}", "a".repeat(2000));
    let message = s
        .post_raw("/testapp/hello", "application/json", big.clone())
        .await
        .error(413, "Payload Too Large");
    assert_eq!(
        message,
        "The request body is larger than the limit of 1024 bytes."
    );
    // Without a Content-Length too: a streamed (chunked) body.
    let chunks = futures_chunks(big.into_bytes());
    let request = s
        .client
        .post(s.url("/testapp/hello"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks));
    s.send(request).await.error(413, "Payload Too Large");
    assert_eq!(
        s.post_json("/testapp/hello", &json!({"who": "small"})).await.text,
        "\"Hello small\""
    );
}

fn futures_chunks(
    bytes: Vec<u8>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + Sync + 'static {
    let chunks: Vec<_> = bytes.chunks(100).map(|c| Ok(c.to_vec())).collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn the_default_body_limit_is_16_mib() {
    let s = server().await;
    let body = vec![b' '; 16 * 1024 * 1024 + 1];
    s.post_raw("/testapp/nothing", "application/json", body)
        .await
        .error(413, "Payload Too Large");
    let body = vec![b' '; 16 * 1024 * 1024];
    assert_eq!(
        s.post_raw("/testapp/nothing", "application/json", body)
            .await
            .text,
        "null"
    );
}

#[tokio::test]
async fn status_lines_on_the_wire_are_code_and_name() {
    let s = server().await;
    for (method, path, line) in [
        ("GET", "/testapp/multiply?x=1", "HTTP/1.1 400 Bad Request"),
        ("GET", "/testapp/login", "HTTP/1.1 401 Unauthorized"),
        ("GET", "/testapp/forbidden", "HTTP/1.1 403 Forbidden"),
        ("GET", "/nope", "HTTP/1.1 404 Not Found"),
        ("DELETE", "/testapp/hello", "HTTP/1.1 405 Method Not Allowed"),
        ("GET", "/testapp/teapot", "HTTP/1.1 418 I'm a teapot"),
        ("GET", "/testapp/fail", "HTTP/1.1 500 Internal Server Error"),
        ("GET", "/testapp/fail_async", "HTTP/1.1 500 Internal Server Error"),
    ] {
        let answer = s
            .raw(&format!(
                "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
            ))
            .await;
        assert!(answer.starts_with(&format!("{line}\r\n")), "{answer}");
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            format!("HTTP/1.1 {} {}", body["code"], body["name"].as_str().unwrap()),
            line
        );
    }
}

#[tokio::test]
async fn http_errors_keep_their_status_message_keys_and_headers() {
    let s = server().await;
    let a = s.get("/testapp/forbidden").await;
    assert_eq!((a.status, a.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        a.text,
        a.with_id(
            r#"{"name":"Forbidden","code":403,"message":"You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."}"#
        )
    );
    let a = s.get("/testapp/teapot").await;
    assert_eq!(a.error(418, "I'm a teapot"), "I will not make coffee.");
    assert_eq!(a.json()["brew"], "tea");
    assert_eq!(a.headers["retry-after"], "120");
    let a = s.get("/testapp/login").await;
    a.error(401, "Unauthorized");
    assert_eq!(a.headers["www-authenticate"], "Basic realm=\"Login required\"");
    s.get("/testapp/boxed_http").await.error(410, "Gone");
}

const INTERNAL: &str = r#"{"name":"Internal Server Error","code":500,"message":"The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."}"#;

#[tokio::test]
async fn panics_and_other_errors_are_500_and_the_server_keeps_serving() {
    let s = server().await;
    for path in [
        "/testapp/fail",
        "/testapp/fail_async",
        "/testapp/io_error",
        "/testapp/anyhow_error",
        "/testapp/unserializable",
    ] {
        let a = s.get(path).await;
        assert_eq!(
            (a.status, a.reason.as_str(), a.content_type.as_str()),
            (500, "Internal Server Error", "application/json")
        );
        assert_eq!(a.text, a.with_id(INTERNAL), "{path}");
        assert_eq!(s.get("/testapp/multiply?x=6&y=7").await.text, "42");
    }
    // Many at once, on the same connections.
    let answers = futures_join(&s, 50).await;
    assert!(
        answers
            .iter()
            .all(|a| a.status == 500 && a.text == a.with_id(INTERNAL))
    );
}

async fn futures_join(s: &Server, n: usize) -> Vec<Answer> {
    let mut handles = Vec::new();
    for i in 0..n {
        let client = s.client.clone();
        let url = s.url(if i % 2 == 0 {
            "/testapp/fail"
        } else {
            "/testapp/fail_async"
        });
        handles.push(tokio::spawn(async move {
            Answer::read(client.get(url).send().await.unwrap()).await
        }));
    }
    let mut answers = Vec::new();
    for h in handles {
        answers.push(h.await.unwrap());
    }
    answers
}

#[tokio::test]
async fn debug_mode_adds_details_of_internal_errors_only() {
    let s = serve(app().debug(true)).await;
    let body = s.get("/testapp/fail").await.json();
    let debug = &body["__debug__"];
    assert_eq!(debug["name"], "panic");
    assert_eq!(debug["message"], "fail!");
    let trace: Vec<&str> = debug["stack_trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let line = line_of("panic!(\"fail!\")");
    assert_eq!(trace, [format!("tests/api.rs:{line} in fail: panic!(\"fail!\")")]);

    let body = s.get("/testapp/fail_async").await.json();
    assert_eq!(body["__debug__"]["message"], "async fail 42");
    let trace = body["__debug__"]["stack_trace"].as_array().unwrap();
    let line = line_of("panic!(\"async fail {}\", 42)");
    assert_eq!(
        trace[0],
        format!("tests/api.rs:{line} in fail_async: panic!(\"async fail {{}}\", 42)")
    );

    let body = s.get("/testapp/io_error").await.json();
    assert_eq!(body["__debug__"]["name"], "std::io::error::Error");
    assert_eq!(body["__debug__"]["message"], "disk on fire");
    let line = line_of("pub fn io_error()");
    assert_eq!(
        body["__debug__"]["stack_trace"][0],
        format!("tests/api.rs:{line} in io_error: pub fn io_error() -> Result<String, std::io::Error> {{")
    );
    assert_eq!(
        s.get("/testapp/anyhow_error").await.json()["__debug__"]["message"],
        "anyhow failure"
    );

    // Never on errors meant for the client.
    assert!(
        s.get("/testapp/forbidden")
            .await
            .json()
            .get("__debug__")
            .is_none()
    );
    // And never with debug off.
    let s = server().await;
    assert!(s.get("/testapp/fail").await.json().get("__debug__").is_none());
}

/// The line of this file holding `needle` (once).
fn line_of(needle: &str) -> usize {
    let source = include_str!("api.rs");
    let lines: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "{needle}");
    lines[0]
}

#[tokio::test]
async fn jsonp_wraps_results_for_identifier_callbacks_only() {
    let s = server().await;
    let a = s.get("/testapp/multiply?x=6&y=7&_callback=app.receive").await;
    assert_eq!(
        (a.status, a.content_type.as_str(), a.text.as_str()),
        (200, "text/javascript", "app.receive(42);")
    );
    let a = s
        .post_form(
            "/testapp/multiply",
            &[("x", "6"), ("y", "7"), ("_callback", "$cb_1")],
        )
        .await;
    assert_eq!(a.text, "$cb_1(42);");
    let a = s.get("/testapp?_callback=defs").await;
    assert!(a.text.starts_with("defs({\"name\":\"testapp\""), "{}", a.text);
    for bad in ["alert(1)", "a;b", "1x", "%3Cscript%3E", ""] {
        let message = s
            .get(&format!("/testapp/multiply?x=6&y=7&_callback={bad}"))
            .await
            .error(400, "Bad Request");
        assert_eq!(
            message,
            "`_callback` must be a JavaScript identifier path such as `app.receive`."
        );
        s.get(&format!("/?_callback={bad}"))
            .await
            .error(400, "Bad Request");
    }
}

#[tokio::test]
async fn x_script_name_strips_the_prefix_and_prefixes_urls() {
    let s = server().await;
    let get = |path: &str, prefix: &str| s.client.get(s.url(path)).header("x-script-name", prefix);
    let a = s.send(get("/myapp/testapp/multiply?x=6&y=7", "/myapp/")).await;
    assert_eq!(a.text, "42");
    let def = s.send(get("/myapp/nested/other", "/myapp")).await.json();
    assert_eq!(def["url"], format!("{}/myapp/nested/other", s.base));
    assert_eq!(
        def["functions"][0]["url"],
        format!("{}/myapp/nested/other/ping", s.base)
    );
    let app_def = s.send(get("/myapp/", "/myapp")).await.json();
    assert_eq!(app_def["url"], format!("{}/myapp/", s.base));
    // A proxy that already stripped the prefix.
    assert_eq!(s.send(get("/testapp/multiply?x=1&y=2", "/myapp")).await.text, "2");
    for bad in ["myapp", "/a/../b", "http://evil.example", "/<script>"] {
        let message = s
            .send(get("/testapp/multiply?x=1&y=2", bad))
            .await
            .error(400, "Bad Request");
        assert_eq!(
            message,
            "The X-Script-Name header must be a URL path such as `/myapp`."
        );
    }
}

/// A multipart body with one file part.
fn one_file(name: &str, contents: &[u8]) -> (String, Vec<u8>) {
    let mut body = format!(
        "--B\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"f.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(contents);
    body.extend_from_slice(b"\r\n--B--\r\n");
    ("multipart/form-data; boundary=B".to_owned(), body)
}

#[tokio::test]
async fn a_file_arrives_as_text_or_bytes_as_the_parameter_asks() {
    let s = server().await;
    let (content_type, body) = one_file("file", "olá, files".as_bytes());
    let a = s.post_raw("/files/as_text", &content_type, body).await;
    assert_eq!(a.json(), json!("olá, files"));
    let (content_type, body) = one_file("file", &[0, 159, 146, 150, 255]);
    let a = s.post_raw("/files/as_bytes", &content_type, body.clone()).await;
    assert_eq!(a.json(), json!(5));
    // Bytes that are not UTF-8 are no `String`: a 400 that says so.
    let message = s
        .post_raw("/files/as_text", &content_type, body)
        .await
        .error(400, "Bad Request");
    assert!(message.contains("file"), "{message}");
}

#[tokio::test]
async fn an_async_fn_streams_what_it_returns() {
    let s = server().await;
    let a = s.get("/files/fetched?n=3").await;
    assert_eq!(a.content_type, "text/event-stream");
    assert_eq!(
        a.text,
        "data: 1\n\ndata: 2\n\ndata: 3\n\nevent: close\ndata: close\n\n"
    );
    // Called directly, it is the plain `async fn` it was written as.
    assert_eq!(files::fetched(2).await, [1, 2]);
}

#[tokio::test]
async fn pico_js_is_cached_and_revalidated_by_its_etag() {
    let s = server().await;
    let first = s.get("/pico.js").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.headers["cache-control"], "no-cache");
    // Weak when the script came compressed, as it does to this client
    // (reqwest asks for it, and undoes it): the bytes sent are not the
    // script's own.
    let sent = first.headers["etag"].to_str().unwrap();
    let etag = sent.trim_start_matches("W/").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let revalidate = |tag: String| {
        let request = s.client.get(s.url("/pico.js")).header("if-none-match", tag);
        s.send(request)
    };
    let fresh = revalidate(etag.clone()).await;
    assert_eq!(fresh.status, 304);
    assert!(fresh.text.is_empty());
    assert_eq!(fresh.headers["etag"], etag.as_str());
    // A weak form of it, and a list holding it, are the same copy.
    assert_eq!(revalidate(format!("\"other\", W/{etag}")).await.status, 304);
    // Another version's tag gets the script again.
    let stale = revalidate("\"0000000000000000\"".to_owned()).await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.text, first.text);
}
