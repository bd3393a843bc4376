// `range` on a text.
#[pico::api]
mod api {
    #[expose]
    pub fn find(#[garde(range(min = 1, max = 3))] name: String) -> String {
        name
    }
}

fn main() {}
