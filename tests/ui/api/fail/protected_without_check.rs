// `#[protected]` without the check to run.
#[pico::api]
mod api {
    #[expose]
    #[protected]
    pub fn secret() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
