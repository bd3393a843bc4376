//! The behaviour of the original pico's own tests (`tests/test_app.py` and
//! `tests/test_args.py`, core parts), over real HTTP.

// The original tests send 3.14, which is not meant as π.
#![allow(clippy::approx_constant)]

mod common;

use common::serve;
use serde_json::json;

#[pico::api]
mod testapp {
    use pico::Upload;
    use serde::Serialize;

    #[expose]
    fn hello(#[default("world")] who: String) -> String {
        format!("Hello {who}")
    }

    #[expose]
    fn multiply(x: i64, y: i64) -> i64 {
        x * y
    }

    #[expose]
    fn upload(upload: Upload) -> String {
        String::from_utf8_lossy(&upload.data).into_owned()
    }

    #[expose]
    fn fail() -> String {
        panic!("fail")
    }

    #[derive(Serialize)]
    struct Parsed {
        str_arg: String,
        int_arg: i64,
        float_arg: f64,
        list_arg: Vec<i64>,
        int_arg2: i64,
        file_arg: Option<Vec<u8>>,
    }

    /// What `test_args.py` checks: each argument arrives with its type.
    #[expose]
    fn parse(
        str_arg: String,
        int_arg: i64,
        float_arg: f64,
        list_arg: Vec<i64>,
        int_arg2: i64,
        file_arg: Option<Vec<u8>>,
    ) -> Parsed {
        Parsed {
            str_arg,
            int_arg,
            float_arg,
            list_arg,
            int_arg2,
            file_arg,
        }
    }
}

fn app() -> pico::App {
    pico::App::new().register(testapp::module())
}

#[tokio::test]
async fn hello_by_get_post_form_and_json() {
    let s = serve(app()).await;
    assert_eq!(
        s.get("/testapp/hello?who=Tester").await.json(),
        json!("Hello Tester")
    );
    assert_eq!(
        s.get("/testapp/hello?who=Arthur%20Dent").await.json(),
        json!("Hello Arthur Dent")
    );
    assert_eq!(
        s.post_form("/testapp/hello", &[("who", "Tester")]).await.json(),
        json!("Hello Tester")
    );
    assert_eq!(
        s.post_json("/testapp/hello", &json!({"who": "Tester"}))
            .await
            .json(),
        json!("Hello Tester")
    );
    assert_eq!(s.get("/testapp/hello").await.json(), json!("Hello world"));
}

#[tokio::test]
async fn multiply_by_get_post_form_and_json() {
    let s = serve(app()).await;
    assert_eq!(s.get("/testapp/multiply?x=6&y=7").await.json(), json!(42));
    assert_eq!(
        s.post_form("/testapp/multiply", &[("x", "6"), ("y", "7")])
            .await
            .json(),
        json!(42)
    );
    assert_eq!(
        s.post_json("/testapp/multiply", &json!({"x": 6, "y": 7}))
            .await
            .json(),
        json!(42)
    );
    // Python multiplies the string "a" seven times; with Rust types it is a 400.
    s.get("/testapp/multiply?x=a&y=7").await.error(400, "Bad Request");
}

#[tokio::test]
async fn upload_gives_the_file_back() {
    let s = serve(app()).await;
    let part = reqwest::multipart::Part::bytes(&b"some file contents"[..]).file_name("test.txt");
    let form = reqwest::multipart::Form::new().part("upload", part);
    let a = s
        .send(s.client.post(s.url("/testapp/upload")).multipart(form))
        .await;
    assert_eq!(a.json(), json!("some file contents"));
}

#[tokio::test]
async fn fail_is_500() {
    let s = serve(app()).await;
    let a = s.get("/testapp/fail").await;
    assert_eq!((a.status, a.reason.as_str()), (500, "Internal Server Error"));
}

fn expected(file: Option<&[u8]>) -> serde_json::Value {
    json!({"str_arg": "hello world", "int_arg": 42, "float_arg": 3.14, "list_arg": [1, 2, 3],
           "int_arg2": 42, "file_arg": file})
}

#[tokio::test]
async fn arguments_from_a_json_body_and_the_query() {
    let s = serve(app()).await;
    let body = json!({"str_arg": "hello world", "int_arg": 42, "float_arg": 3.14, "list_arg": [1, 2, 3]});
    assert_eq!(
        s.post_json("/testapp/parse?int_arg2=42", &body).await.json(),
        expected(None)
    );
}

#[tokio::test]
async fn arguments_from_form_fields_with_a_file() {
    let s = serve(app()).await;
    let form = reqwest::multipart::Form::new()
        .text("str_arg", "hello world")
        .text("int_arg", "42")
        .text("float_arg", "3.14")
        .text("list_arg", "[1,2,3]")
        .part(
            "file_arg",
            reqwest::multipart::Part::bytes(&b"file data"[..]).file_name("f.bin"),
        );
    let a = s
        .send(s.client.post(s.url("/testapp/parse?int_arg2=42")).multipart(form))
        .await;
    assert_eq!(a.json(), expected(Some(b"file data")));
    let form = [
        ("str_arg", "hello world"),
        ("int_arg", "42"),
        ("float_arg", "3.14"),
        ("list_arg", "[1, 2, 3]"),
    ];
    let a = s
        .send(s.client.post(s.url("/testapp/parse?int_arg2=42")).form(&form))
        .await;
    assert_eq!(a.json(), expected(None));
}

#[tokio::test]
async fn arguments_from_the_query_string_with_repeated_keys() {
    let s = serve(app()).await;
    let query =
        "str_arg=hello%20world&int_arg=42&float_arg=3.14&list_arg=1&list_arg=2&list_arg=3&int_arg2=42";
    assert_eq!(
        s.get(&format!("/testapp/parse?{query}")).await.json(),
        expected(None)
    );
}
