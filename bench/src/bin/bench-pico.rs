//! Server A: the benchmark's endpoints written with Pico.

#[pico::api]
mod bench {
    use pico::{HttpError, Upload};

    #[expose]
    fn multiply(x: i64, y: i64) -> i64 {
        x.wrapping_mul(y)
    }

    #[expose]
    fn hello(who: String) -> String {
        format!("hello {who}!")
    }

    #[expose]
    fn object() -> pico_bench::Object {
        pico_bench::object()
    }

    #[expose]
    fn missing() -> Result<(), HttpError> {
        Err(HttpError::not_found())
    }

    #[expose]
    fn panics() -> u32 {
        panic!("boom")
    }

    #[expose]
    #[stream]
    fn items() -> std::ops::Range<u32> {
        0..100
    }

    #[expose]
    fn upload(file: Upload) -> usize {
        file.data.len()
    }
}

#[tokio::main]
async fn main() {
    let router = pico::App::new()
        .debug(false)
        .register(bench::module())
        .into_router();
    let listener = tokio::net::TcpListener::bind(pico_bench::address())
        .await
        .unwrap();
    println!("{}", listener.local_addr().unwrap());
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await.unwrap();
}
