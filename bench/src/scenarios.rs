//! The scenarios: each endpoint, its request, the answer it must give, the
//! servers that serve it and the pairs compared.

use bytes::Bytes;
use http::{Method, StatusCode};

/// One thing measured: a request, how to know its answer is right, and
/// who is compared with whom.
pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
    pub(crate) status: StatusCode,
    pub(crate) check: fn(&[u8]) -> bool,
    /// The servers that answer it (labels of `servers::KINDS`), run in turn.
    pub(crate) servers: &'static [&'static str],
    /// The ratios reported: the first of each pair over the second.
    pub(crate) pairs: &'static [(&'static str, &'static str)],
    /// Also measured at 256 connections and with wrk.
    pub(crate) main: bool,
    /// The original has the endpoint (server C).
    pub(crate) original: bool,
    /// Also measured against N, a second A: the noise floor, which no
    /// ratio of two servers can be read more finely than.
    pub(crate) noise_floor: bool,
}

impl Scenario {
    /// The servers of a pass: N too, for the noise floor.
    pub(crate) fn measured(&self) -> Vec<&'static str> {
        let n = self.noise_floor.then_some("N");
        self.servers.iter().copied().chain(n).collect()
    }

    /// The ratios of a pass: A/N too, for the noise floor.
    pub(crate) fn compared(&self) -> Vec<(&'static str, &'static str)> {
        let floor = self.noise_floor.then_some(("A", "N"));
        self.pairs.iter().copied().chain(floor).collect()
    }
}

/// Pico (A) against axum (B) and against axum giving the same request ids
/// (I), and each against the limit (H); Pico's own serve loop (S) against
/// the limit too, and against the limit with Pico's guarantees (HG), whose
/// cost over the limit is a row of its own.
const LIMIT: (&[&str], &[(&str, &str)]) = (
    &["A", "B", "B0", "I", "H", "HG", "S"],
    &[
        ("A", "B"),
        ("A", "B0"),
        ("A", "I"),
        ("S", "B"),
        ("A", "H"),
        ("B", "H"),
        ("S", "H"),
        ("S", "HG"),
        ("HG", "H"),
    ],
);
const WITH_IDS: (&[&str], &[(&str, &str)]) = (&["A", "B", "B0", "I"], &[("A", "B"), ("A", "B0"), ("A", "I")]);
const PICO_AXUM: (&[&str], &[(&str, &str)]) = (&["A", "B"], &[("A", "B")]);
/// Pico and axum each against the limit, where the limit is what the
/// original is to be compared with too (the 4 KiB object, the upload).
const AGAINST_LIMIT: (&[&str], &[(&str, &str)]) = (&["A", "B", "H"], &[("A", "B"), ("A", "H"), ("B", "H")]);
/// The realistic app: Pico with its request ids, span and log line (P)
/// against axum with the same (X); the development server (D) against the
/// app under axum::serve without a log line (Q).
const APP: (&[&str], &[(&str, &str)]) = (&["P", "X", "D", "Q"], &[("P", "X"), ("D", "Q"), ("D", "X")]);
/// The realistic app with request metrics: Pico (M) against axum with the
/// same metrics and compression (Y), and what the metrics cost each (M/P,
/// Y/X).
const METRICS: (&[&str], &[(&str, &str)]) = (&["M", "Y", "P", "X"], &[("M", "Y"), ("M", "P"), ("Y", "X")]);
/// A 4 KiB answer compressed (gzip, which both compress at level 6).
const COMPRESSED: (&[&str], &[(&str, &str)]) = (&["M", "Y"], &[("M", "Y")]);

