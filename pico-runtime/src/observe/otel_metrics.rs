//! With the `otel` feature: the request metrics recorded in OpenTelemetry's
//! instruments too, under the conventions' own names and units, for
//! whatever the app's meter provider exports them to.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter, UpDownCounter};

use crate::observe::series::{Answered, DURATION_BOUNDS, SIZE_BOUNDS, method_label};

pub(crate) struct Instruments {
    duration: Histogram<f64>,
    active: UpDownCounter<i64>,
    request_size: Histogram<u64>,
    response_size: Histogram<u64>,
}

impl Instruments {
    pub(crate) fn new(meter: &Meter) -> Self {
        Instruments {
            duration: meter
                .f64_histogram("http.server.request.duration")
                .with_unit("s")
                .with_description("Duration of HTTP server requests.")
                .with_boundaries(DURATION_BOUNDS.to_vec())
                .build(),
            active: meter
                .i64_up_down_counter("http.server.active_requests")
                .with_unit("{request}")
                .with_description("Number of active HTTP server requests.")
                .build(),
            request_size: meter
                .u64_histogram("http.server.request.body.size")
                .with_unit("By")
                .with_description("Size of HTTP server request bodies.")
                .with_boundaries(SIZE_BOUNDS.to_vec())
                .build(),
            response_size: meter
                .u64_histogram("http.server.response.body.size")
                .with_unit("By")
                .with_description("Size of HTTP server response bodies, before compression.")
                .with_boundaries(SIZE_BOUNDS.to_vec())
                .build(),
        }
    }

    pub(crate) fn begin(&self, method: usize) {
        self.active
            .add(1, &[KeyValue::new("http.request.method", method_label(method))]);
    }

    pub(crate) fn left(&self, method: usize) {
        self.active
            .add(-1, &[KeyValue::new("http.request.method", method_label(method))]);
    }

    pub(crate) fn end(&self, answered: &Answered<'_>) {
        let method = KeyValue::new("http.request.method", method_label(answered.method));
        self.active.add(-1, std::slice::from_ref(&method));
        let mut attributes = vec![
            method,
            KeyValue::new("http.response.status_code", i64::from(answered.status)),
        ];
        // Absent, as the conventions say, when no route matched.
        if !answered.route.is_empty() {
            attributes.push(KeyValue::new("http.route", answered.route.to_owned()));
        }
        if let Some(error) = answered.error {
            attributes.push(KeyValue::new("error.type", error.to_owned()));
        }
        self.duration.record(answered.duration.as_secs_f64(), &attributes);
        if let Some(size) = answered.request_size {
            self.request_size.record(size, &attributes);
        }
        if let Some(size) = answered.response_size {
            self.response_size.record(size, &attributes);
        }
    }
}
