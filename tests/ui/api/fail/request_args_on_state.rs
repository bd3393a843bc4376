// A `#[state]` parameter also named in `#[request_args]`.
#[pico::api]
mod api {
    #[expose]
    #[request_args(count = "count")]
    pub fn read(#[state] count: &u64) -> u64 {
        *count
    }
}

fn main() {
    let _ = api::module();
}
