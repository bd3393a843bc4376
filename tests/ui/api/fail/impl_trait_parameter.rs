// An `impl Trait` parameter: Pico reads each argument into a concrete type.
#[pico::api]
mod api {
    #[expose]
    pub fn show(value: impl std::fmt::Display) -> String {
        value.to_string()
    }
}

fn main() {
    let _ = api::module();
}
