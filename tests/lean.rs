//! Pico with `default-features = false` builds, serves under its own loop
//! (HTTP/1.1 alone), and answers a multipart body, which it cannot read
//! without the `multipart` feature, with the standard JSON error.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_lean_build_serves_and_says_what_it_left_out() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lean_build");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--locked", "--quiet", "--manifest-path"])
        .arg(format!("{dir}/Cargo.toml"))
        .arg("--target-dir")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/target/lean"))
        .status()
        .expect("cargo runs");
    assert!(built.success());
    let mut server = Stopped(
        Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/lean/debug/lean-build"
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap(),
    );
    let mut address = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let base = format!("http://{}", address.trim());
    let client = reqwest::Client::new();

    let hello = client
        .post(format!("{base}/greeting/hello"))
        .json(&serde_json::json!({"who": "lean"}))
        .send()
        .await
        .unwrap();
    assert_eq!(hello.status(), 200);
    assert_eq!(hello.text().await.unwrap(), r#""hello lean!""#);

    let form = reqwest::multipart::Form::new().text("who", "lean");
    let multipart = client
        .post(format!("{base}/greeting/hello"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(multipart.status(), 415);
    let body: serde_json::Value = multipart.json().await.unwrap();
    assert_eq!(body["code"], 415);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("the `multipart` feature of pico"),
        "{body}"
    );
}

/// The server, stopped however the test ends.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
