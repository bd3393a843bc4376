// `#[expose]` on a generic function.
#[pico::api]
mod api {
    #[expose]
    pub fn echo<T: serde::Serialize>(value: T) -> T {
        value
    }
}

fn main() {}
