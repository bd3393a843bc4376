// `#[expose]` on something that is not a function of the module.
#[pico::api]
mod api {
    #[expose]
    pub struct Note;

    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {
    let _ = api::module();
}
