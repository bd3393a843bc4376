// A `#[state]` parameter taken by value is a clone of the app's value, so its type must be `Clone`.
pub struct Store;

#[pico::api]
mod notes {
    use super::Store;

    #[expose]
    pub fn read(#[state] store: Store) -> u64 {
        let _ = store;
        0
    }
}

fn main() {
    let _ = notes::module();
}
