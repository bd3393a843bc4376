//! The code `#[pico::api]` generates is lint-clean, so that users who deny
//! warnings and pedantic lints never get them from us. `cargo clippy
//! --all-targets` checks this file.

#![deny(warnings, missing_docs, clippy::pedantic)]

/// Every form of exposed function, under the strictest lints, with its
/// client stubs.
#[pico::api(client)]
pub mod linted {
    use std::collections::HashMap;

    use pico::{Args, HttpError, Request, Response, Upload};

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

    /// A module prehandle.
    ///
    /// # Errors
    /// Never.
    #[prehandle]
    pub fn before(request: &mut Request, _args: &mut Args) -> Result<(), HttpError> {
        request.set("seen", true);
        Ok(())
    }

    /// A check.
    #[must_use]
    pub fn allowed(request: &Request, _args: &Args) -> bool {
        request.token().is_some()
    }

    /// Every decorator at once.
    #[expose]
    #[must_use]
    #[protected(allowed)]
    #[require_method(POST)]
    #[request_args(req, ip = remote_addr, seen = "seen", session = pico::cookie("session"))]
    #[delete_cookie("old", path = "/")]
    // The lint is about this function's own signature, not the code the
    // macro generates around it.
    #[allow(clippy::needless_pass_by_value)]
    pub fn decorated(req: Request, ip: Option<String>, seen: bool, session: Option<String>) -> String {
        format!("{} {ip:?} {seen} {session:?}", req.path())
    }

    /// Cookies.
    #[expose]
    #[must_use]
    #[set_cookie(max_age = 60, secure, same_site = "Strict")]
    pub fn cookies() -> HashMap<String, String> {
        HashMap::new()
    }

    /// A stream.
    #[expose]
    #[stream]
    #[must_use]
    pub fn items(n: u8) -> Vec<Result<u8, HttpError>> {
        (0..n).map(Ok).collect()
    }
}

#[test]
fn the_module_has_all_its_functions() {
    let names: Vec<&str> = linted::module()
        .functions()
        .iter()
        .map(pico::Function::name)
        .collect();
    assert_eq!(
        names,
        [
            "sync",
            "fallible",
            "raw",
            "upload",
            "decorated",
            "cookies",
            "items"
        ]
    );
    assert_eq!(linted::sync(1, 2, None), "12");
}
