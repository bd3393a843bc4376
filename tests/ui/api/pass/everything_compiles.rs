// The forms an exposed function may take all compile, and stay callable.
#[pico::api]
mod api {
    use pico::{HttpError, Response, Upload};

    #[expose]
    pub fn plain() {}

    #[expose]
    pub fn typed(a: i64, b: Vec<String>, c: Option<f64>, #[default(3)] d: u8) -> (i64, usize, Option<f64>, u8) {
        (a, b.len(), c, d)
    }

    #[expose]
    pub async fn fallible(x: i64) -> Result<i64, HttpError> {
        Ok(x)
    }

    #[expose]
    pub fn io(path: String) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    #[expose]
    pub fn response() -> Response {
        Response::default()
    }

    #[expose]
    pub fn upload(mut file: Upload) -> String {
        file.file_name.push('!');
        file.file_name
    }

    #[expose]
    fn private_but_exposed(upload: Vec<u8>) -> usize {
        upload.len()
    }

    pub fn not_exposed() -> usize {
        private_but_exposed(vec![1])
    }
}

fn main() {
    assert_eq!(api::typed(1, vec![], None, 3), (1, 0, None, 3));
    assert_eq!(api::not_exposed(), 1);
    let module = api::module();
    assert_eq!(module.functions().len(), 7);
}
