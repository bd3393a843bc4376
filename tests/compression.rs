//! Compression: an answer of a kilobyte or more goes out in the encoding
//! the client prefers (zstd, brotli, gzip), round-trips to the same JSON,
//! and varies by `Accept-Encoding`; a stream, a small answer and what is
//! compressed already go out as they are. Request bodies come compressed
//! too, and one that is not what it claims, or in an encoding the app does
//! not read, gets the standard error. (The gzip bomb is measured in
//! `security_memory.rs`, alone in its binary.)

mod common;

use std::io::{Read, Write};

use futures_util::StreamExt;
use serde_json::{Value, json};

#[pico::api]
mod api {
    use pico::Response;

    /// About 8 KiB of JSON, as a list of records is.
    #[expose]
    fn records() -> Vec<serde_json::Value> {
        (0..100)
            .map(|i| serde_json::json!({"id": i, "name": format!("record {i}"), "tags": ["alpha", "beta"]}))
            .collect()
    }

    /// What the client said it accepts.
    #[expose]
    #[request_args(accepted = pico::header("accept-encoding"))]
    fn accepted(accepted: Option<String>) -> String {
        accepted.unwrap_or_default()
    }

    #[expose]
    fn small() -> &'static str {
        "small"
    }

    #[expose]
    fn length(text: String) -> usize {
        text.len()
    }

    /// An upload served back in its own type: compressed already.
    #[expose]
    fn archive() -> Response {
        let mut response = Response::new(axum::body::Body::from(vec![7u8; 16 * 1024]));
        response
            .headers_mut()
            .insert("content-type", http::HeaderValue::from_static("application/zip"));
        response
    }

    /// Two kilobytes a line, for as long as the client reads.
    #[expose]
    #[stream]
    fn lines() -> impl futures_util::Stream<Item = String> {
        futures_util::stream::iter(0..5).map(|i| format!("{i}{}", "x".repeat(2048)))
    }

    use futures_util::StreamExt;
}

fn app() -> pico::App {
    pico::App::new().register(api::module())
}

/// A client that decodes nothing, so that the test sees the bytes sent.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .build()
        .unwrap()
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap(),
        "br" => brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap(),
        "zstd" => zstd::stream::read::Decoder::new(bytes)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap(),
        other => panic!("{other}"),
    };
    out
}

fn encode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    match encoding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(bytes).unwrap();
            e.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            brotli::CompressorWriter::new(&mut out, 4096, 5, 22)
                .write_all(bytes)
                .unwrap();
            out
        }
        "zstd" => zstd::encode_all(bytes, 3).unwrap(),
        other => panic!("{other}"),
    }
}

async fn get(s: &common::Server, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = raw_client().get(s.url(path));
    if let Some(accept) = accept {
        request = request.header("accept-encoding", accept);
    }
    request.send().await.unwrap()
}

