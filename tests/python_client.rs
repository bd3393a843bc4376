//! The original Python client, `pico.client` from pico==2.0.5, unchanged,
//! against our server (`tests/python/client_test.py`). `scripts/test-all`
//! makes its virtualenv and points `PICO_PYTHON` at it.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

/// The virtualenv's Python, when there is one; under CI there must be.
fn python() -> Option<String> {
    let python = std::env::var("PICO_PYTHON")
        .ok()
        .filter(|p| std::path::Path::new(p).exists());
    if python.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PICO_PYTHON is not set: scripts/test-all makes the virtualenv with pico==2.0.5"
        );
        // Straight to the file descriptor: the test harness captures
        // `eprintln!`, and this must be seen.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"\n*** SKIPPED: no virtualenv with pico==2.0.5 (PICO_PYTHON); scripts/test-all makes one ***\n",
        );
    }
    python
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_python_client_works_unchanged() {
    let Some(python) = python() else { return };
    let app = pico::App::new().register_as("everything-module", everything::api::module());
    let server = common::serve(app).await;
    let output = tokio::process::Command::new(python)
        .arg("tests/python/client_test.py")
        .arg(&server.base)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok - basic auth"), "{stdout}");
}
