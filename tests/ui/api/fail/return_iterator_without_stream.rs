// Returning an iterator without `#[stream]`.
#[pico::api]
mod api {
    #[expose]
    pub fn count() -> impl Iterator<Item = u32> {
        0..3
    }
}

fn main() {
    let _ = api::module();
}
