//! `/openapi.json`: what it documents, that it is valid OpenAPI 3.1
//! (openapi-spec-validator), and that both the everything example and a
//! richly typed module keep to it (Schemathesis, every default check).

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/shop.rs"]
mod typed;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/desk.rs"]
mod guarded;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/links.rs"]
mod successes;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/shelf.rs"]
mod books;

// A resource API: routes with placeholders, constraints, 201 and 204.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/resources/shortener.rs"]
#[rustfmt::skip]
mod resources;

// A file module whose functions read a bearer token. Formatted as its
// example is, with the example's own settings.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/notes/notes.rs"]
#[rustfmt::skip]
mod notes;

use std::path::PathBuf;

use common::{Server, serve};
use serde_json::{Value, json};

async fn everything() -> Server {
    serve(pico::App::new().register(everything::api::module())).await
}

/// The everything example, its document in OpenAPI 3.2: where Schemathesis
/// reads each event of a stream from `itemSchema` and checks it, as 3.1
/// has no place for it.
async fn everything_3_2() -> Server {
    let app = pico::App::new().openapi_version(pico::OpenApiVersion::V3_2);
    serve(app.register(everything::api::module())).await
}

async fn shop() -> Server {
    serve(pico::App::new().register(typed::shop::module())).await
}

async fn odd() -> Server {
    serve(pico::App::new().register(typed::odd::module())).await
}

/// The notes example and the desk: each function but one needs a bearer
/// token, which `desk::TOKEN` and `desk::ADMIN` are for both.
async fn guarded() -> Server {
    guarded_in(pico::OpenApiVersion::V3_1).await
}

async fn guarded_in(version: pico::OpenApiVersion) -> Server {
    let tokens = notes::Tokens(vec![
        (guarded::desk::TOKEN.to_owned(), "reader".to_owned()),
        (guarded::desk::ADMIN.to_owned(), "admin".to_owned()),
    ]);
    let app = pico::App::new()
        .openapi_version(version)
        .state(notes::Store::default())
        .state(tokens)
        .register(notes::module())
        .register(guarded::desk::module());
    serve(app).await
}

async fn document(s: &Server) -> Value {
    let a = s.get("/openapi.json").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "application/json");
    a.json()
}

