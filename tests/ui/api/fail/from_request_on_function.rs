// `#[from_request]` marks a parameter, not the function.
#[pico::api]
mod api {
    #[expose]
    #[from_request]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
