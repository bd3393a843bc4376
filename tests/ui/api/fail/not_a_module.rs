// `#[pico::api]` on a function rather than a module.
#[pico::api]
pub fn hello() -> &'static str {
    "hello"
}

fn main() {}
