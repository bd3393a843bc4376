// `#[request_args]` names parameters, not values.
#[pico::api]
mod api {
    #[expose]
    #[request_args(1)]
    pub fn who(ip: String) -> String {
        ip
    }
}

fn main() {
    let _ = api::module();
}
