// A `#[stream]` function's items are the response: it cannot also set cookies.
#[pico::api]
mod api {
    use std::collections::HashMap;

    #[expose]
    #[stream]
    #[set_cookie]
    pub fn items() -> Vec<HashMap<String, String>> {
        Vec::new()
    }
}

fn main() {
    let _ = api::module();
}
