// `#[delete_cookie]` without the names of the cookies to delete.
#[pico::api]
mod api {
    #[expose]
    #[delete_cookie(path = "/")]
    pub fn end() -> bool {
        true
    }
}

fn main() {
    let _ = api::module();
}
