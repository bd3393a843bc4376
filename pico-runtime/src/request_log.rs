//! The development server's line per request:
//! `GET /example/hello?who=you 200 0.4ms`.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// One line per request: `GET /example/hello?who=you 200 0.4ms`.
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    tracing::info!(
        target: "pico::request",
        "{method} {uri} {} {:.1?}",
        response.status().as_u16(),
        start.elapsed()
    );
    response
}
