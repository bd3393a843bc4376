//! Secure defaults, each tried as a hostile client would over real HTTP:
//! cross-site requests, CORS, JSONP with credentials, forged forwarded
//! headers, silent and slow connections, floods of keys and parts,
//! cookies behind https, dotfiles, blocking functions.

mod common;

use std::time::Duration;

use common::{Server, own_server, read_to_close, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[pico::api]
mod bank {
    use std::collections::HashMap;

    /// Moves money: a side effect, reachable by GET like every function.
    #[expose]
    fn transfer(to: String, amount: u32) -> String {
        format!("sent {amount} to {to}")
    }

    #[expose]
    #[set_cookie]
    fn sign_in(user: String) -> HashMap<String, String> {
        HashMap::from([("session".to_owned(), user)])
    }

    #[expose]
    fn echo(text: String) -> String {
        text
    }

    #[expose]
    #[require_method(DELETE)]
    fn close(account: String) -> String {
        format!("closed {account}")
    }

    /// Calls arrived at the meeting, and the signal of each arrival.
    static ARRIVED: std::sync::Mutex<u32> = std::sync::Mutex::new(0);
    static ARRIVAL: std::sync::Condvar = std::sync::Condvar::new();

    /// Two calls meet here: each blocks its thread until the other comes,
    /// or gives up after a while with a 504.
    #[expose]
    #[blocking]
    fn meet(n: u64) -> Result<u64, pico::HttpError> {
        let mut arrived = ARRIVED.lock().unwrap();
        *arrived += 1;
        ARRIVAL.notify_all();
        let wait = std::time::Duration::from_secs(10);
        let (arrived, _) = ARRIVAL.wait_timeout_while(arrived, wait, |n| *n < 2).unwrap();
        if *arrived < 2 {
            return Err(pico::HttpError::gateway_timeout().with_message("the other call never came"));
        }
        Ok(n)
    }

    #[expose]
    #[blocking]
    fn slow_panic() -> u64 {
        panic!("blocking panic")
    }
}

/// The definition's URL is the request's own, as the test client sent it.
fn assert_own_url(definition: &Value) {
    let url = definition["url"].as_str().unwrap_or("");
    assert!(url.starts_with("http://127.0.0.1:"), "{definition}");
}

fn app() -> pico::App {
    pico::App::new().register(bank::module())
}

async fn send(server: &Server, request: reqwest::RequestBuilder) -> common::Answer {
    server.send(request).await
}

#[tokio::test]
async fn cross_site_requests_are_refused_get_and_post_alike() {
    let s = serve(app()).await;
    let url = s.url("/bank/transfer");
    // A form on another site, posted by a signed-in browser.
    let forged = s
        .client
        .post(&url)
        .header("origin", "https://evil.test")
        .header("sec-fetch-site", "cross-site")
        .header("cookie", "session=arthur")
        .form(&[("to", "mallory"), ("amount", "100")]);
    let answer = send(&s, forged).await;
    let message = answer.error(403, "Forbidden");
    assert!(message.contains("Cross-site requests are refused"), "{message}");
    // An <img src> or a link: GET is not exempt.
    let forged = s
        .client
        .get(format!("{url}?to=mallory&amount=1"))
        .header("sec-fetch-site", "cross-site");
    send(&s, forged).await.error(403, "Forbidden");
    // Only an Origin, from an older browser.
    let forged = s
        .client
        .get(format!("{url}?to=m&amount=1"))
        .header("origin", "http://evil.test");
    send(&s, forged).await.error(403, "Forbidden");
    // A set_cookie function is protected as any other.
    let forged = s
        .client
        .get(s.url("/bank/sign_in?user=mallory"))
        .header("sec-fetch-site", "same-site");
    let answer = send(&s, forged).await;
    answer.error(403, "Forbidden");
    assert!(!answer.headers.contains_key("set-cookie"));
}

#[tokio::test]
async fn the_apps_own_pages_and_non_browsers_pass() {
    let s = serve(app()).await;
    let url = s.url("/bank/transfer?to=bob&amount=5");
    assert_eq!(
        s.get("/bank/transfer?to=bob&amount=5").await.json(),
        "sent 5 to bob"
    );
    let same = s.client.get(&url).header("sec-fetch-site", "same-origin");
    assert_eq!(send(&s, same).await.json(), "sent 5 to bob");
    let typed = s.client.get(&url).header("sec-fetch-site", "none");
    assert_eq!(send(&s, typed).await.json(), "sent 5 to bob");
    let host = s.base.trim_start_matches("http://").to_owned();
    let own = s.client.get(&url).header("origin", format!("http://{host}"));
    assert_eq!(send(&s, own).await.json(), "sent 5 to bob");
}

#[tokio::test]
async fn json_is_known_by_its_essence_only() {
    let s = serve(app()).await;
    // A cross-site form can send `text/plain` without a preflight; it is not
    // read as JSON even when it says so in a parameter.
    let body = r#"{"text": "smuggled"}"#;
    let answer = s
        .post_raw("/bank/echo", "text/plain;x=application/json", body)
        .await;
    assert_eq!(
        answer.error(415, "Unsupported Media Type"),
        "The request body is `text/plain;x=application/json`, a media type Pico does not read: \
         send `application/json`, `application/x-www-form-urlencoded` or `multipart/form-data`."
    );
    let answer = s
        .post_raw("/bank/echo", "application/json; charset=utf-8", body)
        .await;
    assert_eq!(answer.json(), "smuggled");
}

#[tokio::test]
async fn a_body_pico_does_not_read_is_a_415_naming_what_it_reads() {
    let s = serve(app()).await;
    let answer = s
        .post_raw("/bank/echo", "application/xml", "<text>hi</text>")
        .await;
    let message = answer.error(415, "Unsupported Media Type");
    assert!(
        message.starts_with("The request body is `application/xml`"),
        "{message}"
    );
    // No media type at all, over a raw connection (clients add one).
    let raw = s
        .raw("POST /bank/echo HTTP/1.1\r\nhost: x\r\ncontent-length: 13\r\nconnection: close\r\n\r\n{\"text\":\"a\"}")
        .await;
    assert!(
        raw.starts_with("HTTP/1.1 415 Unsupported Media Type\r\n"),
        "{raw}"
    );
    assert!(
        raw.contains(r#""message":"The request body has no Content-Type: send `application/json`"#),
        "{raw}"
    );
    // An empty body in any media type is no body.
    let answer = s.post_raw("/bank/echo?text=a", "text/plain", "").await;
    assert_eq!(answer.json(), "a");
    // As problem details too.
    let request = s
        .client
        .post(s.url("/bank/echo"))
        .header("content-type", "text/csv")
        .header("accept", "application/problem+json")
        .body("a,b");
    let problem = send(&s, request).await.json();
    assert_eq!(problem["status"], 415);
}

#[tokio::test]
async fn allowed_origins_get_cors_and_pass_the_check() {
    let s = serve(app().allow_origins(["https://good.test"])).await;
    let url = s.url("/bank/echo");
    let preflight = s
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://good.test")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type");
    let answer = send(&s, preflight).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["access-control-allow-origin"], "https://good.test");
    assert!(
        answer.headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(!answer.headers.contains_key("access-control-allow-credentials"));

    let call = s
        .client
        .post(&url)
        .header("origin", "https://good.test")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"text": "hi"}));
    let answer = send(&s, call).await;
    assert_eq!(answer.json(), "hi");
    assert_eq!(answer.headers["access-control-allow-origin"], "https://good.test");

    let other = s
        .client
        .post(&url)
        .header("origin", "https://evil.test")
        .header("sec-fetch-site", "cross-site");
    let answer = send(&s, other.json(&json!({"text": "hi"}))).await;
    answer.error(403, "Forbidden");
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn a_preflight_answers_the_methods_of_the_function_it_asks_about() {
    let s = serve(app().allow_origins(["https://good.test"])).await;
    let preflight = |path: &str, method: &str| {
        s.client
            .request(reqwest::Method::OPTIONS, s.url(path))
            .header("origin", "https://good.test")
            .header("access-control-request-method", method)
    };
    let answer = send(&s, preflight("/bank/close", "DELETE")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["access-control-allow-origin"], "https://good.test");
    assert_eq!(answer.headers["access-control-allow-methods"], "DELETE");
    let answer = send(&s, preflight("/bank/close/", "DELETE")).await;
    assert_eq!(answer.headers["access-control-allow-methods"], "DELETE");
    let answer = send(&s, preflight("/bank/echo", "POST")).await;
    assert_eq!(answer.headers["access-control-allow-methods"], "GET, HEAD, POST");
    let answer = send(&s, preflight("/nowhere", "PUT")).await;
    assert_eq!(answer.headers["access-control-allow-methods"], "GET,HEAD,POST");

    // The call the preflight allowed, from the allowed origin.
    let call = s
        .client
        .delete(s.url("/bank/close?account=42"))
        .header("origin", "https://good.test")
        .header("sec-fetch-site", "cross-site");
    let answer = send(&s, call).await;
    assert_eq!(answer.json(), "closed 42");
    assert_eq!(answer.headers["access-control-allow-origin"], "https://good.test");
    let answer = s.get("/bank/close?account=42").await;
    answer.error(405, "Method Not Allowed");
    assert_eq!(answer.headers["allow"], "DELETE");
}

