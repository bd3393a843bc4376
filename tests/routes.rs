//! `#[route(METHOD, "/path/{placeholder}")]` over HTTP: the example's
//! resource API at `/links/{slug}`, placeholders read as any argument is
//! (typed, constrained, over what the query says), percent-decoded once,
//! and the seams: `/module/function` beside it, 405 with `Allow`, CORS
//! preflights, the cross-site rule, JSONP, a proxy's prefix, the
//! definitions, and the clashes refused when the app is built.

mod common;

use serde_json::{Value, json};

// Its `main` is not called here.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/resources/shortener.rs"]
#[rustfmt::skip]
mod shortener;

#[pico::api(client)]
mod owners {
    use std::collections::HashMap;

    /// Two events of a feed, then its end.
    #[expose]
    #[stream]
    #[route(GET, "/feeds/{name}")]
    fn feed(name: String) -> impl Iterator<Item = String> {
        [1, 2].into_iter().map(move |n| format!("{name} {n}"))
    }

    /// Greets a visitor with a cookie of their name.
    #[expose]
    #[route(GET, "/welcome/{name}")]
    #[set_cookie]
    fn welcome(name: String) -> HashMap<String, String> {
        HashMap::from([("visitor".to_owned(), name)])
    }

    /// A user's link: two placeholders, one of them a number.
    #[expose]
    #[route(GET, "/users/{user}/links/{slug}")]
    fn owned(user: u32, slug: String, #[default(false)] full: bool) -> (u32, String, bool) {
        (user, slug, full)
    }
}

fn app() -> pico::App {
    pico::App::new()
        .state(shortener::Shelf::default())
        .register(shortener::module())
        .register(owners::module())
}

async fn create(s: &common::Server, slug: &str) -> common::Answer {
    s.post_form("/links", &[("slug", slug), ("target", "https://example.com/")])
        .await
}

