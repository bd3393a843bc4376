//! Serves one function with Pico's lean features, on a port of the
//! system's choosing, which it prints first.

#[pico::api]
mod greeting {
    #[expose]
    fn hello(who: String) -> String {
        format!("hello {who}!")
    }
}

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", listener.local_addr().unwrap());
    let app = pico::App::new().register(greeting::module());
    pico::Server::new()
        .serve_on(listener, app, std::future::pending())
        .await
        .unwrap();
}