#[tokio::test]
async fn each_function_is_an_operation_with_its_parameters_and_answers() {
    let doc = document(&everything().await).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let hello = &doc["paths"]["/api/hello"];
    assert_eq!(hello["get"]["operationId"], "api.hello");
    assert_eq!(hello["post"]["operationId"], "api.hello.post");
    assert_eq!(hello["get"]["summary"], "Says hello.");
    assert_eq!(
        hello["get"]["parameters"],
        json!([{"name": "who", "in": "query", "required": false,
                "schema": {"type": "string", "default": "world"}}])
    );
    let body = &hello["post"]["requestBody"];
    assert_eq!(body["required"], false);
    let json_body = &body["content"]["application/json"]["schema"];
    assert_eq!(json_body["additionalProperties"], false);
    // But a name beginning with `_` is the framework's, never unexpected.
    assert_eq!(json_body["patternProperties"], json!({"^_": {}}));
    let form_body = &body["content"]["application/x-www-form-urlencoded"]["schema"];
    assert_eq!(form_body["patternProperties"], json!({"^_": {}}));
    // In JSON, `null` leaves a parameter out.
    assert_eq!(
        json_body["properties"]["who"],
        json!({"anyOf": [{"type": "string"}, {"type": "null"}], "default": "world"})
    );
    assert!(body["content"]["application/x-www-form-urlencoded"].is_object());
    // An upload is POST only, as multipart, the file in binary.
    let upload = &doc["paths"]["/api/upload"];
    assert!(upload["get"].is_null());
    let form = &upload["post"]["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(
        form["properties"]["upload"],
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(form["required"], json!(["upload", "filename"]));
    // A stream's body is text, which is what a generated client reads it
    // as; each event, its item's schema within, is described beside.
    let countdown =
        &doc["paths"]["/api/countdown"]["get"]["responses"]["200"]["content"]["text/event-stream"];
    assert_eq!(countdown["schema"]["type"], "string");
    let data = &countdown["x-pico-event"]["properties"]["data"];
    assert_eq!(data["contentSchema"]["format"], "uint32");
    // A summary is the doc comment's first sentence, however it wraps.
    assert_eq!(
        doc["paths"]["/api/multiply"]["get"]["summary"],
        "Multiplies two integers (the product of any two fits in an `i128`)."
    );
    // Whichever error body a client is handed, the members Pico always
    // writes are required in both.
    let required = |name: &str| doc["components"]["schemas"][name]["required"].clone();
    for member in ["name", "code", "message"] {
        assert!(required("PicoError").as_array().unwrap().contains(&json!(member)));
        assert!(
            required("PicoProblem")
                .as_array()
                .unwrap()
                .contains(&json!(member))
        );
    }
    // A named type is a reference into components.
    let user = &doc["paths"]["/api/user_description"]["post"]["requestBody"]["content"]["application/json"];
    assert_eq!(
        user["schema"]["properties"]["user"],
        json!({"$ref": "#/components/schemas/User"})
    );
    let age = &doc["components"]["schemas"]["User"]["properties"]["age"];
    assert_eq!(
        (age["minimum"].clone(), age["maximum"].clone()),
        (json!(0), json!(u32::MAX))
    );
}

#[tokio::test]
async fn every_error_is_documented_with_the_standard_body() {
    let doc = document(&everything().await).await;
    let responses = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
    let error = json!({"$ref": "#/components/schemas/PicoError"});
    let multiply = responses("/api/multiply", "post");
    for status in ["400", "403", "408", "413", "415", "500"] {
        assert_eq!(
            multiply[status]["content"]["application/json"]["schema"], error,
            "{status}"
        );
        assert!(multiply[status]["content"]["application/problem+json"].is_object());
        assert!(multiply[status]["headers"]["x-request-id"].is_object());
    }
    // No argument, no 400; a GET has no body, so no 413.
    let fail = responses("/api/fail", "get");
    assert!(fail["400"].is_null() && fail["413"].is_null() && fail["500"].is_object());
    // The module's prehandle may refuse.
    assert!(fail["401"].is_object() && fail["403"].is_object());
    // An `HttpError` may have any status.
    let coffee = responses("/api/make_coffee", "get");
    assert!(coffee["4XX"].is_object() && coffee["5XX"].is_object());
    let schema = &doc["components"]["schemas"]["PicoError"];
    assert_eq!(schema["required"], json!(["name", "code", "message"]));
    for optional in ["request_id", "sentry_id", "__debug__"] {
        assert!(schema["properties"][optional].is_object(), "{optional}");
    }
}

#[tokio::test]
async fn a_typed_error_lists_its_statuses_and_undocumented_types_are_any() {
    let s = shop().await;
    let doc = document(&s).await;
    // A type the server writes otherwise than it reads has two schemas.
    let add = &doc["paths"]["/shop/add_item"]["post"];
    let sent = &add["requestBody"]["content"]["application/json"]["schema"]["properties"]["item"];
    assert_eq!(sent, &json!({"$ref": "#/components/schemas/Item"}));
    let answered = &add["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(answered, &json!({"$ref": "#/components/schemas/Item.output"}));
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["Item"]["properties"]["sku"].is_null());
    assert!(
        schemas["Item.output"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("sku"))
    );
    let find = &doc["paths"]["/shop/find"]["get"]["responses"];
    assert!(find["404"].is_object() && find["409"].is_object());
    assert!(find["4XX"].is_null());
    // Recursion is a reference to itself.
    let tree = &doc["components"]["schemas"]["Tree"];
    assert_eq!(
        tree["properties"]["children"]["items"],
        json!({"$ref": "#/components/schemas/Tree"})
    );
    assert_eq!(
        doc["components"]["schemas"]["Colour"]["enum"]
            .as_array()
            .map(Vec::len),
        Some(300)
    );
    let doc = document(&odd().await).await;
    let opaque = &doc["paths"]["/odd/opaque"]["post"];
    assert_eq!(
        opaque["requestBody"]["content"]["application/json"]["schema"]["properties"]["value"],
        json!({})
    );
    assert_eq!(
        opaque["responses"]["200"]["content"]["application/json"]["schema"],
        json!({})
    );
    let app = pico::App::new()
        .register(typed::shop::module())
        .register(typed::odd::module());
    assert_eq!(
        app.undocumented(),
        vec!["odd.opaque: `value`, the result".to_owned()]
    );
}

#[tokio::test]
async fn servers_carry_the_prefix_and_the_document_is_not_cached() {
    let s = everything().await;
    let a = s
        .send(
            s.client
                .get(s.url("/openapi.json"))
                .header("X-Script-Name", "/myapp"),
        )
        .await;
    let doc = a.json();
    let url = doc["servers"][0]["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/myapp"),
        "{url}"
    );
    assert_eq!(a.headers["cache-control"], "no-cache");
    assert_eq!(document(&s).await["servers"][0]["url"], s.base);
}

