// A cookie `path` that is not a string.
#[pico::api]
mod api {
    use std::collections::HashMap;

    #[expose]
    #[set_cookie(path = 3)]
    pub fn start() -> HashMap<String, String> {
        HashMap::new()
    }
}

fn main() {
    let _ = api::module();
}
