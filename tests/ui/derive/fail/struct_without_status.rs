// A struct has no variants: its status goes on the type.
#[derive(Debug, thiserror::Error, pico::HttpError)]
#[error("gone")]
pub struct Gone;

fn main() {}
