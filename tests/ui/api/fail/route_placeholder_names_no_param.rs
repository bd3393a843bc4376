// A route's placeholder that names no parameter of the function.
#[pico::api]
mod api {
    #[expose]
    #[route(GET, "/links/{slug}")]
    pub fn read(id: String) -> String {
        id
    }
}

fn main() {}
