// A `#[request_args]` function whose value does not fit the parameter's type.
#[pico::api]
mod api {
    use pico::{HttpError, Request};

    fn current_user(_request: &Request) -> Result<String, HttpError> {
        Ok("arthur".to_owned())
    }

    #[expose]
    #[request_args(user = current_user)]
    pub fn id(user: u64) -> u64 {
        user
    }
}

fn main() {
    let _ = api::module();
}
