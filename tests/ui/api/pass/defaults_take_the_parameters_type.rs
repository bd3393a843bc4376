// A default is of the parameter's type: `Vec::new()` needs no annotation.
#[pico::api]
mod api {
    #[expose]
    pub fn tags(#[default(Vec::new())] tags: Vec<String>, #[default("none")] label: String) -> usize {
        tags.len() + label.len()
    }
}

fn main() {
    let _ = api::module();
}
