// `#[derive(pico::HttpError)]` goes on an enum or a struct.
#[derive(pico::HttpError)]
pub union Bits {
    a: u32,
    b: f32,
}

fn main() {}
