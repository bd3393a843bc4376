// `#[responses(303)]` on a function that answers its result as JSON.
#[pico::api]
mod api {
    #[expose]
    #[responses(303)]
    pub fn hello() -> String {
        "hello".to_owned()
    }
}

fn main() {}
