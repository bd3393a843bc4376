// An error's status is 400 to 599: 200 is not an error.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(status = 200)]
#[error("all fine")]
pub struct Fine;

fn main() {}
