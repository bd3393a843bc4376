// A lifetime on an exposed function: arguments are owned, read from the request.
#[pico::api]
mod api {
    #[expose]
    pub fn echo<'a>(text: &'a str) -> String {
        text.to_owned()
    }
}

fn main() {
    let _ = api::module();
}
