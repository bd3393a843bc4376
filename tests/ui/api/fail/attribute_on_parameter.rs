// A function's attribute written on a parameter.
#[pico::api]
mod api {
    #[expose]
    pub fn count(#[stream] n: u32) -> u32 {
        n
    }
}

fn main() {
    let _ = api::module();
}
