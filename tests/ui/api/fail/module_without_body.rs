// `#[pico::api]` on a module declared without its body.
#[pico::api]
mod elsewhere;

fn main() {}
