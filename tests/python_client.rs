//! The original Python client, `pico.client` from pico==2.0.5, unchanged,
//! against our server (`tests/python/client_test.py`). `scripts/test-all`
//! makes its virtualenv and points `PICO_PYTHON` at it.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

/// The virtualenv's Python, when there is one.
fn python() -> Option<String> {
    let python = std::env::var("PICO_PYTHON")
        .ok()
        .filter(|p| std::path::Path::new(p).exists());
    if python.is_none() {
        common::missing("a virtualenv with pico==2.0.5 (PICO_PYTHON)");
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
