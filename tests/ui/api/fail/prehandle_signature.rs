// A `#[prehandle]` whose signature is not `fn(&mut Request, &mut Args)`.
#[pico::api]
mod api {
    #[prehandle]
    fn check(token: String) -> bool {
        token.is_empty()
    }

    #[expose]
    pub fn hello() -> &'static str {
        "hello"
    }
}

fn main() {}
