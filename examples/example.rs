//! The README's example: `cargo run --example example`, then
//! `curl 'http://127.0.0.1:4242/example/hello?who=you'`.

/// Greetings.
#[pico::api]
pub mod example {
    use pico::HttpError;

    /// Say hello.
    #[expose]
    pub fn hello(who: String) -> String {
        format!("hello {who}!")
    }

    /// Say goodbye, to the world unless told otherwise.
    #[expose]
    pub fn goodbye(#[default("world")] who: String) -> String {
        format!("goodbye {who}!")
    }

    /// Multiply two integers.
    #[expose]
    pub async fn multiply(x: i64, y: i64) -> Result<i64, HttpError> {
        x.checked_mul(y)
            .ok_or_else(|| HttpError::bad_request().with_message("The product does not fit in 64 bits."))
    }
}

fn main() {
    let app = pico::App::new().register(example::module());
    pico::serve(app);
}
