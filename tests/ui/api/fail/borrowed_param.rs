// A parameter that borrows (`&str`) instead of owning its value.
#[pico::api]
mod api {
    #[expose]
    pub fn hello(who: &str) -> String {
        format!("hello {who}")
    }
}

fn main() {}
