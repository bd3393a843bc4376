// `#[pico::api(client)]` in a crate that did not turn on pico's `client` feature.
#[pico::api(client)]
mod api {
    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
