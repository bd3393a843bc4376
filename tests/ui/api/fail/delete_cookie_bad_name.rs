// `#[delete_cookie]` with a name a browser would send back in another
// spelling: a space is not part of a cookie's name.
#[pico::api]
mod api {
    #[expose]
    #[delete_cookie("session id")]
    pub fn end() -> bool {
        true
    }
}

fn main() {
    let _ = api::module();
}
