// `#[prehandle]` takes no arguments.
#[pico::api]
mod api {
    use pico::{Args, Request};

    #[prehandle(all)]
    fn first(_request: &mut Request, _args: &mut Args) {}

    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
