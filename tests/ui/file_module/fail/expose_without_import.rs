// `#[expose]` outside a `#[pico::api]` module, without `use pico::expose`.
mod notes {
    #[expose]
    pub fn read() -> u32 {
        1
    }
}

fn main() {
    let _ = notes::read();
}
