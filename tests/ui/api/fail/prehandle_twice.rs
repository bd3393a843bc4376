// Two `#[prehandle]`s in one module.
#[pico::api]
mod api {
    use pico::{Args, Request};

    #[prehandle]
    fn first(_request: &mut Request, _args: &mut Args) {}

    #[prehandle]
    fn second(_request: &mut Request, _args: &mut Args) {}

    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
