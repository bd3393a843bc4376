// `#[responses]` with a number that is no HTTP status.
#[pico::api]
mod api {
    #[expose]
    #[responses(303, 700)]
    pub fn go() -> pico::Response {
        pico::Response::default()
    }
}

fn main() {}
