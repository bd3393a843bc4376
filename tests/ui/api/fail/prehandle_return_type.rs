// A `#[prehandle]` that returns something else than `()` or a `Result`.
#[pico::api]
mod api {
    use pico::{Args, Request};

    #[prehandle]
    fn check(_request: &mut Request, _args: &mut Args) -> u32 {
        1
    }

    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
