//! Everything Pico does, one function each: `cargo run --example everything`,
//! then open <http://127.0.0.1:4242/index.html>.

/// Everything Pico can do, one function each.
#[pico::api]
pub mod api {
    use std::collections::HashMap;
    use std::time::Duration;

    use futures_util::Stream;
    use pico::{Args, HttpError, Request, Upload};
    use serde::Deserialize;

    /// Who is calling: with basic auth the password must be `secret`;
    /// without it the user is anonymous (`null`). A wrong password is a 401
    /// with no `WWW-Authenticate` challenge: the page signs in itself, and a
    /// browser's login prompt would get in its way.
    #[prehandle]
    pub fn set_user(request: &mut Request, _args: &mut Args) -> Result<(), HttpError> {
        let user = match request.basic_auth() {
            Some((user, password)) if password == "secret" => Some(user),
            Some(_) => {
                return Err(HttpError::unauthorized().with_message("Incorrect username or password"));
            }
            None => None,
        };
        request.set("user", user);
        Ok(())
    }

    /// Says hello.
    #[expose]
    pub fn hello(#[default("world")] who: String) -> String {
        format!("Hello {who}")
    }

    /// Multiplies two integers (the product of any two fits in an
    /// `i128`).
    #[expose]
    pub fn multiply(x: i64, y: i64) -> i128 {
        i128::from(x) * i128::from(y)
    }

    /// Always fails: a bug on the server is a 500 with no details (unless
    /// in debug mode).
    #[expose]
    pub fn fail() -> String {
        panic!("fail!")
    }

    /// Fails with an error it returns rather than a panic: a 500 too.
    #[expose]
    pub fn broken() -> std::io::Result<String> {
        std::fs::read_to_string("/nonexistent/pico/config.toml")
    }

    /// Refuses, as a teapot must.
    #[expose]
    pub fn make_coffee() -> Result<String, HttpError> {
        Err(HttpError::im_a_teapot())
    }

    /// Gives a text file's contents back; only `.txt` files.
    #[expose]
    pub fn upload(upload: Upload, filename: String) -> Result<String, HttpError> {
        if !filename.ends_with(".txt") {
            return Err(HttpError::bad_request().with_message("Upload must be a .txt file!"));
        }
        String::from_utf8(upload.data.to_vec())
            .map_err(|_| HttpError::bad_request().with_message("The file is not UTF-8 text."))
    }

    /// The caller's IP address, a request attribute.
    #[expose]
    #[request_args(ip = remote_addr)]
    pub fn my_ip(ip: Option<String>) -> Option<String> {
        ip
    }

    fn client_ip(request: &Request) -> Result<Option<String>, HttpError> {
        Ok(request.remote_addr().map(|a| a.ip().to_string()))
    }

    /// The caller's IP address, by a function of the request.
    #[expose]
    #[request_args(ip = client_ip)]
    pub fn my_ip3(ip: Option<String>) -> Option<String> {
        ip
    }

    /// The user the prehandle stored.
    #[expose]
    #[request_args(user = "user")]
    pub fn current_user(user: Option<String>) -> Option<String> {
        user
    }

    /// The `session_id` cookie.
    #[expose]
    #[request_args(session_id = pico::cookie("session_id"))]
    pub fn session_id(session_id: Option<String>) -> Option<String> {
        session_id
    }

    /// Sets the `session_id` cookie.
    #[expose]
    #[set_cookie]
    pub fn start_session() -> HashMap<String, String> {
        HashMap::from([("session_id".to_owned(), "42".to_owned())])
    }

    /// Deletes the `session_id` cookie.
    #[expose]
    #[delete_cookie("session_id")]
    pub fn end_session() -> bool {
        true
    }

    /// The `X-Session-Id` header.
    #[expose]
    #[request_args(session_id = pico::header("x-session-id"))]
    pub fn session_id2(session_id: Option<String>) -> Option<String> {
        session_id
    }

    /// Counts down from `n - 1` to 0, one number every fifth of a second; from
    /// 9 at most, so that a request cannot keep a stream open for hours.
    #[expose]
    #[stream]
    pub fn countdown(#[default(10)] n: u32) -> impl Stream<Item = u32> {
        futures_util::stream::unfold((n.min(10), true), |(n, first)| async move {
            if n == 0 {
                return None;
            }
            if !first {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Some((n - 1, (n - 1, false)))
        })
    }

    /// Someone, described.
    #[derive(Debug, Deserialize, pico::JsonSchema)]
    #[schemars(crate = "pico::schemars")]
    pub struct User {
        /// Their name.
        pub name: String,
        /// What they do.
        pub occupation: String,
        /// How old they are.
        pub age: u32,
    }

    /// Describes a user given as an object.
    #[expose]
    pub fn user_description(user: User) -> String {
        format!("{} is a {} aged {}", user.name, user.occupation, user.age)
    }

    /// The source of this module.
    #[expose]
    pub fn show_source() -> &'static str {
        include_str!("main.rs")
    }
}

fn main() {
    let app = pico::App::new()
        .register(api::module())
        .static_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/everything/static"));
    pico::serve(app);
}