pub(crate) fn scenarios() -> Vec<Scenario> {
    let boundary = "pico-bench-boundary";
    let mut upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    upload.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    upload.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let upload = Bytes::from(upload);
    let multipart = vec![(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    )];
    let get = |name, path, status, check: fn(&[u8]) -> bool| Scenario {
        name,
        method: Method::GET,
        path,
        headers: Vec::new(),
        body: Bytes::new(),
        status,
        check,
        servers: PICO_AXUM.0,
        pairs: PICO_AXUM.1,
        main: false,
        original: true,
        noise_floor: false,
    };
    let credentials = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", pico_bench::USER, pico_bench::PASSWORD),
    );
    let signed_in = vec![("authorization", format!("Basic {credentials}"))];
    let signed_in_gzip = [signed_in.clone(), vec![("accept-encoding", "gzip".to_owned())]].concat();
    vec![
        Scenario {
            servers: LIMIT.0,
            pairs: LIMIT.1,
            main: true,
            noise_floor: true,
            ..get(
                "multiply (query)",
                "/bench/multiply?x=6&y=7",
                StatusCode::OK,
                |b| b == b"42",
            )
        },
        Scenario {
            method: Method::POST,
            headers: vec![("content-type", "application/json".to_owned())],
            body: Bytes::from_static(br#"{"who": "bench"}"#),
            servers: LIMIT.0,
            pairs: LIMIT.1,
            main: true,
            ..get("hello (JSON body)", "/bench/hello", StatusCode::OK, |b| {
                b == br#""hello bench!""#
            })
        },
        Scenario {
            headers: signed_in.clone(),
            servers: APP.0,
            pairs: APP.1,
            main: true,
            original: false,
            ..get(
                "app (basic auth, log line)",
                "/app/greet?greeting=hi",
                StatusCode::OK,
                |b| b == br#""hi alice""#,
            )
        },
        Scenario {
            headers: signed_in_gzip.clone(),
            servers: METRICS.0,
            pairs: METRICS.1,
            main: true,
            original: false,
            ..get(
                "app with metrics (small answer)",
                "/app/greet?greeting=hi",
                StatusCode::OK,
                |b| b == br#""hi alice""#,
            )
        },
        Scenario {
            headers: signed_in_gzip,
            servers: COMPRESSED.0,
            pairs: COMPRESSED.1,
            original: false,
            // gzip's magic number: the answer came compressed.
            ..get(
                "app with metrics, 4 KiB gzip",
                "/app/report",
                StatusCode::OK,
                |b| b.starts_with(&[0x1f, 0x8b]),
            )
        },
        // The same answer to a client that accepts none: what compressing
        // it costs, against the scenario above.
        Scenario {
            headers: signed_in,
            servers: COMPRESSED.0,
            pairs: COMPRESSED.1,
            original: false,
            ..get(
                "app with metrics, 4 KiB plain",
                "/app/report",
                StatusCode::OK,
                |b| b.starts_with(br#"{"kind":"benchmark""#),
            )
        },
        Scenario {
            servers: AGAINST_LIMIT.0,
            pairs: AGAINST_LIMIT.1,
            ..get("4 KiB object", "/bench/object", StatusCode::OK, |b| {
                b.len() > 3500 && b.starts_with(br#"{"kind":"benchmark""#)
            })
        },
        Scenario {
            servers: WITH_IDS.0,
            pairs: WITH_IDS.1,
            ..get("HttpError 404", "/bench/missing", StatusCode::NOT_FOUND, |b| {
                b.starts_with(br#"{"name":"Not Found","code":404,"#)
            })
        },
        get(
            "panic 500",
            "/bench/panics",
            StatusCode::INTERNAL_SERVER_ERROR,
            |b| b.starts_with(br#"{"name":"Internal Server Error","code":500,"#),
        ),
        get("stream of 100", "/bench/items", StatusCode::OK, |b| {
            b.starts_with(b"data: 0\n\n") && b.ends_with(b"event: close\ndata: close\n\n")
        }),
        Scenario {
            method: Method::POST,
            headers: multipart.clone(),
            body: upload.clone(),
            servers: AGAINST_LIMIT.0,
            pairs: AGAINST_LIMIT.1,
            ..get("upload 1 MiB", "/bench/upload", StatusCode::OK, |b| {
                b == b"1048576"
            })
        },
        Scenario {
            method: Method::POST,
            headers: multipart,
            body: upload,
            original: false,
            ..get(
                "upload 1 MiB, B with field.bytes()",
                "/bench/upload_bytes",
                StatusCode::OK,
                |b| b == b"1048576",
            )
        },
    ]
}
