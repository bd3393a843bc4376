// `#[responses(404)]` on a function that cannot fail.
#[pico::api]
mod api {
    #[expose]
    #[responses(404)]
    pub fn hello() -> String {
        "hello".to_owned()
    }
}

fn main() {}
