// A misspelled pico attribute inside a `#[pico::api]` module.
#[pico::api]
mod api {
    fn is_admin(_: &pico::Request, _: &pico::Args) -> bool {
        false
    }

    #[expose]
    #[protect(is_admin)]
    pub fn secret() -> u32 {
        42
    }
}

fn main() {}
