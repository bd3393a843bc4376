//! The scenarios: each endpoint, its request, and the answer it must give.

use bytes::Bytes;
use http::{Method, StatusCode};

/// One thing measured: a request, and how to know its answer is right.
pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
    pub(crate) status: StatusCode,
    pub(crate) check: fn(&[u8]) -> bool,
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let boundary = "pico-bench-boundary";
    let mut upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    upload.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    upload.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    vec![
        Scenario {
            name: "multiply (query)",
            method: Method::GET,
            path: "/bench/multiply?x=6&y=7",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::OK,
            check: |b| b == b"42",
        },
        Scenario {
            name: "hello (JSON body)",
            method: Method::POST,
            path: "/bench/hello",
            content_type: Some("application/json".to_owned()),
            body: Bytes::from_static(br#"{"who": "bench"}"#),
            status: StatusCode::OK,
            check: |b| b == br#""hello bench!""#,
        },
        Scenario {
            name: "4 KiB object",
            method: Method::GET,
            path: "/bench/object",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::OK,
            check: |b| b.len() > 3500 && b.starts_with(br#"{"kind":"benchmark""#),
        },
        Scenario {
            name: "HttpError 404",
            method: Method::GET,
            path: "/bench/missing",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::NOT_FOUND,
            check: |b| b.starts_with(br#"{"name":"Not Found","code":404,"#),
        },
        Scenario {
            name: "panic 500",
            method: Method::GET,
            path: "/bench/panics",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::INTERNAL_SERVER_ERROR,
            check: |b| b.starts_with(br#"{"name":"Internal Server Error","code":500,"#),
        },
        Scenario {
            name: "stream of 100",
            method: Method::GET,
            path: "/bench/items",
            content_type: None,
            body: Bytes::new(),
            status: StatusCode::OK,
            check: |b| b.starts_with(b"data: 0\n\n") && b.ends_with(b"event: close\ndata: close\n\n"),
        },
        Scenario {
            name: "upload 1 MiB",
            method: Method::POST,
            path: "/bench/upload",
            content_type: Some(format!("multipart/form-data; boundary={boundary}")),
            body: Bytes::from(upload),
            status: StatusCode::OK,
            check: |b| b == b"1048576",
        },
    ]
}
