// `#[pico::mixin]` needs the mixin to compose.
#[pico::mixin]
struct App;

fn main() {}
