// A status is a number, not a string.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(status = "404")]
#[error("gone")]
pub struct Gone;

fn main() {}
