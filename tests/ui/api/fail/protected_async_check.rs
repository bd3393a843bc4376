// A `#[protected]` check that is `async`: checks run before the call, synchronously.
#[pico::api]
mod api {
    use pico::{Args, Request};

    async fn signed_in(_request: &Request, _args: &Args) -> bool {
        true
    }

    #[expose]
    #[protected(signed_in)]
    pub fn secret() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