/// `body` posted as JSON in `encoding`, as given.
async fn post_encoded(s: &common::Server, path: &str, encoding: &str, body: Vec<u8>) -> common::Answer {
    let request = s
        .client
        .post(s.url(path))
        .header("content-type", "application/json")
        .header("content-encoding", encoding)
        .body(body);
    s.send(request).await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

fn varies_by_encoding(response: &reqwest::Response) -> bool {
    response.headers().get_all("vary").iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

#[tokio::test]
async fn each_encoding_round_trips_and_shrinks_a_list_of_records() {
    let s = common::serve(app()).await;
    let plain = get(&s, "/api/records", None).await;
    assert_eq!(header(&plain, "content-encoding"), None);
    assert!(
        varies_by_encoding(&plain),
        "a cache must keep the encodings apart"
    );
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 4096, "{}", plain.len());
    for encoding in ["gzip", "br", "zstd"] {
        let answer = get(&s, "/api/records", Some(encoding)).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(header(&answer, "content-encoding"), Some(encoding));
        assert_eq!(header(&answer, "content-type"), Some("application/json"));
        assert!(varies_by_encoding(&answer));
        assert!(header(&answer, "x-request-id").is_some());
        // Compressed whole, at once: its length is known.
        let length: usize = header(&answer, "content-length").unwrap().parse().unwrap();
        let sent = answer.bytes().await.unwrap();
        assert_eq!(sent.len(), length);
        eprintln!("{encoding}: {} bytes for {}", sent.len(), plain.len());
        assert!(
            sent.len() * 4 < plain.len(),
            "{encoding}: {} of {}",
            sent.len(),
            plain.len()
        );
        let decoded = decode(encoding, &sent);
        assert_eq!(decoded, plain, "{encoding} decodes to the same JSON");
    }
}

#[tokio::test]
async fn the_clients_weights_choose_and_its_refusals_hold() {
    let s = common::serve(app()).await;
    for (accept, chosen) in [
        ("gzip, deflate, br, zstd", Some("zstd")),
        ("gzip, deflate, br", Some("br")),
        ("br;q=0.5, gzip;q=0.8", Some("gzip")),
        ("zstd, br;q=0.9", Some("zstd")),
        ("identity", None),
        ("gzip;q=0", None),
        ("*;q=0.2, br;q=0, zstd;q=0", Some("gzip")),
        ("deflate", None),
    ] {
        let answer = get(&s, "/api/records", Some(accept)).await;
        assert_eq!(header(&answer, "content-encoding"), chosen, "{accept}");
    }
}

#[tokio::test]
async fn small_answers_streams_and_compressed_types_go_out_as_they_are() {
    let s = common::serve(app()).await;
    let small = get(&s, "/api/small", Some("gzip, br, zstd")).await;
    assert_eq!(header(&small, "content-encoding"), None);
    assert!(!varies_by_encoding(&small));
    assert_eq!(small.text().await.unwrap(), "\"small\"");

    let archive = get(&s, "/api/archive", Some("gzip, br, zstd")).await;
    assert_eq!(header(&archive, "content-encoding"), None);
    assert_eq!(archive.bytes().await.unwrap().len(), 16 * 1024);

    // Each event arrives as it is sent, in plain text: an encoder would
    // hold it back until its buffer fills.
    let stream = get(&s, "/api/lines", Some("gzip, br, zstd")).await;
    assert_eq!(header(&stream, "content-type"), Some("text/event-stream"));
    assert_eq!(header(&stream, "content-encoding"), None);
    let mut body = stream.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(
        String::from_utf8_lossy(&first).contains("data: \"0xxx"),
        "{first:?}"
    );
}

#[tokio::test]
async fn the_app_chooses_its_encodings_threshold_or_none() {
    let off = common::serve(app().compression(pico::Compression::off())).await;
    let answer = get(&off, "/api/records", Some("gzip, br, zstd")).await;
    assert_eq!(header(&answer, "content-encoding"), None);
    assert!(!varies_by_encoding(&answer));

    let high = common::serve(app().compression(pico::Compression::new().min_size(64 * 1024))).await;
    let answer = get(&high, "/api/records", Some("gzip")).await;
    assert_eq!(header(&answer, "content-encoding"), None);

    let no_brotli = common::serve(app().compression(pico::Compression::new().br(false).zstd(false))).await;
    let answer = get(&no_brotli, "/api/records", Some("br, zstd, gzip")).await;
    assert_eq!(header(&answer, "content-encoding"), Some("gzip"));
    let answer = get(&no_brotli, "/api/records", Some("br")).await;
    assert_eq!(header(&answer, "content-encoding"), None);
}

#[tokio::test]
async fn compressed_request_bodies_are_read_in_each_encoding() {
    let s = common::serve(app()).await;
    let text = "a".repeat(100_000);
    let body = serde_json::to_vec(&json!({ "text": text })).unwrap();
    for encoding in ["gzip", "x-gzip", "br", "zstd", "identity"] {
        let sent = match encoding {
            "identity" => body.clone(),
            "x-gzip" => encode("gzip", &body),
            other => encode(other, &body),
        };
        let answer = post_encoded(&s, "/api/length", encoding, sent).await;
        assert_eq!(
            (answer.status, answer.json()),
            (200, json!(100_000)),
            "{encoding}"
        );
    }
}

#[tokio::test]
async fn a_body_not_in_its_encoding_or_in_another_gets_the_standard_error() {
    let s = common::serve(app()).await;
    let broken = post_encoded(
        &s,
        "/api/length",
        "gzip",
        b"{\"text\": \"not gzip at all\"}".to_vec(),
    )
    .await;
    assert_eq!(
        broken.error(400, "Bad Request"),
        "The request body is not valid gzip."
    );
    let mut truncated = encode(
        "zstd",
        &serde_json::to_vec(&json!({"text": "x".repeat(5000)})).unwrap(),
    );
    truncated.truncate(truncated.len() / 2);
    let truncated = post_encoded(&s, "/api/length", "zstd", truncated).await;
    assert_eq!(
        truncated.error(400, "Bad Request"),
        "The request body is not valid zstd."
    );

    let other = post_encoded(&s, "/api/length", "deflate", b"x".to_vec()).await;
    assert_eq!(
        other.error(415, "Unsupported Media Type"),
        "The request body is encoded as `deflate`, which this app does not read: send it as one of zstd, br, gzip, or unencoded."
    );
    assert_eq!(other.headers["accept-encoding"], "zstd, br, gzip");

    let off = common::serve(app().compression(pico::Compression::off())).await;
    let refused = post_encoded(&off, "/api/length", "gzip", encode("gzip", b"{\"text\": \"x\"}")).await;
    assert_eq!(
        refused.error(415, "Unsupported Media Type"),
        "The request body is encoded as `gzip`, which this app does not read: send it unencoded."
    );
    // A GET that names an encoding but sends nothing has nothing to decode.
    let empty = s
        .send(
            s.client
                .get(s.url("/api/small"))
                .header("content-encoding", "gzip"),
        )
        .await;
    assert_eq!(empty.json(), Value::from("small"));
    // And the server goes on serving.
    assert_eq!(s.get("/api/small").await.json(), Value::from("small"));
}

/// The app's own axum routes read a compressed body as the functions do,
/// and the static files are compressed by their type.
#[tokio::test]
async fn axum_routes_and_static_files_meet_compression_as_functions_do() {
    let files = std::env::temp_dir().join(format!("pico-compression-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("notes.txt"), "a line of notes\n".repeat(300)).unwrap();
    std::fs::write(files.join("image.png"), vec![0x89u8; 8192]).unwrap();
    let routes = axum::Router::new().route(
        "/count",
        axum::routing::post(|axum::Json(items): axum::Json<Vec<u32>>| async move { items.len().to_string() }),
    );
    let s = common::serve(app().routes(routes).static_files(&files)).await;
    let items: Vec<u32> = (0..5000).collect();
    let counted = post_encoded(
        &s,
        "/count",
        "gzip",
        encode("gzip", &serde_json::to_vec(&items).unwrap()),
    )
    .await;
    assert_eq!((counted.status, counted.text.as_str()), (200, "5000"));

    let notes = get(&s, "/notes.txt", Some("gzip")).await;
    assert_eq!(header(&notes, "content-encoding"), Some("gzip"));
    assert_eq!(
        header(&notes, "accept-ranges"),
        None,
        "a range of the plain file is not one of these bytes"
    );
    if let Some(tag) = header(&notes, "etag") {
        assert!(tag.starts_with("W/"), "{tag}");
    }
    let text = decode("gzip", &notes.bytes().await.unwrap());
    assert_eq!(text, "a line of notes\n".repeat(300).into_bytes());
    let image = get(&s, "/image.png", Some("gzip")).await;
    assert_eq!(header(&image, "content-encoding"), None);
    // A range is the plain file's bytes, never compressed.
    let range = raw_client()
        .get(s.url("/notes.txt"))
        .header("accept-encoding", "gzip")
        .header("range", "bytes=0-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), 206);
    assert_eq!(header(&range, "content-encoding"), None);
    let _ = std::fs::remove_dir_all(&files);
}

/// A page of an allowed origin gets the answer compressed, and a cache
/// keeps both what CORS and what compression vary by.
#[tokio::test]
async fn cors_answers_vary_by_origin_and_encoding_alike() {
    let s = common::serve(app().allow_origins(["https://app.example"])).await;
    let answer = raw_client()
        .get(s.url("/api/records"))
        .header("origin", "https://app.example")
        .header("accept-encoding", "gzip, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(header(&answer, "content-encoding"), Some("zstd"));
    let vary: Vec<String> = answer
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    let vary = vary.join(", ");
    assert!(
        vary.contains("origin") && vary.contains("accept-encoding"),
        "{vary}"
    );
    let plain = decode("zstd", &answer.bytes().await.unwrap());
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&plain).unwrap().len(), 100);
}

/// A JSONP answer is a script, compressed as one.
#[tokio::test]
async fn a_jsonp_answer_is_compressed_as_a_script() {
    let s = common::serve(app().jsonp(true)).await;
    let answer = get(&s, "/api/records?_callback=show", Some("gzip")).await;
    assert_eq!(header(&answer, "content-type"), Some("text/javascript"));
    assert_eq!(header(&answer, "content-encoding"), Some("gzip"));
    let script = String::from_utf8(decode("gzip", &answer.bytes().await.unwrap())).unwrap();
    assert!(
        script.starts_with("show([{") && script.ends_with(");"),
        "{}",
        &script[..40]
    );
}

/// The in-process client gets the answer as the app made it, whatever it
/// is asked to send.
#[tokio::test]
async fn the_in_process_client_reads_answers_uncompressed() {
    let client = pico::client::Client::in_process(app());
    let answer = client
        .get("api/records")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.header("content-encoding"), None);
    assert_eq!(answer.json::<Vec<Value>>().unwrap().len(), 100);
}

/// The Rust client asks for compressed answers and reads them as any.
#[tokio::test]
async fn the_rust_client_reads_compressed_answers() {
    let s = common::serve(app()).await;
    let client = pico::client::Client::new(&s.base);
    let accepted: String = client.call("api/accepted", &json!({})).await.unwrap();
    for encoding in ["gzip", "br", "zstd"] {
        assert!(accepted.contains(encoding), "{accepted}");
    }
    let records: Vec<Value> = client.call("api/records", &json!({})).await.unwrap();
    assert_eq!(records.len(), 100);
    let answer = client.get("api/records").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    // reqwest decoded it, and says so by dropping the encoding it undid.
    assert_eq!(answer.header("content-encoding"), None);
    assert_eq!(answer.json::<Vec<Value>>().unwrap().len(), 100);
}
