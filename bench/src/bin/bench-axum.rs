//! Server B: the same endpoints written by hand in plain axum, answering the
//! same JSON, error bodies included, as a careful axum user would.

use std::convert::Infallible;

use axum::extract::{Multipart, Query};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde::Deserialize;

const NOT_FOUND: &str = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
const INTERNAL: &str = "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    name: &'a str,
    code: u16,
    message: &'a str,
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = ErrorBody {
        name: status.canonical_reason().unwrap_or("Error"),
        code: status.as_u16(),
        message,
    };
    (status, Json(body)).into_response()
}

#[derive(Deserialize)]
struct MultiplyArgs {
    x: i64,
    y: i64,
}

async fn multiply(args: Result<Query<MultiplyArgs>, axum::extract::rejection::QueryRejection>) -> Response {
    match args {
        Ok(Query(a)) => Json(a.x.wrapping_mul(a.y)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.body_text()),
    }
}

#[derive(Deserialize)]
struct HelloArgs {
    who: String,
}

async fn hello(args: Result<Json<HelloArgs>, axum::extract::rejection::JsonRejection>) -> Response {
    match args {
        Ok(Json(a)) => Json(format!("hello {}!", a.who)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.body_text()),
    }
}

async fn object() -> Json<pico_bench::Object> {
    Json(pico_bench::object())
}

async fn missing() -> Response {
    error(StatusCode::NOT_FOUND, NOT_FOUND)
}

async fn panics() -> Json<u32> {
    panic!("boom")
}

async fn items() -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let items = (0..100u32).map(|i| Ok(Event::default().data(i.to_string())));
    let close = std::iter::once(Ok(Event::default().event("close").data("close")));
    Sse::new(futures_util::stream::iter(items.chain(close)))
}

async fn upload(mut multipart: Multipart) -> Response {
    let mut size = 0;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.bytes().await {
                Ok(bytes) => size += bytes.len(),
                Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text()),
            },
            Ok(None) => return Json(size).into_response(),
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text()),
        }
    }
}

#[tokio::main]
async fn main() {
    // Like Pico, answer a panic with the standard body and keep stderr quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let router = Router::new()
        .route("/bench/multiply", any(multiply))
        .route("/bench/hello", any(hello))
        .route("/bench/object", any(object))
        .route("/bench/missing", any(missing))
        .route("/bench/panics", any(panics))
        .route("/bench/items", any(items))
        .route("/bench/upload", any(upload))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            error(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL)
        }))
        .fallback(|| async { error(StatusCode::NOT_FOUND, NOT_FOUND) });
    let listener = tokio::net::TcpListener::bind(pico_bench::address())
        .await
        .unwrap();
    println!("{}", listener.local_addr().unwrap());
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await.unwrap();
}
