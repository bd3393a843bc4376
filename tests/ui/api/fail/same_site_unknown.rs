// `same_site` is "Strict", "Lax" or "None".
#[pico::api]
mod api {
    use std::collections::HashMap;

    #[expose]
    #[set_cookie(same_site = "Loose")]
    pub fn start() -> HashMap<String, String> {
        HashMap::new()
    }
}

fn main() {
    let _ = api::module();
}
