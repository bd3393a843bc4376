// One parameter filled from the request twice.
#[pico::api]
mod api {
    #[expose]
    #[request_args(ip = remote_addr, ip = user_agent)]
    pub fn who(ip: String) -> String {
        ip
    }
}

fn main() {
    let _ = api::module();
}
