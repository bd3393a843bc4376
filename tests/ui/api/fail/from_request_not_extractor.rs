// A `#[from_request]` parameter must be an axum extractor.
pub struct NotAnExtractor;

#[pico::api]
mod notes {
    use super::NotAnExtractor;

    #[expose]
    pub fn read(#[from_request] value: NotAnExtractor) -> u64 {
        let _ = value;
        0
    }
}

fn main() {
    let _ = notes::module();
}
