// `#[stream]` takes no arguments.
#[pico::api]
mod api {
    #[expose]
    #[stream(json)]
    pub fn count() -> Vec<u32> {
        vec![1]
    }
}

fn main() {
    let _ = api::module();
}
