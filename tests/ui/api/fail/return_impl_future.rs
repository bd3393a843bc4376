// Returning `impl Future` rather than writing `async fn`.
#[pico::api]
mod api {
    #[expose]
    pub fn later() -> impl std::future::Future<Output = u32> {
        async { 1 }
    }
}

fn main() {
    let _ = api::module();
}
