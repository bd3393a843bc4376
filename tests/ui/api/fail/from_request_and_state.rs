// A parameter is filled one way: `#[state]` and `#[from_request]` together is a mistake.
#[pico::api]
mod notes {
    #[expose]
    pub fn read(#[state] #[from_request] value: u64) -> u64 {
        value
    }
}

fn main() {
    let _ = notes::module();
}
