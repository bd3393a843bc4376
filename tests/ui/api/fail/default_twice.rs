// Two `#[default]`s on one parameter.
#[pico::api]
mod api {
    #[expose]
    pub fn repeat(#[default(1)] #[default(2)] times: u32) -> u32 {
        times
    }
}

fn main() {
    let _ = api::module();
}
