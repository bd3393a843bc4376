// `max_age` without the seconds.
#[pico::api]
mod api {
    use std::collections::HashMap;

    #[expose]
    #[set_cookie(max_age)]
    pub fn start() -> HashMap<String, String> {
        HashMap::new()
    }
}

fn main() {
    let _ = api::module();
}