#[tokio::test]
async fn credentials_only_when_asked() {
    let s = serve(app().allow_origins(["https://good.test"]).allow_credentials(true)).await;
    let call = s
        .client
        .get(s.url("/bank/echo?text=a"))
        .header("origin", "https://good.test");
    let answer = send(&s, call).await;
    assert_eq!(answer.headers["access-control-allow-credentials"], "true");
}

#[test]
#[should_panic(expected = "credentials with any origin")]
fn credentials_with_any_origin_are_refused_when_the_app_is_built() {
    let _ = app().allow_origins(["*"]).allow_credentials(true).into_router();
}

#[tokio::test]
async fn jsonp_is_refused_with_credentials_and_sent_with_nosniff() {
    let s = serve(app().jsonp(true)).await;
    let url = s.url("/bank/echo?text=hi&_callback=cb");
    let answer = s.get("/bank/echo?text=hi&_callback=cb").await;
    assert_eq!(answer.text, "cb(\"hi\");");
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    // Another site's <script>, with the user's cookie: refused.
    let with_cookie = s
        .client
        .get(&url)
        .header("cookie", "session=arthur")
        .header("sec-fetch-site", "cross-site");
    let message = send(&s, with_cookie).await.error(400, "Bad Request");
    assert!(
        message.contains("not answered to requests with credentials"),
        "{message}"
    );
    let with_auth = s.client.get(&url).basic_auth("arthur", Some("secret"));
    send(&s, with_auth).await.error(400, "Bad Request");
    let definition = s.client.get(s.url("/bank?_callback=cb")).header("cookie", "s=1");
    send(&s, definition).await.error(400, "Bad Request");
    // Without credentials it is the one cross-site call allowed.
    let plain = s.client.get(&url).header("sec-fetch-site", "cross-site");
    assert_eq!(send(&s, plain).await.text, "cb(\"hi\");");
}

