// `#[responses]` with a name where a status goes.
#[pico::api]
mod api {
    #[expose]
    #[responses(SeeOther)]
    pub fn go() -> pico::Response {
        pico::Response::default()
    }
}

fn main() {}
