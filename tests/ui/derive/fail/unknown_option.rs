// `#[http(...)]` takes `status = N` and `header(...)` only.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(code = 404)]
#[error("gone")]
pub struct Gone;

fn main() {}
