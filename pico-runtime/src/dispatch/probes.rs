//! The answers of `/healthz` and `/readyz` (see `application::health`):
//! a small JSON body when alive or ready, the standard 503 otherwise.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use http::request::Parts;

use crate::application::built_app::BuiltApp;
use crate::application::health::NotReady;
use crate::dispatch::request::Arrival;
use crate::dispatch::response_future::ResponseFuture;
use crate::errors::http_error::HttpError;
use crate::respond::response::json_response;

/// `/healthz`: the process answers.
pub(crate) fn alive() -> Response {
    json_response(br#"{"status":"alive"}"#.to_vec())
}

/// `/readyz`: every check passed, or a 503 naming those that did not.
pub(crate) fn ready(shared: &Arc<BuiltApp>, parts: Parts, arrival: Arrival) -> ResponseFuture {
    let shared = Arc::clone(shared);
    ResponseFuture::later(async move {
        let Some(health) = &shared.health else {
            return shared.refuse(arrival, parts, HttpError::not_found());
        };
        let why = match health.ready().await {
            Ok(()) => return json_response(br#"{"status":"ready"}"#.to_vec()),
            Err(NotReady::Stopping) => "Not ready: the server is stopping.".to_owned(),
            Err(NotReady::Failed(failed)) => {
                let said: Vec<String> = failed
                    .iter()
                    .map(|(name, why)| format!("`{name}` ({why})"))
                    .collect();
                format!("Not ready: the check {} failed.", said.join(", the check "))
            }
        };
        let error = HttpError::new(StatusCode::SERVICE_UNAVAILABLE).with_message(why);
        shared.refuse(arrival, parts, error)
    })
}
