// `#[status(204)]` on a function that answers a value.
#[pico::api]
mod api {
    #[expose]
    #[status(204)]
    pub fn forget(slug: String) -> String {
        slug
    }
}

fn main() {}
