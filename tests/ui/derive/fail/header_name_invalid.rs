// A header's name is a token: no spaces, no colon.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(status = 503, header("Retry After:", "5"))]
#[error("busy")]
pub struct Busy;

fn main() {}