#[tokio::test]
async fn jsonp_is_off_unless_turned_on() {
    let s = serve(app()).await;
    let message = s
        .get("/bank/echo?text=hi&_callback=cb")
        .await
        .error(400, "Bad Request");
    assert_eq!(message, "JSONP (`_callback`) is turned off on this app.");
    assert_eq!(s.get("/bank/echo?text=hi").await.json(), "hi");
}

#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    // The test client is on loopback: trusting no proxy makes it a stranger.
    let s = serve(app().trusted_proxies(Vec::<&str>::new())).await;
    let forged = s
        .client
        .get(s.url("/x/bank/echo?text=a"))
        .header("x-script-name", "/x");
    send(&s, forged).await.error(404, "Not Found");
    let forged = s
        .client
        .get(s.url("/bank"))
        .header("x-script-name", "/x")
        .header("x-forwarded-proto", "https")
        .header("host", "evil.test");
    let definition = send(&s, forged).await;
    assert_eq!(definition.json()["url"], "http://evil.test/bank");
    assert_eq!(definition.headers["cache-control"], "no-cache");
    assert!(definition.headers["vary"].to_str().unwrap().contains("Host"));

    // From loopback, trusted by default, the same headers count.
    let s = serve(app()).await;
    let proxied = s
        .client
        .get(s.url("/x/bank"))
        .header("x-script-name", "/x")
        .header("x-forwarded-proto", "https");
    let definition = send(&s, proxied).await.json();
    assert!(
        definition["url"].as_str().unwrap().starts_with("https://"),
        "{definition}"
    );
    assert!(
        definition["url"].as_str().unwrap().ends_with("/x/bank"),
        "{definition}"
    );
}

