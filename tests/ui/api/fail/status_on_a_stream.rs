// `#[status]` on a stream.
#[pico::api]
mod api {
    #[expose]
    #[stream]
    #[status(202)]
    pub fn count() -> Vec<u32> {
        vec![1, 2, 3]
    }
}

fn main() {}
