// A route's method that is not one a route answers.
#[pico::api]
mod api {
    #[expose]
    #[route(FETCH, "/links/{slug}")]
    pub fn read(slug: String) -> String {
        slug
    }
}

fn main() {}
