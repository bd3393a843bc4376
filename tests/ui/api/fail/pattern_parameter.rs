// A parameter without a plain name: the name is the argument's name in requests.
#[pico::api]
mod api {
    #[expose]
    pub fn add((a, b): (u32, u32)) -> u32 {
        a + b
    }
}

fn main() {
    let _ = api::module();
}
