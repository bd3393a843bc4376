// `#[status]` with a redirect's status.
#[pico::api]
mod api {
    #[expose]
    #[status(303)]
    pub fn go() -> String {
        "there".to_owned()
    }
}

fn main() {}