#[tokio::test]
async fn a_client_keeping_to_the_schema_is_understood() {
    let s = everything().await;
    // JSON Schema counts 6.0 as an integer.
    let a = s.post_json("/api/multiply", &json!({"x": 6.0, "y": 7})).await;
    assert_eq!(a.json(), json!(42));
    s.post_json("/api/multiply", &json!({"x": 6.5, "y": 7}))
        .await
        .error(400, "Bad Request");
    // A name the document leaves open, as the app does; any other refused.
    let a = s
        .post_json("/api/multiply", &json!({"x": 6, "y": 7, "__main__": {"a": 1}}))
        .await;
    assert_eq!(a.json(), json!(42));
    let a = s
        .post_form("/api/multiply", &[("x", "6"), ("y", "7"), ("_z", "1")])
        .await;
    assert_eq!(a.json(), json!(42));
    s.post_json("/api/multiply", &json!({"x": 6, "y": 7, "main": 1}))
        .await
        .error(400, "Bad Request");
    // A GET cannot carry a file: refused, and `Allow` says what can.
    let a = s.get("/api/upload").await;
    a.error(405, "Method Not Allowed");
    assert_eq!(a.headers["allow"], "POST");
}

/// The virtualenv with openapi-spec-validator and Schemathesis that
/// `scripts/test-all` makes.
fn tools() -> Option<PathBuf> {
    let bin = std::env::var_os("PICO_OPENAPI_TOOLS").map(PathBuf::from)?;
    bin.join("schemathesis").exists().then_some(bin)
}

/// Checks the app's document with openapi-spec-validator.
async fn validate(s: &Server, name: &str) -> Option<PathBuf> {
    let Some(bin) = tools() else {
        common::missing("openapi-spec-validator and Schemathesis (PICO_OPENAPI_TOOLS)");
        return None;
    };
    let file = std::env::temp_dir().join(format!("pico-openapi-{name}-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(&document(s).await).unwrap()).unwrap();
    let validator = bin.join("openapi-spec-validator");
    let out = common::run_to_success(validator.to_str().unwrap(), &[file.as_os_str()]).await;
    let _ = std::fs::remove_file(&file);
    assert!(out.contains("OK"), "{out}");
    Some(bin)
}

/// Validates the app's document, then runs every default check of
/// Schemathesis against the app, with a bounded number of examples.
async fn validate_and_fuzz(s: Server, config: &str, extra: &[&str]) -> String {
    let Some(bin) = validate(&s, config).await else {
        return String::new();
    };
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/openapi")
        .join(config);
    let url = s.url("/openapi.json");
    let schemathesis = bin.join("schemathesis");
    // Schemathesis and Hypothesis keep their caches where they run: in the
    // build's scratch space, not the repository.
    let out = common::run_to_success_in(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        schemathesis.to_str().unwrap(),
        &[
            "--no-color".as_ref(),
            "--config-file".as_ref(),
            config.as_os_str(),
            "run".as_ref(),
            url.as_ref(),
            "--max-examples".as_ref(),
            "15".as_ref(),
            "--workers".as_ref(),
            "1".as_ref(),
            "--seed".as_ref(),
            "1".as_ref(),
        ]
        .into_iter()
        .chain(extra.iter().map(AsRef::as_ref))
        .collect::<Vec<&std::ffi::OsStr>>(),
    )
    .await;
    assert!(out.contains("passed"), "{out}");
    out
}

#[tokio::test]
async fn schemathesis_finds_nothing_in_the_everything_example() {
    validate_and_fuzz(everything_3_2().await, "everything.toml", &[]).await;
}

#[tokio::test]
async fn the_document_in_3_1_is_valid_and_in_3_2_describes_each_event_as_an_item() {
    let s = everything().await;
    validate(&s, "everything-3.1").await;
    let doc = document(&everything_3_2().await).await;
    assert_eq!(doc["openapi"], "3.2.0");
    let countdown =
        &doc["paths"]["/api/countdown"]["get"]["responses"]["200"]["content"]["text/event-stream"];
    assert_eq!(
        countdown["itemSchema"]["properties"]["data"]["contentSchema"]["format"],
        "uint32"
    );
    assert!(
        countdown["schema"].is_null() && countdown["x-pico-event"].is_null(),
        "{countdown}"
    );
    // Nothing but the version and the streams differ (and the two
    // servers' addresses).
    let mut other = document(&s).await;
    assert_eq!(other["openapi"], "3.1.0");
    other["openapi"] = doc["openapi"].clone();
    other["servers"] = doc["servers"].clone();
    for method in ["get", "post"] {
        let answer = &doc["paths"]["/api/countdown"][method]["responses"]["200"];
        other["paths"]["/api/countdown"][method]["responses"]["200"]["content"] = answer["content"].clone();
    }
    assert_eq!(other, doc);
}

#[tokio::test]
async fn schemathesis_finds_nothing_in_a_richly_typed_module() {
    validate_and_fuzz(shop().await, "shop.toml", &[]).await;
}

#[tokio::test]
async fn loose_and_missing_schemas_still_make_a_valid_document() {
    validate(&odd().await, "odd").await;
}

#[tokio::test]
async fn credentials_and_each_functions_own_statuses_are_documented() {
    let doc = document(&guarded().await).await;
    assert_eq!(
        doc["components"]["securitySchemes"],
        json!({"bearer": {"type": "http", "scheme": "bearer"}})
    );
    let op = |path: &str| doc["paths"][path]["post"].clone();
    let statuses = |path: &str| -> Vec<String> {
        let op = op(path);
        op["responses"].as_object().unwrap().keys().cloned().collect()
    };
    // Each function its own: the 404 of `read`, the 409 and the 403 of
    // `file`, though both return `DeskError`.
    let read = op("/desk/read");
    assert_eq!(read["security"], json!([{"bearer": []}]));
    assert!(
        read["responses"]["401"]["description"]
            .as_str()
            .unwrap()
            .contains("`Caller`")
    );
    assert_eq!(
        statuses("/desk/read"),
        ["200", "400", "401", "403", "404", "408", "413", "415", "500"]
    );
    assert_eq!(
        statuses("/desk/file"),
        ["200", "400", "401", "403", "408", "409", "413", "415", "500"]
    );
    assert!(
        op("/desk/file")["responses"]["403"]["description"]
            .as_str()
            .unwrap()
            .contains("`Admin`")
    );
    // A redirect is one, not a 200 of any content.
    let open = op("/desk/open");
    assert_eq!(
        statuses("/desk/open"),
        ["303", "400", "401", "403", "408", "413", "415", "500"]
    );
    assert!(open["responses"]["303"]["headers"]["Location"].is_object());
    assert!(open["responses"]["303"].get("content").is_none());
    // Nothing of the others' on a function that needs no token.
    assert!(op("/desk/hours").get("security").is_none());
    assert_eq!(
        statuses("/desk/hours"),
        ["200", "403", "408", "413", "415", "500"]
    );
    // The file module's functions alike; a function that takes a file
    // answers POST only, and says so.
    assert_eq!(op("/notes/create")["security"], json!([{"bearer": []}]));
    assert!(statuses("/notes/create").contains(&"401".to_owned()));
    assert!(!statuses("/notes/create").contains(&"405".to_owned()));
    assert!(statuses("/notes/attach").contains(&"405".to_owned()));
}

#[tokio::test]
async fn without_credentials_each_guarded_operation_answers_its_documented_401() {
    let s = guarded().await;
    let doc = document(&s).await;
    let mut guarded = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            guarded += 1;
            assert!(op["responses"]["401"].is_object(), "{path}");
            let url = s.url(path);
            let request = match method.as_str() {
                "get" => s.client.get(&url),
                // Arguments wrong or missing: the credentials come first.
                _ => s.client.post(&url).json(&json!({"id": "not a number"})),
            };
            let a = s.send(request).await;
            a.error(401, "Unauthorized");
            assert_eq!(a.headers["www-authenticate"], "Bearer", "{path}");
        }
    }
    assert_eq!(guarded, 13, "the guarded operations");
}