#[tokio::test]
async fn x_forwarded_headers_from_a_trusted_proxy_build_the_urls() {
    let s = serve(app()).await;
    let definition = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = s.client.get(s.url("/x/bank"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let s = &s;
        async move { send(s, request).await }
    };
    let proxied = definition(&[
        ("x-forwarded-prefix", "/x/"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "api.example.test:8443"),
    ])
    .await;
    assert_eq!(proxied.json()["url"], "https://api.example.test:8443/x/bank");
    let vary = proxied.headers["vary"].to_str().unwrap();
    assert!(
        vary.contains("X-Forwarded-Prefix") && vary.contains("X-Forwarded-Host"),
        "{vary}"
    );
    // Both prefix headers, when they agree.
    let both = definition(&[("x-forwarded-prefix", "/x"), ("x-script-name", "/x")]).await;
    assert!(both.json()["url"].as_str().unwrap().ends_with("/x/bank"));
    // Garbage is ignored: the request's own scheme and host stand.
    let garbage = definition(&[
        ("x-forwarded-prefix", "/x"),
        ("x-forwarded-proto", "javascript"),
        ("x-forwarded-host", "evil.test/phish?"),
        ("x-forwarded-for", "<script>, 1.2.3.4.5"),
    ])
    .await;
    assert_own_url(&garbage.json());
    // A prefix that climbs, or two that disagree, is refused.
    for headers in [
        &[("x-forwarded-prefix", "/a/../b")][..],
        &[("x-forwarded-prefix", "//evil.test")][..],
        &[("x-forwarded-prefix", "/x"), ("x-script-name", "/y")][..],
    ] {
        definition(headers).await.error(400, "Bad Request");
    }
}

#[tokio::test]
async fn the_origin_is_checked_against_the_host_the_proxy_forwards() {
    // A proxy that sends its upstream's address as `Host` and the public
    // host as X-Forwarded-Host: the page's own calls are same-origin.
    let s = serve(app()).await;
    let call = |host: Option<&'static str>| {
        let mut request = s
            .client
            .get(s.url("/bank/echo?text=hi"))
            .header("origin", "https://api.example.test")
            .header("x-forwarded-proto", "https");
        if let Some(host) = host {
            request = request.header("x-forwarded-host", host);
        }
        let s = &s;
        async move { send(s, request).await }
    };
    assert_eq!(call(Some("api.example.test")).await.json(), json!("hi"));
    call(None).await.error(403, "Forbidden");
    call(Some("other.example.test")).await.error(403, "Forbidden");
}

