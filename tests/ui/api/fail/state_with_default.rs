// A `#[state]` parameter is not sent by clients, so a default means nothing.
#[pico::api]
mod counter {
    #[expose]
    pub fn read(#[state] #[default(0)] count: u64) -> u64 {
        count
    }
}

fn main() {
    let _ = counter::module();
}
