//! The behaviour of the original pico's own tests (`tests/test_app.py` and
//! `tests/test_args.py`, core parts), through the in-process client as the
//! original's run through Werkzeug's test client: a socket adds nothing here
//! (`api.rs` makes the same kinds of calls over HTTP).

// The original tests send 3.14, which is not meant as π.
#![allow(clippy::approx_constant)]

use pico::Upload;
use pico::client::{Answer, Client};
use serde_json::{Value, json};

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

fn client() -> Client {
    Client::in_process(pico::App::new().register(testapp::module()))
}

fn json_of(answer: &Answer) -> Value {
    assert_eq!(answer.status(), 200, "{}", answer.text());
    answer.json().unwrap()
}

async fn get(path: &str) -> Value {
    json_of(&client().get(path).send().await.unwrap())
}

fn file(name: &str, data: &'static [u8]) -> Upload {
    Upload {
        file_name: name.to_owned(),
        content_type: "application/octet-stream".to_owned(),
        data: data.into(),
    }
}

#[tokio::test]
async fn hello_by_get_post_form_and_json() {
    let c = client();
    assert_eq!(get("testapp/hello?who=Tester").await, json!("Hello Tester"));
    assert_eq!(
        get("testapp/hello?who=Arthur%20Dent").await,
        json!("Hello Arthur Dent")
    );
    let form = c
        .post("testapp/hello")
        .form("who", "Tester")
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&form), json!("Hello Tester"));
    let body = c
        .post("testapp/hello")
        .json(&json!({"who": "Tester"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&body), json!("Hello Tester"));
    assert_eq!(get("testapp/hello").await, json!("Hello world"));
}

#[tokio::test]
async fn multiply_by_get_post_form_and_json() {
    let c = client();
    assert_eq!(get("testapp/multiply?x=6&y=7").await, json!(42));
    let form = c
        .post("testapp/multiply")
        .form("x", "6")
        .form("y", "7")
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&form), json!(42));
    let body = c
        .post("testapp/multiply")
        .json(&json!({"x": 6, "y": 7}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&body), json!(42));
    // Python multiplies the string "a" seven times; with Rust types it is a 400.
    let answer = c.get("testapp/multiply?x=a&y=7").send().await.unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test]
async fn upload_gives_the_file_back() {
    let upload = file("test.txt", b"some file contents");
    let answer = client()
        .post("testapp/upload")
        .file("upload", upload)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&answer), json!("some file contents"));
}

#[tokio::test]
async fn fail_is_500() {
    let answer = client().get("testapp/fail").send().await.unwrap();
    assert_eq!(answer.status(), 500);
    assert_eq!(answer.error().unwrap().name(), "Internal Server Error");
}

fn expected(file: Option<&[u8]>) -> Value {
    json!({"str_arg": "hello world", "int_arg": 42, "float_arg": 3.14, "list_arg": [1, 2, 3],
           "int_arg2": 42, "file_arg": file})
}

#[tokio::test]
async fn arguments_from_a_json_body_and_the_query() {
    let body = json!({"str_arg": "hello world", "int_arg": 42, "float_arg": 3.14, "list_arg": [1, 2, 3]});
    let answer = client()
        .post("testapp/parse?int_arg2=42")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&answer), expected(None));
}

#[tokio::test]
async fn arguments_from_form_fields_with_a_file() {
    let c = client();
    let multipart = c
        .post("testapp/parse?int_arg2=42")
        .field("str_arg", "hello world")
        .field("int_arg", "42")
        .field("float_arg", "3.14")
        .field("list_arg", "[1,2,3]")
        .file("file_arg", file("f.bin", b"file data"));
    assert_eq!(
        json_of(&multipart.send().await.unwrap()),
        expected(Some(b"file data"))
    );
    let form = c
        .post("testapp/parse?int_arg2=42")
        .form("str_arg", "hello world")
        .form("int_arg", "42")
        .form("float_arg", "3.14")
        .form("list_arg", "[1, 2, 3]");
    assert_eq!(json_of(&form.send().await.unwrap()), expected(None));
}

#[tokio::test]
async fn arguments_from_the_query_string_with_repeated_keys() {
    let query =
        "str_arg=hello%20world&int_arg=42&float_arg=3.14&list_arg=1&list_arg=2&list_arg=3&int_arg2=42";
    assert_eq!(get(&format!("testapp/parse?{query}")).await, expected(None));
}
