// `#[default]` without a value.
#[pico::api]
mod api {
    #[expose]
    pub fn hello(#[default] who: String) -> String {
        format!("hello {who}")
    }
}

fn main() {}
