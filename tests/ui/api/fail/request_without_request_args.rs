// A `pico::Request` parameter not named in `#[request_args]`.
#[pico::api]
mod api {
    #[expose]
    pub fn path(request: pico::Request) -> String {
        request.path().to_owned()
    }
}

fn main() {
    let _ = api::module();
}
