// `#[derive(pico::HttpError)]` needs a status for every variant: here `Busy` has none and there is no default.
#[derive(Debug, thiserror::Error, pico::HttpError)]
pub enum NoteError {
    #[error("not found")]
    #[http(status = 404)]
    NotFound,
    #[error("busy")]
    Busy,
}

fn main() {}
