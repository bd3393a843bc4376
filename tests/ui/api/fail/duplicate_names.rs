// Two exposed functions with the same name.
#[pico::api]
mod api {
    #[expose]
    pub fn hello() -> &'static str {
        "hello"
    }

    #[expose]
    pub fn hello() -> &'static str {
        "hello again"
    }
}

fn main() {}
