//! The code `#[pico::api]` generates is lint-clean, so that users who deny
//! warnings and pedantic lints never get them from us. `cargo clippy
//! --all-targets` checks this file.

#![deny(warnings, missing_docs, clippy::pedantic)]

/// Every form of exposed function, under the strictest lints.
#[pico::api]
pub mod linted {
    use pico::{HttpError, Response, Upload};

    /// A sync function.
    #[expose]
    #[must_use]
    pub fn sync(a: i64, #[default(2)] b: i64, c: Option<String>) -> String {
        format!("{a}{b}{}", c.unwrap_or_default())
    }

    /// An async function returning a `Result`.
    ///
    /// # Errors
    /// Never.
    #[expose]
    pub async fn fallible(x: u8) -> Result<u8, HttpError> {
        tokio::task::yield_now().await;
        Ok(x)
    }

    /// A function returning its own response.
    #[expose]
    #[must_use]
    pub fn raw() -> Response {
        Response::default()
    }

    /// A file upload.
    #[expose]
    #[must_use]
    pub fn upload(file: Upload) -> String {
        file.file_name
    }
}

#[test]
fn the_module_has_all_its_functions() {
    let names: Vec<&str> = linted::module()
        .functions()
        .iter()
        .map(pico::Function::name)
        .collect();
    assert_eq!(names, ["sync", "fallible", "raw", "upload"]);
    assert_eq!(linted::sync(1, 2, None), "12");
}
