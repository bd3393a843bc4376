// `#[blocking]` cannot go with `#[stream]`.
#[pico::api]
mod api {
    #[expose]
    #[blocking]
    #[stream]
    pub fn items() -> Vec<u32> {
        vec![1]
    }
}

fn main() {
    let _ = api::module();
}
