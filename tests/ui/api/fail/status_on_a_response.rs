// `#[status]` on a function that answers a response of its own.
#[pico::api]
mod api {
    #[expose]
    #[status(201)]
    pub fn make() -> pico::Response {
        pico::Response::default()
    }
}

fn main() {}
