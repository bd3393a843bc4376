// `#[stream]` on a function that returns neither an iterator nor a stream.
#[pico::api]
mod api {
    #[expose]
    #[stream]
    pub fn count() -> u32 {
        3
    }
}

fn main() {}
