//! The site forged requests are tried against: a function with a side
//! effect, one that sets a session cookie, one that answers a `Response` of
//! its own, and what the request looked like to the app. Shared by
//! `forgery.rs` (over HTTP) and `browser.rs` (in Chromium).

#[pico::api]
pub(crate) mod site {
    use std::collections::HashMap;

    #[expose]
    fn hello(who: String) -> String {
        format!("Hello {who}")
    }

    #[expose]
    #[set_cookie]
    fn start_session() -> HashMap<String, String> {
        HashMap::from([("session_id".to_owned(), "42".to_owned())])
    }

    #[expose]
    #[set_cookie]
    fn guarded_cookie(name: String) -> HashMap<String, String> {
        HashMap::from([(name, "v".to_owned())])
    }

    #[expose]
    fn redirect() -> pico::Response {
        axum::response::IntoResponse::into_response(axum::response::Redirect::to("/elsewhere"))
    }

    #[expose]
    #[request_args(req)]
    fn whoami(req: pico::Request) -> HashMap<String, String> {
        req.cookies()
    }

    #[expose]
    #[request_args(req)]
    fn scheme(req: pico::Request) -> bool {
        req.is_https()
    }
}
