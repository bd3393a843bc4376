// `#[pico::expose]` on something that is not a function.
#[pico::expose]
pub struct Note;

fn main() {}
