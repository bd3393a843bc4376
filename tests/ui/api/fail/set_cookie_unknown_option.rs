// A cookie option that does not exist.
#[pico::api]
mod api {
    use std::collections::HashMap;

    #[expose]
    #[set_cookie(expires = 3600)]
    pub fn start() -> HashMap<String, String> {
        HashMap::new()
    }
}

fn main() {
    let _ = api::module();
}
