// A constraint Pico does not check.
#[pico::api]
mod api {
    #[expose]
    pub fn find(#[garde(credit_card)] number: String) -> String {
        number
    }
}

fn main() {}
