//! Memory per request is bounded before allocation: a body is read up to
//! the limit, and what is parsed from it is counted as it is parsed, so a
//! hostile body costs a small multiple of its own size. Measured as this
//! process's peak resident memory (Linux's `VmHWM`, reset through
//! `/proc/self/clear_refs`) while the app answers in process. The peak is
//! the whole process's, so these tests are alone in their binary and take
//! turns: run side by side, one's allocations were counted in another's
//! peak, and a machine with more cores failed them.

#[pico::api]
mod sink {
    #[expose]
    fn take(text: String) -> usize {
        text.len()
    }

    #[expose]
    fn count(y: i64, x: Vec<i64>) -> usize {
        x.len() + y as usize
    }
}

/// Runs `test` once no other test of this binary runs.
fn alone(test: impl std::future::Future<Output = ()>) {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed poisons the lock; the next still measures alone.
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test);
}

/// A figure of `/proc/self/status`, in bytes.
fn status(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// The most memory resident while `body` is answered, above what was
/// resident before (the body itself already is).
async fn peak_while_answering(
    client: &pico::client::Client,
    content_type: &'static str,
    body: Vec<u8>,
) -> (usize, u16) {
    peak_of(client, "sink/take", content_type, body).await
}

async fn peak_of(
    client: &pico::client::Client,
    path: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> (usize, u16) {
    peak_of_call(client.post(path).body(content_type, body)).await
}

async fn peak_of_call(call: pico::client::Call) -> (usize, u16) {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status("VmRSS:");
    let answer = call.send().await.unwrap();
    (status("VmHWM:").saturating_sub(before), answer.status().as_u16())
}

#[test]
fn hostile_bodies_cost_a_small_multiple_of_their_size() {
    alone(async {
        let limit = 24 * 1024 * 1024;
        let client =
            pico::client::Client::in_process(pico::App::new().body_limit(limit).register(sink::module()));
        let mut keys = String::from("{");
        for _ in 0..3_000_000 {
            keys.push_str("\"a\":0,");
        }
        keys.push_str("\"a\":0}");
        let size = keys.len();
        let (peak, status) = peak_while_answering(&client, "application/json", keys.into_bytes()).await;
        eprintln!(
            "3,000,000 duplicate keys, {size} bytes: {peak} bytes at the peak ({:.2}x)",
            peak as f64 / size as f64
        );
        assert_eq!(status, 400);
        assert!(peak < 3 * size, "{peak} bytes for a body of {size}");

        let mut pairs = String::new();
        for i in 0..200_000 {
            pairs.push_str(&format!("k{}=v&", i % 900));
        }
        let size = pairs.len();
        let (peak, status) =
            peak_while_answering(&client, "application/x-www-form-urlencoded", pairs.into_bytes()).await;
        eprintln!(
            "200,000 form pairs, {size} bytes: {peak} bytes at the peak ({:.2}x)",
            peak as f64 / size as f64
        );
        assert_eq!(status, 400);
        assert!(peak < 3 * size + 1024 * 1024, "{peak} bytes for a body of {size}");
    })
}

/// A number written `1.0` where an integer is wanted is read again as the
/// integer it is, but only for a value small enough that reading it again
/// costs little: a body of whole floats costs what a body of integers does.
#[test]
fn whole_floats_cost_a_small_multiple_of_their_size() {
    alone(async {
        let limit = 24 * 1024 * 1024;
        let client =
            pico::client::Client::in_process(pico::App::new().body_limit(limit).register(sink::module()));
        let floats = format!("[{}1.0]", "1.0,".repeat(4_000_000));
        let json = format!(r#"{{"y":1,"x":{floats}}}"#).into_bytes();
        let size = json.len();
        let (peak, status) = peak_of(&client, "sink/count", "application/json", json).await;
        eprintln!("4,000,000 whole floats in JSON, {size} bytes: {peak} bytes at the peak");
        assert_eq!(status, 400);
        assert!(peak < 3 * size, "{peak} bytes for a body of {size}");

        let form = format!("y=1&x={floats}").into_bytes();
        let size = form.len();
        let (peak, status) = peak_of(&client, "sink/count", "application/x-www-form-urlencoded", form).await;
        eprintln!("4,000,000 whole floats in a form, {size} bytes: {peak} bytes at the peak");
        assert_eq!(status, 400);
        // The value's copy; a refusal that quoted it whole cost two more.
        assert!(peak < size + size / 2, "{peak} bytes for a body of {size}");

        // A small one is still read as integers.
        let answer = client
            .post("sink/count")
            .json(&serde_json::json!({"y": 1, "x": [1.0, 2e0]}));
        assert_eq!(answer.send().await.unwrap().status().as_u16(), 200);
    })
}

/// A gzip bomb: a gigabyte of JSON whitespace in about a megabyte, as
/// gzip members one after the other. The body limit counts what it decodes
/// to, so it is refused once it has decoded past the limit: its cost is the
/// limit's, not the gigabyte's.
#[test]
fn a_gzip_bomb_is_refused_at_the_limit_of_what_it_decodes_to() {
    alone(async {
        use std::io::Write;

        let limit = 4 * 1024 * 1024;
        let client =
            pico::client::Client::in_process(pico::App::new().body_limit(limit).register(sink::module()));
        // One member of 16 MiB of spaces, compressed once, sent 64 times.
        let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        member.write_all(&vec![b' '; 16 * 1024 * 1024]).unwrap();
        let member = member.finish().unwrap();
        let bomb = member.repeat(64);
        let (decoded, sent) = (64 * 16 * 1024 * 1024_usize, bomb.len());
        let call = client
            .post("sink/take")
            .header("content-encoding", "gzip")
            .body("application/json", bomb);
        let (peak, status) = peak_of_call(call).await;
        eprintln!("a gzip bomb of {sent} bytes decoding to {decoded}: {status}, {peak} bytes at the peak");
        assert_eq!(status, 413);
        // The limit, the buffer it fills, and the decoder's own.
        assert!(peak < 3 * limit, "{peak} bytes for a limit of {limit}");
    })
}
