// `#[expose]` on a method of an `impl` block inside the module.
#[pico::api]
mod links {
    pub struct Shortener;

    impl Shortener {
        #[expose]
        pub fn shorten(url: String) -> String {
            url
        }
    }

    #[expose]
    pub fn count() -> u32 {
        1
    }
}

fn main() {
    let _ = links::module();
}
