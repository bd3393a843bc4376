// `#[request_args]` naming a parameter the function does not have.
#[pico::api]
mod api {
    #[expose]
    #[request_args(ip = remote_addr)]
    pub fn my_ip(address: String) -> String {
        address
    }
}

fn main() {}