#[tokio::test]
async fn the_forwarded_header_counts_when_the_app_says_its_proxies_send_it() {
    let s = serve(app().proxy_headers(pico::ProxyHeaders::Forwarded)).await;
    let get = |forwarded: &'static str| {
        let request = s
            .client
            .get(s.url("/bank"))
            .header("forwarded", forwarded)
            .header("x-forwarded-proto", "http")
            .header("x-forwarded-host", "ignored.test");
        let s = &s;
        async move { send(s, request).await.json() }
    };
    let definition = get("for=198.51.100.7;proto=https;host=\"[2001:db8::1]:8443\"").await;
    assert_eq!(definition["url"], "https://[2001:db8::1]:8443/bank");
    // The client's own element, left of the proxy's, is not believed.
    let definition =
        get("for=6.6.6.6;host=evil.test, for=198.51.100.7;proto=https;host=api.example.test").await;
    assert_eq!(definition["url"], "https://api.example.test/bank");
    // A malformed header is ignored as a whole.
    let definition = get("for=\"unclosed;proto=https").await;
    assert_own_url(&definition);
    // Under the X-Forwarded family, `Forwarded` is a client's word.
    let s = serve(app()).await;
    let request = s
        .client
        .get(s.url("/bank"))
        .header("forwarded", "proto=https;host=evil.test");
    let definition = send(&s, request).await.json();
    assert_own_url(&definition);
}

#[tokio::test]
async fn percent_encoded_dots_in_a_prefix_are_refused() {
    let s = serve(app()).await;
    let forged = s
        .client
        .get(s.url("/bank"))
        .header("x-script-name", "/%2e%2e/admin");
    send(&s, forged).await.error(400, "Bad Request");
}

#[tokio::test]
async fn cookies_are_secure_behind_https_only() {
    let s = serve(app()).await;
    let https = s
        .client
        .get(s.url("/bank/sign_in?user=arthur"))
        .header("x-forwarded-proto", "https");
    let cookie = send(&s, https).await.headers["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let plain = s.get("/bank/sign_in?user=arthur").await;
    assert!(!plain.headers["set-cookie"].to_str().unwrap().contains("Secure"));
    // A stranger cannot claim https.
    let s = serve(app().trusted_proxies(["10.0.0.0/8"])).await;
    let forged = s
        .client
        .get(s.url("/bank/sign_in?user=a"))
        .header("x-forwarded-proto", "https");
    assert!(
        !send(&s, forged).await.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

#[tokio::test]
async fn dotfiles_are_never_served() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("security-static");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".env"), "SECRET=1").unwrap();
    std::fs::write(dir.join(".git/config"), "[core]").unwrap();
    std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
    let s = serve(app().static_files(&dir)).await;
    assert_eq!(s.get("/index.html").await.text, "<p>hi</p>");
    for path in ["/.env", "/.git/config", "/%2eenv", "/%2Egit/config", "/x/../.env"] {
        let answer = s.get(path).await;
        answer.error(404, "Not Found");
        assert!(!answer.text.contains("SECRET"), "{path}");
    }
}

#[tokio::test]
async fn a_flood_of_duplicate_keys_is_refused_before_it_is_kept() {
    let s = serve(app().body_limit(24 * 1024 * 1024)).await;
    let mut body = String::with_capacity(21_000_000);
    body.push('{');
    for _ in 0..3_000_000 {
        body.push_str("\"a\":0,");
    }
    body.push_str("\"a\":0}");
    let answer = s.post_raw("/bank/echo", "application/json", body).await;
    let message = answer.error(400, "Bad Request");
    assert!(message.starts_with("Too many parameters"), "{message}");
    assert_eq!(s.get("/bank/echo?text=alive").await.json(), "alive");
}

#[tokio::test]
async fn long_names_and_many_parts_are_refused() {
    let s = serve(app()).await;
    let name = "n".repeat(300);
    let answer = s.get(&format!("/bank/echo?text=a&{name}=1")).await;
    assert_eq!(
        answer.error(400, "Bad Request"),
        "A parameter name is longer than 256 bytes."
    );

    let mut form = String::new();
    for i in 0..10_001 {
        form.push_str(&format!(
            "--b\r\nContent-Disposition: form-data; name=\"p{}\"\r\n\r\nx\r\n",
            i % 50
        ));
    }
    form.push_str("--b--\r\n");
    let answer = s
        .post_raw("/bank/echo", "multipart/form-data; boundary=b", form)
        .await;
    assert!(
        answer
            .error(400, "Bad Request")
            .starts_with("Too many parameters")
    );

    let big = reqwest::multipart::Form::new().text("text", "x".repeat(1024 * 1024 + 1));
    let answer = send(&s, s.client.post(s.url("/bank/echo")).multipart(big)).await;
    assert!(answer.error(413, "Payload Too Large").contains("text field"));
}

