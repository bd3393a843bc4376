// One `#[http(status = ...)]` per type or variant.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[http(status = 404)]
#[http(status = 410)]
#[error("gone")]
pub struct Gone;

fn main() {}
