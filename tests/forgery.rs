//! Requests forged by another site, over real HTTP, where one of Pico's
//! exemptions or a browser's silence could let them through: JSONP, plain
//! http without `Sec-Fetch-*`, the `*` origin, cookie names a sibling
//! subdomain can plant, a name rebound to loopback, and a request line that
//! names its own scheme.

mod common;

use common::{Server, serve};
use serde_json::json;

#[path = "forgery/site.rs"]
mod forged;

use forged::site;

fn app() -> pico::App {
    pico::App::new().register(site::module())
}

const CROSS: (&str, &str) = ("sec-fetch-site", "cross-site");
const EVIL: (&str, &str) = ("origin", "http://evil.test");

async fn get(s: &Server, path: &str, headers: &[(&str, &str)]) -> common::Answer {
    let mut request = s.client.get(s.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    s.send(request).await
}

#[tokio::test]
async fn jsonp_passes_across_sites_only_as_a_script_would_ask() {
    let s = serve(app().jsonp(true)).await;
    // A `<script src>` of another site: a GET without a body or cookies.
    let script = get(&s, "/site/hello?who=you&_callback=cb", &[CROSS, EVIL]).await;
    assert_eq!(script.status, 200, "{script:?}");
    assert_eq!(script.text, r#"cb("Hello you");"#);
    // A form POST with `_callback` in its action is a form POST.
    let form = s
        .client
        .post(s.url("/site/hello?_callback=cb"))
        .header(CROSS.0, CROSS.1)
        .header(EVIL.0, EVIL.1)
        .form(&[("who", "FROM_BODY")]);
    let answer = s.send(form).await;
    let message = answer.error(403, "Forbidden");
    assert!(message.contains("Cross-site"), "{message}");
    assert!(!answer.text.contains("FROM_BODY"));
    // A navigation to a function that sets cookies: no session is planted.
    let navigation = get(&s, "/site/start_session?_callback=x", &[CROSS]).await;
    navigation.error(403, "Forbidden");
    assert!(!navigation.headers.contains_key("set-cookie"));
    // Nor does a function answering a `Response` of its own run.
    get(&s, "/site/redirect?_callback=x", &[CROSS])
        .await
        .error(403, "Forbidden");
    // Same-origin JSONP of such a function is the app's own business.
    let own = get(
        &s,
        "/site/start_session?_callback=x",
        &[("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(own.status, 200, "{own:?}");
}

#[tokio::test]
async fn another_sites_link_over_plain_http_is_known_by_its_referer() {
    let s = serve(app()).await;
    // What a browser sends to a plain-http origin on a navigation from
    // another site: cookies, a `Referer`, and neither `Origin` nor
    // `Sec-Fetch-Site`.
    let cookie = ("cookie", "session_id=42");
    let forged = get(
        &s,
        "/site/hello?who=x",
        &[cookie, ("referer", "http://evil.test/page")],
    )
    .await;
    let message = forged.error(403, "Forbidden");
    assert!(message.contains("Cross-site"), "{message}");
    // From the app's own page, and from a client that says nothing.
    let own_page = format!("{}/index.html", s.base);
    let own = get(&s, "/site/hello?who=x", &[cookie, ("referer", own_page.as_str())]).await;
    assert_eq!(own.json(), json!("Hello x"));
    assert_eq!(
        get(&s, "/site/hello?who=x", &[cookie]).await.json(),
        json!("Hello x")
    );
    // Without cookies, another site's link would plant a session.
    let planted = get(&s, "/site/start_session", &[("referer", "http://evil.test/")]).await;
    planted.error(403, "Forbidden");
    assert!(!planted.headers.contains_key("set-cookie"));
    // Another scheme is another origin.
    let https_page = own_page.replacen("http://", "https://", 1);
    get(
        &s,
        "/site/hello?who=x",
        &[cookie, ("referer", https_page.as_str())],
    )
    .await
    .error(403, "Forbidden");
    let origin = s.base.replacen("http://", "https://", 1);
    get(&s, "/site/hello?who=x", &[("origin", origin.as_str())])
        .await
        .error(403, "Forbidden");
}

#[tokio::test]
async fn any_origin_runs_only_calls_without_credentials() {
    let s = serve(app().allow_origins(["*"])).await;
    let open = get(&s, "/site/hello?who=x", &[CROSS, EVIL]).await;
    assert_eq!(open.json(), json!("Hello x"));
    assert_eq!(open.headers["access-control-allow-origin"], "*");
    for credential in [("cookie", "session_id=42"), ("authorization", "Bearer t")] {
        let answer = get(&s, "/site/hello?who=x", &[CROSS, EVIL, credential]).await;
        let message = answer.error(403, "Forbidden");
        assert!(message.contains("credentials"), "{message}");
    }
}

#[tokio::test]
async fn cookie_names_are_read_as_sent_and_prefixes_are_kept() {
    let s = serve(app()).await;
    let cookies = get(
        &s,
        "/site/whoami",
        &[("cookie", "session%5Fid=evil; session_id=42; __Host%2Dsid=planted")],
    )
    .await
    .json();
    assert_eq!(cookies["session_id"], "42", "{cookies}");
    assert_eq!(cookies["session%5Fid"], "evil", "{cookies}");
    assert!(cookies.get("__Host-sid").is_none(), "{cookies}");
    // The first of a name is the one read, as browsers send the most
    // specific first.
    let cookies = get(&s, "/site/whoami", &[("cookie", "a=1; a=2")]).await.json();
    assert_eq!(cookies["a"], "1");
    // A prefixed name is set as its prefix promises, or a browser drops it.
    let host = get(&s, "/site/guarded_cookie?name=__Host-sid", &[]).await;
    let set = host.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.starts_with("__Host-sid=v;") && set.contains("; Secure") && set.contains("; Path=/"),
        "{set}"
    );
    let secure = get(&s, "/site/guarded_cookie?name=__secure-x", &[]).await;
    assert!(
        secure.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    // A name a browser would not send back as it is set is the app's bug.
    get(&s, "/site/guarded_cookie?name=a%20b", &[])
        .await
        .error(500, "Internal Server Error");
}

#[tokio::test]
async fn the_listed_hosts_only_are_answered() {
    let s = serve(app().allowed_hosts(["api.example.test", ".example.org"])).await;
    let answer = get(&s, "/site/hello?who=x", &[("host", "rebind.evil:4311")]).await;
    let message = answer.error(421, "Misdirected Request");
    assert!(message.contains("rebind.evil"), "{message}");
    for host in ["api.example.test:8000", "example.org", "a.example.org"] {
        let answer = get(&s, "/site/hello?who=x", &[("host", host)]).await;
        assert_eq!(answer.json(), json!("Hello x"), "{host}");
    }
    // Refused before anything else, the definitions included.
    get(&s, "/site", &[("host", "rebind.evil")])
        .await
        .error(421, "Misdirected Request");
}

#[tokio::test]
async fn every_answer_says_nosniff() {
    let s = serve(app()).await;
    for path in [
        "/site/hello?who=x",
        "/site/nothing",
        "/pico.js",
        "/site",
        "/site.d.ts",
        "/openapi.json",
    ] {
        let answer = get(&s, path, &[]).await;
        assert_eq!(
            answer.headers["x-content-type-options"], "nosniff",
            "{path}: {answer:?}"
        );
    }
}

/// Over the app's own server, which speaks plain TCP: a request line that
/// names `https` is still a plain-http request.
#[tokio::test]
async fn the_scheme_is_the_connections_not_the_request_lines() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(pico::Server::new().serve_on(listener, app(), std::future::pending()));
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request =
        format!("GET https://{address}/site/scheme HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nfalse"), "{answer}");
}
