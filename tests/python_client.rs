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
    let args = ["tests/python/client_test.py".as_ref(), server.base.as_ref()];
    let stdout = common::run_to_success(&python, &args).await;
    assert!(stdout.contains("ok - basic auth"), "{stdout}");
}
