// A `#[default]` of another type than the parameter's.
#[pico::api]
mod api {
    #[expose]
    pub fn repeat(#[default(1.5)] times: u32) -> u32 {
        times
    }
}

fn main() {
    let _ = api::module();
}
