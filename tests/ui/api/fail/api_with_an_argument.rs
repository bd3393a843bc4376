// `#[pico::api]` takes no argument but `client`.
#[pico::api(name = "other")]
mod api {
    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