#[tokio::test]
async fn a_resource_is_made_read_changed_and_removed_at_its_path() {
    let s = common::serve(app()).await;
    let made = create(&s, "abc").await;
    assert_eq!(made.status, 201, "{made:?}");
    assert_eq!(made.headers["location"], s.url("/links/abc"));
    assert_eq!(made.json()["slug"], "abc");

    assert_eq!(s.get("/links/abc").await.json()["target"], "https://example.com/");
    let changed = s
        .send(
            s.client
                .put(s.url("/links/abc"))
                .json(&json!({"target": "https://example.org/"})),
        )
        .await;
    assert_eq!(changed.json()["target"], "https://example.org/");

    let went = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(s.url("/go/abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(went.status(), 307);
    assert_eq!(went.headers()["location"], "https://example.org/");
    assert_eq!(s.get("/links").await.json()[0]["visits"], 1);

    // The function's own path leads to the same function.
    assert_eq!(s.get("/shortener/read?slug=abc").await.json()["visits"], 1);

    let removed = s.send(s.client.delete(s.url("/links/abc"))).await;
    assert_eq!((removed.status, removed.text.as_str()), (204, ""));
    let gone = s.get("/links/abc").await;
    assert_eq!(gone.error(404, "Not Found"), "there is no link abc");
}

#[tokio::test]
async fn placeholders_are_typed_and_constrained_as_any_argument() {
    let s = common::serve(app()).await;
    assert_eq!(s.get("/users/7/links/x").await.json(), json!([7, "x", false]));
    assert_eq!(
        s.get("/users/7/links/x?full=true").await.json(),
        json!([7, "x", true])
    );
    let message = s.get("/users/seven/links/x").await.error(400, "Bad Request");
    assert!(message.contains("user"), "{message}");

    // The path says what is asked for: a query value of the same name
    // does not override it.
    create(&s, "abc").await;
    assert_eq!(s.get("/links/abc?slug=zzz").await.json()["slug"], "abc");

    let refused = s
        .post_form("/links", &[("slug", "A B"), ("target", "not a url")])
        .await;
    refused.error(422, "Unprocessable Entity");
    let parameters: Vec<Value> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["parameter"].clone())
        .collect();
    assert_eq!(parameters, [json!("slug"), json!("target")]);
    assert_eq!(s.get("/links?limit=0").await.status, 422);
    assert_eq!(s.get("/links?limit=100").await.status, 200);
}

#[tokio::test]
async fn the_rust_stubs_give_a_routes_path_which_the_in_process_client_reaches() {
    let path = owners::client::owned_path(7, "a/b é".to_owned()).unwrap();
    assert_eq!(path, "users/7/links/a%2Fb%20%C3%A9");
    let client = pico::client::Client::in_process(app());
    let answer = client.get(&path).query("full", "true").send().await.unwrap();
    assert_eq!(answer.json::<Value>().unwrap(), json!([7, "a/b é", true]));
    // The stub itself calls the function's own path.
    assert_eq!(
        owners::client::owned(&client, 7, "x".to_owned(), false)
            .await
            .unwrap(),
        (7, "x".to_owned(), false)
    );
}

#[tokio::test]
async fn a_stream_is_served_at_its_route() {
    let s = common::serve(app()).await;
    let feed = s.get("/feeds/a%20b").await;
    assert_eq!(feed.content_type, "text/event-stream");
    assert!(
        feed.text
            .starts_with("data: \"a b 1\"\n\ndata: \"a b 2\"\n\nevent: close"),
        "{:?}",
        feed.text
    );
}

#[tokio::test]
async fn a_segment_is_percent_decoded_once_and_never_a_step_up() {
    let s = common::serve(app()).await;
    // `%2F` is part of the value, not a separator.
    assert_eq!(
        s.get("/users/1/links/a%2Fb").await.json(),
        json!([1, "a/b", false])
    );
    // Decoded once: `%252F` is the text `%2F`.
    assert_eq!(
        s.get("/users/1/links/a%252Fb").await.json(),
        json!([1, "a%2Fb", false])
    );
    assert_eq!(
        s.get("/users/1/links/caf%C3%A9").await.json(),
        json!([1, "café", false])
    );
    for step in ["%2E%2E", "%2e", "..", "."] {
        let raw = s
            .raw(&format!(
                "GET /users/1/links/{step} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
            ))
            .await;
        assert!(raw.starts_with("HTTP/1.1 404"), "{step}: {raw}");
    }
    let message = s.get("/users/1/links/%FF").await.error(400, "Bad Request");
    assert!(message.contains("`slug`"), "{message}");
}

#[tokio::test]
async fn a_method_the_path_does_not_take_is_a_405_that_lists_those_it_does() {
    let s = common::serve(app()).await;
    let answer = s.send(s.client.patch(s.url("/links/abc"))).await;
    answer.error(405, "Method Not Allowed");
    assert_eq!(answer.headers["allow"], "GET, HEAD, PUT, DELETE");
    create(&s, "abc").await;
    let head = s.send(s.client.head(s.url("/links/abc"))).await;
    assert_eq!((head.status, head.text.as_str()), (200, ""));
}

#[tokio::test]
async fn routes_keep_the_cross_site_rule_cors_and_jsonp() {
    let s = common::serve(app().allow_origins(["https://good.test"]).jsonp(true)).await;
    create(&s, "abc").await;
    let preflight = s
        .client
        .request(reqwest::Method::OPTIONS, s.url("/links/abc"))
        .header("origin", "https://good.test")
        .header("access-control-request-method", "DELETE");
    let answer = s.send(preflight).await;
    assert_eq!(
        answer.headers["access-control-allow-methods"],
        "GET, HEAD, PUT, DELETE"
    );

    let forged = s
        .client
        .delete(s.url("/links/abc"))
        .header("origin", "https://evil.test")
        .header("sec-fetch-site", "cross-site");
    s.send(forged).await.error(403, "Forbidden");
    assert_eq!(
        s.get("/links/abc").await.status,
        200,
        "the refused call did nothing"
    );
    let allowed = s
        .client
        .delete(s.url("/links/abc"))
        .header("origin", "https://good.test")
        .header("sec-fetch-site", "cross-site");
    assert_eq!(s.send(allowed).await.status, 204);

    let script = s.get("/users/3/links/x?_callback=got").await;
    assert_eq!(script.content_type, "text/javascript");
    assert_eq!(script.text, r#"got([3,"x",false]);"#);
}

#[tokio::test]
async fn a_get_route_is_a_link_another_site_may_show_which_sets_no_cookie_there() {
    let s = common::serve(app()).await;
    create(&s, "abc").await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let from = |path: &str, site: &str| browser.get(s.url(path)).header("sec-fetch-site", site.to_owned());
    let followed = s.send(from("/go/abc", "cross-site")).await;
    assert_eq!(followed.status, 307, "{followed:?}");
    // The function's own path is no link: refused from elsewhere, as ever.
    s.send(from("/shortener/go?slug=abc", "cross-site"))
        .await
        .error(403, "Forbidden");

    let elsewhere = s.send(from("/welcome/ann", "cross-site")).await;
    assert_eq!(elsewhere.json(), json!({"visitor": "ann"}));
    assert!(!elsewhere.headers.contains_key("set-cookie"), "{elsewhere:?}");
    let own = s.send(from("/welcome/ann", "same-origin")).await;
    assert!(
        own.headers["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("visitor=ann"),
        "{own:?}"
    );
}

#[tokio::test]
async fn under_a_proxys_prefix_a_route_is_under_it_too() {
    let s = common::serve(app().trusted_proxies(["127.0.0.1"])).await;
    let made = s
        .send(
            s.client
                .post(s.url("/api/links"))
                .header("x-forwarded-prefix", "/api")
                .form(&[("slug", "abc"), ("target", "https://example.com/")]),
        )
        .await;
    assert_eq!(made.headers["location"], s.url("/api/links/abc"));
    let read = s
        .send(
            s.client
                .get(s.url("/api/links/abc"))
                .header("x-forwarded-prefix", "/api"),
        )
        .await;
    assert_eq!(read.json()["slug"], "abc");
}

#[tokio::test]
async fn the_definitions_list_each_functions_routes() {
    let s = common::serve(app()).await;
    let definition = s.get("/shortener").await.json();
    let read = definition["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "read")
        .unwrap()
        .clone();
    assert_eq!(read["url"], s.url("/shortener/read"));
    assert_eq!(
        read["routes"],
        json!([{"method": "GET", "url": s.url("/links/{slug}")}])
    );
    let list = &definition["functions"][0];
    assert_eq!(list["routes"], json!([{"method": "GET", "url": s.url("/links")}]));
}

#[allow(unreachable_pub)]
mod clashes {
    #[pico::api]
    pub mod things {
        #[expose]
        #[route(GET, "/things/{id}")]
        fn show(id: u32) -> u32 {
            id
        }

        #[expose]
        #[route(DELETE, "/things/{id}")]
        fn forget(id: u32) -> u32 {
            id
        }
    }

    /// The same path and method.
    #[pico::api]
    pub mod same {
        #[expose]
        #[route(GET, "/things/{id}")]
        fn look(id: u32) -> u32 {
            id
        }
    }

    /// A path that differs by its placeholder's name only.
    #[pico::api]
    pub mod renamed {
        #[expose]
        #[route(GET, "/things/{name}")]
        fn named(name: String) -> String {
            name
        }
    }

    /// A route at a function's own path.
    #[pico::api]
    pub mod fixed {
        #[expose]
        #[route(POST, "/fixed/named")]
        fn named(name: String) -> String {
            name
        }
    }
}

fn build_error(module: pico::Module) -> String {
    let app = pico::App::new()
        .register(clashes::things::module())
        .register(module);
    app.check().unwrap_err().to_string()
}

#[test]
fn a_path_two_functions_claim_stops_the_app_naming_both() {
    let error = build_error(clashes::same::module());
    assert!(
        error.contains("things.show") && error.contains("same.look"),
        "{error}"
    );
    assert!(error.contains("GET /things/{id}"), "{error}");

    let error = build_error(clashes::renamed::module());
    assert!(
        error.contains("renamed.named") && error.contains("things.show"),
        "{error}"
    );

    let error = build_error(clashes::fixed::module());
    assert!(
        error.contains("`fixed.named`") && error.contains("/fixed/named"),
        "{error}"
    );

    // One path, another method: a resource, not a clash.
    pico::App::new()
        .register(clashes::things::module())
        .check()
        .unwrap();
}

#[tokio::test]
async fn the_document_has_each_route_with_its_path_parameters() {
    let s = common::serve(app()).await;
    let doc = s.get("/openapi.json").await.json();
    let item = &doc["paths"]["/links/{slug}"];
    let methods: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(methods, ["delete", "get", "put"]);
    let slug = json!({"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}});
    assert_eq!(item["get"]["parameters"], json!([slug]));
    assert_eq!(item["get"]["operationId"], "shortener.read.route");
    assert_eq!(item["delete"]["parameters"], json!([slug]));
    assert!(item["delete"]["responses"]["204"].get("content").is_none());
    let put = &item["put"];
    assert_eq!(put["parameters"], json!([slug]));
    let body = &put["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["target"]));
    assert_eq!(body["properties"]["target"]["format"], "uri");
    assert!(put["responses"].get("404").is_some());
    assert!(
        put["responses"].get("405").is_none(),
        "a route's method is its own"
    );

    let create = &doc["paths"]["/links"]["post"];
    assert!(create["responses"]["201"]["headers"].get("Location").is_some());
    let limit = &doc["paths"]["/links"]["get"]["parameters"][0];
    assert_eq!(
        (&limit["in"], &limit["schema"]["anyOf"][0]["maximum"]),
        (&json!("query"), &json!(100))
    );
    assert!(
        doc["paths"]["/go/{slug}"]["get"]["responses"]
            .get("307")
            .is_some()
    );
    let owned = &doc["paths"]["/users/{user}/links/{slug}"]["get"]["parameters"];
    let names: Vec<(&Value, &Value)> = owned
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (&p["name"], &p["in"]))
        .collect();
    assert_eq!(
        names,
        [
            (&json!("user"), &json!("path")),
            (&json!("slug"), &json!("path")),
            (&json!("full"), &json!("query"))
        ]
    );
    // The function's own path is documented as before.
    assert!(doc["paths"]["/shortener/read"].get("get").is_some());
}
