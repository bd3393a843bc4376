// A placeholder that is part of a segment rather than the whole of one.
#[pico::api]
mod api {
    #[expose]
    #[route(GET, "/links/v{slug}")]
    pub fn read(slug: String) -> String {
        slug
    }
}

fn main() {}
