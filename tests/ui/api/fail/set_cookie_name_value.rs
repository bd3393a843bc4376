// `#[set_cookie]` takes its options in parentheses.
#[pico::api]
mod api {
    use std::collections::HashMap;

    #[expose]
    #[set_cookie = "session"]
    pub fn start() -> HashMap<String, String> {
        HashMap::new()
    }
}

fn main() {
    let _ = api::module();
}
