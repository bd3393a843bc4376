// An `unsafe` exposed function: requests cannot uphold its contract.
#[pico::api]
mod api {
    #[expose]
    pub unsafe fn risky() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