#[tokio::test]
async fn many_distinct_names_stay_linear() {
    // 999 names of 256 bytes, each sent nine times: found by index, not by
    // comparing each with every other.
    let s = serve(app()).await;
    let mut query = String::from("text=a");
    for repeat in 0..9 {
        for i in 0..999 {
            query.push_str(&format!("&{:0>256}={repeat}", i));
        }
    }
    let answer = s
        .post_raw("/bank/echo", "application/x-www-form-urlencoded", query)
        .await;
    let message = answer.error(400, "Bad Request");
    assert!(
        message.starts_with("Unexpected parameters: [0000"),
        "{}",
        &message[..200.min(message.len())]
    );
}

#[tokio::test]
async fn blocking_functions_run_off_the_workers_and_panic_as_usual() {
    // The test's runtime has one thread, which also runs the server. Each
    // call blocks until the other arrives: they only meet if `#[blocking]`
    // keeps that thread free to take the second; otherwise each gives up
    // alone, with a 504.
    let s = serve(app()).await;
    let (one, two) = tokio::join!(s.get("/bank/meet?n=1"), s.get("/bank/meet?n=2"));
    assert_eq!((one.status, two.status), (200, 200), "{one:?} {two:?}");
    assert_eq!((one.json(), two.json()), (json!(1), json!(2)));
    s.get("/bank/slow_panic")
        .await
        .error(500, "Internal Server Error");
    assert_eq!(s.get("/bank/echo?text=after").await.json(), "after");
}

#[tokio::test]
async fn silent_connections_and_half_prefaces_are_cut() {
    let (address, _stop) = own_server(
        pico::Server::new().header_timeout(Duration::from_millis(300)),
        app(),
    )
    .await;
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_empty());
    let mut half = tokio::net::TcpStream::connect(address).await.unwrap();
    half.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    assert!(read_to_close(&mut half).await.is_empty());
    // The server goes on serving.
    let answer = reqwest::get(format!("http://{address}/bank/echo?text=on"))
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "\"on\"");
}

#[tokio::test]
async fn a_head_over_a_mebibyte_is_a_431_and_others_go_on() {
    let (address, _stop) = own_server(pico::Server::new(), app()).await;
    // A connection made before, kept alive across the refusal.
    let mut other = tokio::net::TcpStream::connect(address).await.unwrap();
    let ask = |text: &str| format!("GET /bank/echo?text={text} HTTP/1.1\r\nHost: x\r\n\r\n");
    other.write_all(ask("before").as_bytes()).await.unwrap();
    let mut buffer = vec![0_u8; 4096];
    let n = other.read(&mut buffer).await.unwrap();
    assert!(
        buffer[..n].ends_with(b"\"before\""),
        "{}",
        String::from_utf8_lossy(&buffer[..n])
    );

    // Under the limit, a head of 600 KiB (a large cookie, say) reaches the
    // app, where hyper's default buffer would have refused it.
    let mut large = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "GET /bank/echo?text=large HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\nConnection: close\r\n\r\n",
        "f".repeat(600 * 1024)
    );
    large.write_all(head.as_bytes()).await.unwrap();
    let answer = String::from_utf8_lossy(&read_to_close(&mut large).await).into_owned();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("\"large\""),
        "{:?}",
        &answer[..answer.len().min(200)]
    );

    // Over it, the HTTP layer refuses the head.
    let mut huge = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "GET /bank/echo?text=x HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\n\r\n",
        "f".repeat(1024 * 1024 + 1)
    );
    // The server may stop reading, and close, before all of it is written.
    let _ = huge.write_all(head.as_bytes()).await;
    let answer = String::from_utf8_lossy(&read_to_close(&mut huge).await).into_owned();
    assert_refusal(&answer, 431, "Request Header Fields Too Large");

    other.write_all(ask("after").as_bytes()).await.unwrap();
    let n = other.read(&mut buffer).await.unwrap();
    assert!(
        buffer[..n].ends_with(b"\"after\""),
        "{}",
        String::from_utf8_lossy(&buffer[..n])
    );
}

