// `header` takes a name and a value.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(status = 503, header("Retry-After"))]
#[error("busy")]
pub struct Busy;

fn main() {}
