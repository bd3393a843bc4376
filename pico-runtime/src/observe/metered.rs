//! One request under the app's metrics: counted as under way from its
//! arrival, and as answered once its answer (a stream's last byte
//! included) is out, or no longer under way if its client left first.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use http::StatusCode;

use crate::observe::metrics::Shared;
use crate::observe::series::{Answered, method_index};

pub(crate) struct Metered {
    shared: Arc<Shared>,
    method: usize,
    request_size: Option<u64>,
    ended: bool,
}

impl Metered {
    pub(crate) fn begin(shared: &Arc<Shared>, request: &Request) -> Metered {
        let method = method_index(request.method());
        shared.begin(method);
        Metered {
            shared: Arc::clone(shared),
            method,
            // Known when declared (or when there is none): a chunked body's
            // size is not, until it is read.
            request_size: http_body::Body::size_hint(request.body()).exact(),
            ended: false,
        }
    }

    /// The request answered: `route` as Pico matched it (empty for none),
    /// `error` the failure of a 5xx.
    pub(crate) fn end(
        mut self,
        (route, error): (&str, Option<&str>),
        status: StatusCode,
        start: Option<Instant>,
        response_size: Option<u64>,
    ) {
        self.ended = true;
        self.shared.end(&Answered {
            method: self.method,
            route,
            status: status.as_u16(),
            error,
            duration: start.map(|start| start.elapsed()).unwrap_or_default(),
            request_size: self.request_size,
            response_size,
        });
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        if !self.ended {
            self.shared.left(self.method);
        }
    }
}
