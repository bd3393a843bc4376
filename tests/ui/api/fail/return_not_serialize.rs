// A return type that does not implement `serde::Serialize`.
pub struct Secret(pub u32);

#[pico::api]
mod api {
    #[expose]
    pub fn secret() -> super::Secret {
        super::Secret(42)
    }
}

fn main() {}
