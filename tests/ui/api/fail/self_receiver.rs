// `#[expose]` on a function that takes `self`.
#[pico::api]
mod api {
    pub struct Counter;

    #[expose]
    pub fn count(&self) -> u32 {
        1
    }
}

fn main() {}