#[tokio::test]
async fn schemathesis_with_a_token_finds_nothing_in_a_guarded_app() {
    let token = format!("Authorization: Bearer {}", guarded::desk::ADMIN);
    // In 3.2, which Schemathesis reads each event of the notes' feed from.
    let out = validate_and_fuzz(
        guarded_in(pico::OpenApiVersion::V3_2).await,
        "guarded.toml",
        &["--header", &token, "--checks", "all"],
    )
    .await;
    // A token it sends but the app refuses would be a warning, not a failure.
    assert!(!out.contains("Authentication failed"), "{out}");
}

#[tokio::test]
async fn schemathesis_finds_nothing_where_successes_are_not_200() {
    let app = pico::App::new().register(successes::links::module());
    validate_and_fuzz(serve(app).await, "links.toml", &["--checks", "all"]).await;
}

#[tokio::test]
async fn schemathesis_keeps_to_the_constraints_it_is_told() {
    let app = pico::App::new().register(books::shelf::module());
    validate_and_fuzz(serve(app).await, "shelf.toml", &["--checks", "all"]).await;
}

#[tokio::test]
async fn schemathesis_finds_nothing_in_a_resource_api_of_routes() {
    let health = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
    let app = pico::App::new()
        .state(resources::Shelf::default())
        .register(resources::module())
        .routes(health);
    validate_and_fuzz(serve(app).await, "resources.toml", &["--checks", "all"]).await;
}

#[pico::api]
mod overstated {
    use super::guarded::desk::DeskError;

    #[expose]
    #[responses(418)]
    fn brew() -> Result<(), DeskError> {
        Ok(())
    }
}

#[test]
fn declaring_a_status_the_error_never_has_stops_the_app() {
    let built = std::panic::catch_unwind(|| pico::App::new().register(overstated::module()).into_router());
    let panic = built.expect_err("the app is refused");
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("`overstated.brew` declares #[responses(418)]") && message.contains("404, 409"),
        "{message}"
    );
}
