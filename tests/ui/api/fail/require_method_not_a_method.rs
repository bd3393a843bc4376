// `#[require_method]` with something that is not an HTTP method.
#[pico::api]
mod api {
    #[expose]
    #[require_method("post it")]
    pub fn submit() -> bool {
        true
    }
}

fn main() {}
