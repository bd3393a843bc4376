// An exposed function's error type must be an `HttpError`, derive it, or be a `std::error::Error`.
pub struct Oops;

#[pico::api]
mod notes {
    use super::Oops;

    #[expose]
    pub fn read() -> Result<u64, Oops> {
        Err(Oops)
    }
}

fn main() {
    let _ = notes::module();
}
