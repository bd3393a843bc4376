// Returning `impl Serialize`: Pico serialises the result through its concrete type.
#[pico::api]
mod api {
    #[expose]
    pub fn list() -> impl serde::Serialize {
        vec![1, 2, 3]
    }
}

fn main() {
    let _ = api::module();
}
