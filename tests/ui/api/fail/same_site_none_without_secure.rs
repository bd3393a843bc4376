// Browsers drop a `SameSite=None` cookie that is not `Secure`.
#[pico::api]
mod session {
    use std::collections::HashMap;

    #[expose]
    #[set_cookie(same_site = "None")]
    pub fn start() -> HashMap<String, String> {
        HashMap::new()
    }
}

fn main() {
    let _ = session::module();
}
