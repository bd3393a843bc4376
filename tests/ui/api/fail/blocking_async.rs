// `#[blocking]` is for sync functions: an `async fn` awaits instead of blocking.
#[pico::api]
mod work {
    #[expose]
    #[blocking]
    pub async fn crunch() -> u64 {
        42
    }
}

fn main() {
    let _ = work::module();
}
