// An `extern` exposed function.
#[pico::api]
mod api {
    #[expose]
    pub extern "C" fn c_style() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
