//! The connection's other end under Pico's own server, which hands it to
//! the app beside each request rather than in the request's extensions:
//! every reader still finds it. The trusted-proxy rule in an app with no
//! code that reads extensions, and behind CORS; axum's `ConnectInfo` in
//! an extractor, a hook and the app's own axum routes.

mod common;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::routing::get;

use common::Server;

#[pico::api]
mod plain {
    #[expose]
    #[require_method(POST)]
    fn echo(word: String) -> String {
        word
    }
}

#[pico::api]
mod reads {
    use std::net::SocketAddr;

    use axum::extract::ConnectInfo;
    use pico::{Args, HttpError, Request};

    #[prehandle]
    fn note_peer(request: &mut Request, _args: &mut Args) -> Result<(), HttpError> {
        let seen = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let said = request.peer_addr().map(|a| a.ip());
        request.set("hook", format!("{seen:?} {said:?}"));
        Ok(())
    }

    #[expose]
    #[request_args(hook = "hook")]
    fn peer(#[from_request] info: ConnectInfo<SocketAddr>, hook: String) -> String {
        format!("{} {hook}", info.0.ip())
    }
}

/// `app` under `pico::Server` on a free port.
async fn own(app: pico::App) -> Server {
    let (base, _stop, _task) = common::serve_until_stopped(pico::Server::new(), app).await;
    Server {
        base,
        client: reqwest::Client::new(),
    }
}

/// `POST /api/plain/echo?word=hi` with `X-Forwarded-Prefix: /api`, to an
/// app that trusts `proxy` and has no code that reads extensions.
async fn echo_under_prefix(proxy: &str) -> common::Answer {
    let s = own(pico::App::new()
        .register(plain::module())
        .trusted_proxies([proxy]))
    .await;
    let call = s.client.post(s.url("/api/plain/echo?word=hi"));
    s.send(call.header("x-forwarded-prefix", "/api")).await
}

#[tokio::test]
async fn a_trusted_proxys_prefix_is_honoured_in_an_app_that_reads_no_extensions() {
    assert_eq!(echo_under_prefix("127.0.0.1").await.json(), "hi");
    // Not trusted, the same header is the client's own word: no prefix.
    assert_eq!(echo_under_prefix("192.0.2.1").await.status, 404);
}

#[tokio::test]
async fn behind_cors_a_preflight_under_a_trusted_prefix_finds_its_route() {
    let app = || {
        pico::App::new()
            .register(plain::module())
            .trusted_proxies(["127.0.0.1"])
            .allow_origins(["https://app.example"])
    };
    let s = own(app()).await;
    let preflight = |path: &str, prefixed: bool| {
        let request = s
            .client
            .request(reqwest::Method::OPTIONS, s.url(path))
            .header("origin", "https://app.example")
            .header("access-control-request-method", "POST");
        match prefixed {
            true => request.header("x-forwarded-prefix", "/api"),
            false => request,
        }
    };
    let direct = s.send(preflight("/plain/echo", false)).await;
    let prefixed = s.send(preflight("/api/plain/echo", true)).await;
    let allowed = |answer: &common::Answer| answer.headers["access-control-allow-methods"].clone();
    assert_eq!(allowed(&prefixed), allowed(&direct), "{prefixed:?}");
    assert!(!allowed(&direct).to_str().unwrap().contains("GET"), "{direct:?}");
    let call = s
        .client
        .post(s.url("/api/plain/echo?word=hi"))
        .header("x-forwarded-prefix", "/api")
        .header("origin", "https://app.example");
    assert_eq!(s.send(call).await.json(), "hi");
}

#[tokio::test]
async fn an_extractor_a_hook_and_the_apps_routes_see_connect_info() {
    let routes = axum::Router::new().route(
        "/mine",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    let s = own(pico::App::new().register(reads::module()).routes(routes)).await;
    assert_eq!(
        s.get("/reads/peer").await.json(),
        "127.0.0.1 Some(127.0.0.1) Some(127.0.0.1)"
    );
    assert_eq!(s.get("/mine").await.text, "127.0.0.1");
}
