// A type with an HTTP status must be an error (`std::error::Error`), as thiserror derives.
#[derive(Debug, pico::HttpError)]
#[http(status = 404)]
pub struct Gone;

fn main() {}
