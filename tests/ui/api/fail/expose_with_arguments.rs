// `#[expose]` takes no arguments.
#[pico::api]
mod api {
    #[expose(name = "other")]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
