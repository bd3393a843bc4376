// The same rules as in an inline module: a `#[state]` value is never `&mut`.
#[pico::expose]
pub fn bump(#[state] count: &mut u64) -> u64 {
    *count += 1;
    *count
}

pico::module!(bump);

fn main() {
    let _ = module();
}
