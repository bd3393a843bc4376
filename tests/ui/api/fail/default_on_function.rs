// `#[default]` on the function rather than on a parameter.
#[pico::api]
mod api {
    #[expose]
    #[default(1)]
    pub fn repeat(times: u32) -> u32 {
        times
    }
}

fn main() {
    let _ = api::module();
}
