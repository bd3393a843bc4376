//! Constraints on arguments over HTTP: each kind at, below and above its
//! bounds, several violations in one request, a structured argument's own,
//! as the standard body and as problem details; and in the document.

mod common;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/shelf.rs"]
mod books;

use common::serve;
use serde_json::{Value, json};

fn app() -> pico::App {
    pico::App::new().register(books::shelf::module())
}

fn errors(a: &common::Answer) -> Value {
    assert_eq!(a.status, 422, "{a:?}");
    a.json()["errors"].clone()
}

#[tokio::test]
async fn each_constraint_at_and_beyond_its_bounds() {
    let s = serve(app()).await;
    for ok in [
        "limit=1",
        "limit=100",
        "limit=5&shelf=abc",
        "limit=5&shelf=a-32-characters-long-shelf-name1",
    ] {
        assert_eq!(s.get(&format!("/shelf/list?{ok}")).await.status, 200, "{ok}");
    }
    let a = s.get("/shelf/list?limit=0").await;
    assert_eq!(
        a.error(422, "Unprocessable Entity"),
        "An argument breaks its constraints."
    );
    assert_eq!(
        errors(&a),
        json!([{"parameter": "limit", "message": "lower than 1"}])
    );
    let a = s.get("/shelf/list?limit=101").await;
    assert_eq!(
        errors(&a),
        json!([{"parameter": "limit", "message": "greater than 100"}])
    );
    let a = s.get("/shelf/list?limit=1&shelf=ab").await;
    assert_eq!(
        errors(&a),
        json!([{"parameter": "shelf", "message": "length is lower than 3"}])
    );
    let a = s.get("/shelf/list?limit=1&shelf=Not-Lower").await;
    assert_eq!(
        errors(&a),
        json!([{"parameter": "shelf", "message": "does not match the pattern ^[a-z0-9-]+$"}])
    );
    let a = s.get("/shelf/list?limit=1&from=not%20a%20url").await;
    assert_eq!(errors(&a)[0]["parameter"], "from");
    assert_eq!(
        s.get("/shelf/list?limit=1&from=https://example.com/")
            .await
            .status,
        200
    );
    let a = s.get("/shelf/list?limit=1&tilt=-1.6").await;
    assert_eq!(
        errors(&a),
        json!([{"parameter": "tilt", "message": "lower than -1.5"}])
    );
    // A wrong type stays a 400, found before any constraint.
    s.get("/shelf/list?limit=many").await.error(400, "Bad Request");
}

#[tokio::test]
async fn every_violation_of_a_request_is_listed_in_order() {
    let s = serve(app()).await;
    let a = s.get("/shelf/list?limit=0&shelf=AB&tilt=2").await;
    assert_eq!(a.error(422, "Unprocessable Entity"), "4 constraints are broken.");
    assert_eq!(
        errors(&a),
        json!([
            {"parameter": "limit", "message": "lower than 1"},
            {"parameter": "shelf", "message": "length is lower than 3"},
            {"parameter": "shelf", "message": "does not match the pattern ^[a-z0-9-]+$"},
            {"parameter": "tilt", "message": "greater than 1.5"},
        ])
    );
}

#[tokio::test]
async fn a_structured_argument_is_checked_field_by_field() {
    let s = serve(app()).await;
    let good = json!({"book": {"title": "Dune", "year": 1965, "author": {"email": "frank@example.com"}, "tags": ["sf"]}});
    let a = s.send(s.client.post(s.url("/shelf/add")).json(&good)).await;
    assert_eq!(a.json(), json!("Dune (1965) by frank@example.com"));
    let bad = json!({"book": {"title": "", "year": 1200, "author": {"email": "frank"}, "tags": ["sf", "x"]}});
    let a = s.send(s.client.post(s.url("/shelf/add")).json(&bad)).await;
    let errors = errors(&a);
    let paths: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["book.author.email", "book.tags[1]", "book.title", "book.year"],
        "{errors}"
    );
    assert!(
        errors
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["message"].as_str().is_some_and(|m| !m.is_empty()))
    );
}

#[tokio::test]
async fn problem_details_carry_the_same_list() {
    let s = serve(app().problem_details(true)).await;
    let a = s.get("/shelf/list?limit=0").await;
    assert_eq!(a.status, 422);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(
        a.json()["errors"],
        json!([{"parameter": "limit", "message": "lower than 1"}])
    );
}

#[tokio::test]
async fn the_document_says_each_constraint() {
    let s = serve(app()).await;
    let doc = s.get("/openapi.json").await.json();
    let params = &doc["paths"]["/shelf/list"]["get"]["parameters"];
    let schema = |name: &str| {
        let p = params
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap();
        p["schema"].clone()
    };
    assert_eq!(
        (
            schema("limit")["minimum"].clone(),
            schema("limit")["maximum"].clone()
        ),
        (json!(1), json!(100))
    );
    assert_eq!(schema("shelf")["pattern"], "^[a-z0-9-]+$");
    assert_eq!(
        (
            schema("shelf")["minLength"].clone(),
            schema("shelf")["maxLength"].clone()
        ),
        (json!(3), json!(32))
    );
    // Optional, so also the word `null` in a query string.
    assert_eq!(schema("tilt")["anyOf"][0]["minimum"], json!(-1.5));
    assert!(doc["paths"]["/shelf/list"]["get"]["responses"]["422"].is_object());
    assert!(doc["paths"]["/shelf/add"]["post"]["responses"]["422"].is_object());
    let book = &doc["components"]["schemas"]["Book"]["properties"];
    assert_eq!(book["year"]["minimum"], json!(1450));
    assert_eq!(book["title"]["maxLength"], json!(80));
    // A list's length is its number of items, also when it is optional.
    let tags = &doc["paths"]["/shelf/label"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ["properties"]["tags"];
    assert_eq!(tags["type"], json!(["array", "null"]), "{tags}");
    assert_eq!(
        (tags["minItems"].clone(), tags["maxItems"].clone()),
        (json!(1), json!(3)),
        "{tags}"
    );
    assert!(tags.get("maxLength").is_none(), "{tags}");
}

#[tokio::test]
async fn a_lists_length_counts_its_items() {
    let s = serve(app()).await;
    assert_eq!(
        s.post_json("/shelf/label", &json!({"tags": ["a", "b", "c"]}))
            .await
            .json(),
        3
    );
    assert_eq!(s.post_json("/shelf/label", &json!({})).await.json(), 0);
    let a = s
        .post_json("/shelf/label", &json!({"tags": ["a", "b", "c", "d"]}))
        .await;
    assert_eq!(errors(&a)[0]["parameter"], "tags", "{a:?}");
    let a = s.post_json("/shelf/label", &json!({"tags": []})).await;
    assert_eq!(errors(&a)[0]["parameter"], "tags", "{a:?}");
}

#[pico::api]
mod broken {
    #[expose]
    fn find(#[garde(pattern("(unclosed"))] name: String) -> String {
        name
    }
}

#[test]
fn a_pattern_that_does_not_compile_stops_the_app_naming_its_parameter() {
    let refused = pico::App::new().register(broken::module()).check().unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("the pattern of `name` in `broken.find`"),
        "{refused}"
    );
}
