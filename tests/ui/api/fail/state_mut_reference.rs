// A `#[state]` value is shared by every request, so it cannot be borrowed mutably.
#[pico::api]
mod counter {
    #[expose]
    pub fn bump(#[state] count: &mut u64) -> u64 {
        *count += 1;
        *count
    }
}

fn main() {
    let _ = counter::module();
}
