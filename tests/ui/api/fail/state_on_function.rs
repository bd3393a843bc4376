// `#[state]` marks a parameter, not the function.
#[pico::api]
mod counter {
    #[expose]
    #[state]
    pub fn read(count: u64) -> u64 {
        count
    }
}

fn main() {
    let _ = counter::module();
}
