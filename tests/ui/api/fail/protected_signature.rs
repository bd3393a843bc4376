// A `#[protected]` check whose signature is not `fn(&Request, &Args) -> bool`.
#[pico::api]
mod api {
    fn is_admin(user: &str) -> bool {
        user == "admin"
    }

    #[expose]
    #[protected(is_admin)]
    pub fn secret() -> u32 {
        42
    }
}

fn main() {}