/// A refusal of the HTTP layer, with the standard body and a request id.
fn assert_refusal(answer: &str, code: u16, name: &str) -> Value {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    assert!(head.starts_with(&format!("HTTP/1.1 {code} {name}\r\n")), "{head}");
    assert!(head.contains("\r\ncontent-type: application/json\r\n"), "{head}");
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert_eq!(
        (body["code"].as_u64(), body["name"].as_str()),
        (Some(code.into()), Some(name))
    );
    let id = body["request_id"].as_str().unwrap();
    assert!(head.contains(&format!("\r\nx-request-id: {id}\r\n")), "{head}");
    body
}

#[tokio::test]
async fn the_http_layers_own_refusals_carry_the_standard_body() {
    let (address, _stop) = own_server(pico::Server::new(), app()).await;
    let refused = |request: Vec<u8>| async move {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let _ = stream.write_all(&request).await;
        String::from_utf8_lossy(&read_to_close(&mut stream).await).into_owned()
    };
    // A request line over the 65534 bytes an `http::Uri` holds.
    let long = format!(
        "GET /bank/echo?text={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let body = assert_refusal(&refused(long.into_bytes()).await, 414, "URI Too Long");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("65534 bytes") && message.contains("POST body"),
        "{message}"
    );
    // A request line that is not HTTP.
    let garbled = b"GET /bank/echo?text=a HTTP/1.1 extra\r\nHost: x\r\n\r\n".to_vec();
    assert_refusal(&refused(garbled).await, 400, "Bad Request");
    let header = b"GET /bank/echo?text=a HTTP/1.1\r\nHost x\r\n\r\n".to_vec();
    assert_refusal(&refused(header).await, 400, "Bad Request");
    // The server goes on.
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let ask = b"GET /bank/echo?text=on HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    stream.write_all(ask).await.unwrap();
    let answer = String::from_utf8_lossy(&read_to_close(&mut stream).await).into_owned();
    assert!(answer.ends_with("\"on\""), "{answer}");
}

#[tokio::test]
async fn a_trickled_body_times_out_with_a_408() {
    let (address, _stop) = own_server(
        pico::Server::new(),
        app().body_timeout(Duration::from_millis(300)),
    )
    .await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = "POST /bank/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\nConnection: close\r\n\r\n{\"te";
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = String::from_utf8(read_to_close(&mut stream).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408 Request Timeout"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["code"], 408);
}

#[tokio::test]
async fn connections_past_the_limit_wait_for_a_free_one() {
    let (address, _stop) = own_server(pico::Server::new().max_connections(1), app()).await;
    let mut first = tokio::net::TcpStream::connect(address).await.unwrap();
    first
        .write_all(b"GET /bank/echo?text=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0_u8; 512];
    let n = first.read(&mut buffer).await.unwrap();
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
    // The second waits while the first is open, and is answered once it goes.
    let second = tokio::spawn(reqwest::get(format!("http://{address}/bank/echo?text=2")));
    drop(first);
    let answer = second.await.unwrap().unwrap();
    assert_eq!(answer.text().await.unwrap(), "\"2\"");
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let server = pico::Server::new()
        .header_timeout(Duration::from_millis(200))
        .idle_timeout(Duration::from_millis(200));
    let (address, _stop) = own_server(server, app()).await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /bank/echo?text=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = String::from_utf8(read_to_close(&mut stream).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(
        answer.ends_with("\"1\""),
        "kept alive, then closed when idle: {answer}"
    );
}
