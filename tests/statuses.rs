//! Successes other than 200 (`#[status(...)]`, `Located`) over HTTP, as
//! JSONP, through the Rust client's stubs, and in the documents.

mod common;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/links.rs"]
mod successes;

use common::serve;
use serde_json::json;
use successes::links::Link;

fn app() -> pico::App {
    pico::App::new().register(successes::links::module()).jsonp(true)
}

#[tokio::test]
async fn a_201_carries_its_location_and_a_204_no_body() {
    let s = serve(app()).await;
    let a = s.get("/links/create?slug=abc&url=https://example.com").await;
    assert_eq!(a.status, 201);
    assert_eq!(a.headers["location"], "read?slug=abc");
    assert_eq!(a.json(), json!({"slug": "abc", "url": "https://example.com"}));
    let a = s.get("/links/shorten?url=https://example.com").await;
    assert_eq!(
        (a.status, a.headers["location"].to_str().unwrap()),
        (201, "read?slug=s1")
    );
    let a = s
        .send(
            s.client
                .post(s.url("/links/forget"))
                .json(&json!({"slug": "abc"})),
        )
        .await;
    assert_eq!(a.status, 204);
    assert_eq!(a.text, "");
    assert!(a.headers.get("content-type").is_none(), "{a:?}");
    assert!(a.headers.get("x-request-id").is_some());
    // Its errors are the standard body, as any function's.
    let a = s.get("/links/forget?slug=missing").await;
    assert_eq!(a.error(404, "Not Found"), "No such link.");
    let a = s.get("/links/visit?slug=abc").await;
    assert_eq!((a.status, a.json()), (202, json!(3)));
    // A wrong argument is a 400, whatever the success's status.
    s.get("/links/create?slug=abc").await.error(400, "Bad Request");
}

/// A script reads its data whatever the status: JSONP answers 200, and a
/// 204's `null`.
#[tokio::test]
async fn jsonp_answers_the_value_as_a_script() {
    let s = serve(app()).await;
    let a = s.get("/links/create?slug=abc&url=u&_callback=got").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "text/javascript");
    assert_eq!(a.text, r#"got({"slug":"abc","url":"u"});"#);
    let a = s.get("/links/forget?slug=abc&_callback=got").await;
    assert_eq!((a.status, a.text.as_str()), (200, "got(null);"));
}

#[tokio::test]
async fn the_rust_clients_stubs_read_them_in_process_and_over_http() {
    let s = serve(app()).await;
    for client in [
        pico::client::Client::new(&s.base),
        pico::client::Client::in_process(app()),
    ] {
        let link = successes::links::client::create(&client, "abc".into(), "u".into())
            .await
            .unwrap();
        assert_eq!(
            link,
            Link {
                slug: "abc".into(),
                url: "u".into()
            }
        );
        successes::links::client::forget(&client, "abc".into())
            .await
            .unwrap();
        let Err(pico::client::Error::Http(e)) =
            successes::links::client::forget(&client, "missing".into()).await
        else {
            panic!("a 404 is an error");
        };
        assert_eq!(e.status(), 404);
        assert_eq!(
            successes::links::client::visit(&client, "abc".into())
                .await
                .unwrap(),
            3
        );
    }
}

#[tokio::test]
async fn the_documents_say_each_status() {
    let s = serve(app()).await;
    let doc = s.get("/openapi.json").await.json();
    let responses = |f: &str| doc["paths"][format!("/links/{f}")]["post"]["responses"].clone();
    let create = responses("create");
    assert!(create.get("200").is_none(), "{create}");
    assert_eq!(
        create["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Link"
    );
    assert!(create["201"]["headers"]["Location"].is_object());
    assert!(responses("shorten")["201"]["headers"]["Location"].is_object());
    let forget = responses("forget");
    assert!(forget["204"].get("content").is_none(), "{forget}");
    assert!(forget["204"]["headers"].get("Location").is_none());
    assert!(forget["4XX"].is_object());
    assert_eq!(
        responses("visit")["202"]["content"]["application/json"]["schema"]["type"],
        "integer"
    );
    // The declarations give each call its value: a 204's is `null`.
    let types = s.get("/links.d.ts").await.text;
    assert!(
        types.contains("create: PicoFunction<[slug: string, url: string]"),
        "{types}"
    );
    assert!(types.contains(", Link>;"), "{types}");
    assert!(
        types.contains("forget: PicoFunction<[slug: string], { slug: string }, null>;"),
        "{types}"
    );
}
