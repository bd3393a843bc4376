//! Argument parsing, property-tested. Any query string or form body becomes
//! either a well-typed call or a 400 with the standard body, never a panic
//! (which would be a 500) and never anything else. And typed values sent
//! from each source (query, form, JSON, multipart) reach the function as
//! they were sent: the answer is what the function returns called directly
//! with them.

#[path = "fuzzing/app.rs"]
#[allow(dead_code)]
mod app;

use proptest::prelude::*;

/// Query and form text: names and values from a small alphabet, with
/// percent-escapes (valid or not), `+`, `=`, `&`, JSON punctuation.
fn encoded() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("x".to_owned()),
        Just("y".to_owned()),
        Just("who".to_owned()),
        Just("times".to_owned()),
        Just("p".to_owned()),
        Just("tags".to_owned()),
        Just("_callback".to_owned()),
        "[a-z0-9]{0,6}",
        "-?[0-9]{1,25}(\\.[0-9]{0,5})?(e[0-9]{1,3})?",
        Just("%FF".to_owned()),
        Just("%C3%A9".to_owned()),
        Just("%2".to_owned()),
        Just("%5B1,2%5D".to_owned()),
        Just("%7B%22x%22:1,%22y%22:2%7D".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("+".to_owned()),
        Just("=".to_owned()),
        Just("&".to_owned()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn query_strings_give_a_call_or_a_400(path in 0u8..9, query in encoded()) {
        let mut data = vec![0u8, path, 0xFF];
        data.extend(query.as_bytes());
        let status = answer(&data);
        prop_assert!(matches!(status, 200 | 400 | 405 | 418), "status {} for {:?}", status, query);
    }

    #[test]
    fn form_bodies_give_a_call_or_a_400(path in 0u8..9, form in encoded()) {
        let mut data = vec![1u8, path, 0xFF, 0xFF];
        data.extend(b"content-type: application/x-www-form-urlencoded");
        data.push(0xFF);
        data.extend(form.as_bytes());
        let status = answer(&data);
        prop_assert!(matches!(status, 200 | 400 | 418), "status {} for {:?}", status, form);
    }
}

/// The status of the app's answer, after the fuzz target's own checks.
fn answer(data: &[u8]) -> u16 {
    app::run_one(data);
    app::status(data)
}

/// A function whose result is its arguments: what reaches it is what the
/// client sent, whatever the source.
#[pico::api]
mod typed {
    #[expose]
    #[allow(clippy::type_complexity)]
    pub(super) fn mirror(
        n: i64,
        f: f64,
        s: String,
        flag: bool,
        list: Vec<i32>,
        maybe: Option<u8>,
    ) -> (i64, f64, String, bool, Vec<i32>, Option<u8>) {
        (n, f, s, flag, list, maybe)
    }
}

/// The arguments of one call.
#[derive(Debug, Clone)]
struct Call {
    n: i64,
    f: f64,
    s: String,
    flag: bool,
    list: Vec<i32>,
    maybe: Option<u8>,
}

fn calls() -> impl Strategy<Value = Call> {
    (
        any::<i64>(),
        any::<f64>().prop_filter("JSON has finite numbers only", |f| f.is_finite()),
        "\\PC{0,12}",
        any::<bool>(),
        prop::collection::vec(any::<i32>(), 0..5),
        any::<Option<u8>>(),
    )
        .prop_map(|(n, f, s, flag, list, maybe)| Call {
            n,
            f,
            s,
            flag,
            list,
            maybe,
        })
}

impl Call {
    /// What the function returns, called directly: the oracle.
    fn expected(&self, text_source: bool) -> serde_json::Value {
        // From text (query, form, multipart), a value that parses as JSON
        // is taken as JSON: `"quoted"` is the string `quoted`.
        let s = match serde_json::from_str::<serde_json::Value>(&self.s) {
            Ok(serde_json::Value::String(inner)) if text_source => inner,
            _ => self.s.clone(),
        };
        let c = self.clone();
        serde_json::to_value(typed::mirror(c.n, c.f, s, c.flag, c.list, c.maybe)).unwrap()
    }

    /// The arguments as text fields, as a query string or a form sends them.
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("n", self.n.to_string()),
            ("f", self.f.to_string()),
            ("s", self.s.clone()),
            ("flag", self.flag.to_string()),
            ("list", serde_json::to_string(&self.list).unwrap()),
        ];
        if let Some(maybe) = self.maybe {
            fields.push(("maybe", maybe.to_string()));
        }
        fields
    }

    fn urlencoded(&self) -> String {
        self.fields()
            .iter()
            .map(|(name, value)| format!("{name}={}", percent(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn json(&self) -> Vec<u8> {
        let mut object = serde_json::json!({
            "n": self.n, "f": self.f, "s": self.s, "flag": self.flag, "list": self.list,
        });
        if let Some(maybe) = self.maybe {
            object["maybe"] = maybe.into();
        }
        serde_json::to_vec(&object).unwrap()
    }

    fn multipart(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, value) in self.fields() {
            body.extend(format!("--B\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
            body.extend(value.as_bytes());
            body.extend(b"\r\n");
        }
        body.extend(b"--B--\r\n");
        body
    }
}

/// Every byte but letters and digits as `%XX`.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The app's answer to one request, in process.
fn call(uri: &str, content_type: Option<&str>, body: Vec<u8>) -> (u16, serde_json::Value) {
    use tower::ServiceExt;
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let router = pico::App::new().register(typed::module()).into_router();
        let mut request = http::Request::builder().uri(uri);
        if let Some(content_type) = content_type {
            request = request.method("POST").header("content-type", content_type);
        }
        let request = request.body(axum::body::Body::from(body)).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn typed_values_arrive_as_sent_from_every_source(c in calls()) {
        let query = call(&format!("/typed/mirror?{}", c.urlencoded()), None, Vec::new());
        prop_assert_eq!(query, (200, c.expected(true)), "query");
        let form = call(
            "/typed/mirror",
            Some("application/x-www-form-urlencoded"),
            c.urlencoded().into_bytes(),
        );
        prop_assert_eq!(form, (200, c.expected(true)), "form");
        let json = call("/typed/mirror", Some("application/json"), c.json());
        prop_assert_eq!(json, (200, c.expected(false)), "JSON");
        let multipart = call("/typed/mirror", Some("multipart/form-data; boundary=B"), c.multipart());
        prop_assert_eq!(multipart, (200, c.expected(true)), "multipart");
    }
}

/// What the property found: a float whose decimal form serde_json's
/// default parser read one unit in the last place off.
#[test]
fn a_float_arrives_to_the_last_bit() {
    let c = Call {
        n: 0,
        f: -6.504_569_625_665_691e258,
        s: String::new(),
        flag: false,
        list: Vec::new(),
        maybe: None,
    };
    let query = call(&format!("/typed/mirror?{}", c.urlencoded()), None, Vec::new());
    assert_eq!(query, (200, c.expected(true)));
    let json = call("/typed/mirror", Some("application/json"), c.json());
    assert_eq!(json, (200, c.expected(false)));
}

/// Plain functions: every parameter a value a client sends, called at
/// once. Without hooks, a call with no body whose query names only their
/// parameters is answered straight from the query; with hooks, always
/// through the general path.
#[pico::api]
mod plain {
    use pico::HttpError;

    #[expose]
    pub(super) fn multiply(x: i64, y: i64) -> i64 {
        x.wrapping_mul(y)
    }

    #[expose]
    pub(super) fn hello(#[default("world")] who: String, times: Option<u8>) -> String {
        format!("hello {who}").repeat(usize::from(times.unwrap_or(1)).min(3))
    }

    #[expose]
    pub(super) fn tags(tags: Vec<String>, p: Option<f64>) -> (Vec<String>, Option<f64>) {
        (tags, p)
    }

    #[expose]
    pub(super) fn refuse(x: u8) -> Result<u8, HttpError> {
        match x {
            0..=100 => Ok(x),
            _ => Err(HttpError::forbidden().with_message("too much")),
        }
    }

    #[expose]
    #[status(201)]
    pub(super) fn boom(x: i64) -> i64 {
        assert_ne!(x, 7, "seven");
        x
    }
}

/// Query strings of `name=value` pairs, names mostly the functions'
/// own: names missing, repeated, unknown or reserved, values of every kind.
fn pairs() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec!["x", "y", "who", "times", "tags", "p", "z", "_callback", ""]);
    let value = prop_oneof![
        "-?[0-9]{1,4}",
        "[a-z]{0,4}",
        Just("null".to_owned()),
        Just("[1,2]".to_owned()),
        Just("%22a%22".to_owned()),
        Just("1.5".to_owned()),
        Just("300".to_owned()),
    ];
    prop::collection::vec((name, value), 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// Hooks that change nothing, but whose presence sends every call through
/// the general path.
struct Unchanged;

impl pico::Hooks for Unchanged {}

/// An answer's status, headers (name and value) and JSON body.
type Answer = (u16, Vec<(String, String)>, serde_json::Value);

/// The answer to `uri` of the app without hooks and of the app with them:
/// status, headers but the request id, and body, the request id taken out.
fn both(uri: &str) -> [Answer; 2] {
    both_accepting(uri, "*/*")
}

/// [`both`], for a client that accepts `accept`.
fn both_accepting(uri: &str, accept: &str) -> [Answer; 2] {
    both_asked(uri, accept, None)
}

/// [`both`], for a POST of `body` as JSON.
fn both_posting(uri: &str, body: &str) -> [Answer; 2] {
    both_asked(uri, "*/*", Some(body))
}

/// The answer to `uri` of the app without hooks and of the app with them,
/// for a client that accepts `accept`, with a JSON `body` if any.
fn both_asked(uri: &str, accept: &str, body: Option<&str>) -> [Answer; 2] {
    use std::sync::OnceLock;
    use tower::ServiceExt;
    static ROUTERS: OnceLock<[axum::Router; 2]> = OnceLock::new();
    let routers = ROUTERS.get_or_init(|| {
        [
            pico::App::new().register(plain::module()).into_router(),
            pico::App::new()
                .hooks(Unchanged)
                .register(plain::module())
                .into_router(),
        ]
    });
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    routers.clone().map(|router| {
        runtime.block_on(async {
            let request = http::Request::builder().uri(uri).header("accept", accept);
            let request = match body {
                None => request.body(axum::body::Body::empty()),
                Some(body) => request
                    .method("POST")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_owned())),
            }
            .unwrap();
            let response = router.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter(|(name, _)| *name != "x-request-id")
                .map(|(name, value)| {
                    (
                        name.to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            let mut body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if let Some(object) = body.as_object_mut() {
                object.remove("request_id");
            }
            (status, headers, body)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn a_plain_function_answers_the_same_straight_from_its_query(
        function in prop::sample::select(vec!["multiply", "hello", "tags", "refuse", "boom"]),
        query in prop_oneof![encoded(), pairs()],
    ) {
        let [straight, general] = both(&format!("/plain/{function}?{query}"));
        prop_assert_eq!(straight, general, "/plain/{}?{}", function, query);
    }
}

/// JSON bodies: objects of the functions' names and others, with values
/// of every kind, repeated keys, escaped keys, white space JSON allows and
/// one it does not, and text that is not an object or not JSON at all.
fn json_bodies() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "\"x\"",
        "\"y\"",
        "\"who\"",
        "\"times\"",
        "\"tags\"",
        "\"p\"",
        "\"z\"",
        "\"_callback\"",
        "\"\\u0078\"",
    ]);
    let value = prop::sample::select(vec![
        "1",
        "-7",
        "300",
        "1.5",
        "1e400",
        "null",
        "true",
        "\"a\"",
        "\"6\"",
        "[1,2]",
        "[\"a\"]",
        "{\"x\":1}",
        "\"null\"",
        "-0",
        "1E+2",
        "0.5e-3",
        "01",
        "false",
        "\"é\"",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
    ]);
    // JSON's white space between tokens, and a space it does not allow.
    let space = prop::sample::select(vec!["", "", " ", "\n\t", "\u{a0}"]);
    let object = prop::collection::vec((key, value, space), 0..5).prop_map(|pairs| {
        let members: Vec<String> = pairs
            .iter()
            .map(|(k, v, s)| format!("{s}{k}{s}:{s}{v}{s}"))
            .collect();
        format!("{{{}}}", members.join(","))
    });
    prop_oneof![
        4 => object,
        1 => prop::sample::select(vec!["", " ", "[1]", "{", "{} {}", "null", "{\"x\":1,}"]).prop_map(str::to_owned),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn a_plain_function_answers_the_same_straight_from_its_json_body(
        function in prop::sample::select(vec!["multiply", "hello", "tags", "refuse", "boom"]),
        body in json_bodies(),
    ) {
        let [straight, general] = both_posting(&format!("/plain/{function}"), &body);
        prop_assert_eq!(straight, general, "/plain/{} {}", function, body);
    }
}

/// The calls the property above may not draw often: each of the ways a
/// query leaves the straight path, and each way a call fails on it.
#[test]
fn a_plain_function_answers_the_same_on_every_path() {
    for uri in [
        "/plain/multiply?x=6&y=7",
        "/plain/multiply?y=7&x=6",
        "/plain/multiply?&x=6&&y=7&",
        "/plain/multiply?x=6",
        "/plain/multiply",
        "/plain/multiply?x=6&y=7&z=1",
        "/plain/multiply?x=6&y=7&x=2",
        "/plain/multiply?x=%36&y=7",
        "/plain/multiply?x=6&y=7&_callback=f",
        "/plain/multiply?x=a&y=7",
        "/plain/multiply?x=null&y=7",
        "/plain/multiply?=6&x=6&y=7",
        "/plain/hello",
        "/plain/hello?who=null&times=null",
        "/plain/hello?who=%22you%22&times=2",
        "/plain/hello?who=you&times=300",
        "/plain/tags?tags=a",
        "/plain/tags?tags=[1,2]&p=1e400",
        "/plain/refuse?x=5",
        "/plain/refuse?x=200",
        "/plain/boom?x=6",
        "/plain/boom?x=7",
    ] {
        let [straight, general] = both(uri);
        assert_eq!(straight, general, "{uri}");
    }
    for (uri, body) in [
        ("/plain/multiply", r#"{"x":6,"y":7}"#),
        ("/plain/multiply", r#"{"y":7,"x":6}"#),
        ("/plain/multiply", r#"{"x":6}"#),
        ("/plain/multiply", r#"{"x":6,"y":7,"x":2}"#),
        ("/plain/multiply", r#"{"x":6,"y":7,"z":1}"#),
        ("/plain/multiply", r#"{"\u0078":6,"y":7}"#),
        ("/plain/multiply", r#"{"x":"6","y":7}"#),
        ("/plain/multiply", r#"{"x":6,"y":7,"_callback":"f"}"#),
        ("/plain/multiply", r#"{"x":6,"y":7} trailing"#),
        ("/plain/multiply", ""),
        ("/plain/multiply", "[6,7]"),
        ("/plain/multiply?x=6", r#"{"y":7}"#),
        ("/plain/multiply?x=6", r#"{"x":1,"y":7}"#),
        ("/plain/hello", "{}"),
        ("/plain/hello", r#"{"who":null,"times":null}"#),
        ("/plain/hello", r#"{"who":"you","times":300}"#),
        ("/plain/tags", r#"{"tags":["a","b"],"p":1e400}"#),
        ("/plain/refuse", r#"{"x":200}"#),
        ("/plain/boom", r#"{"x":7}"#),
        ("/plain/boom", r#"{"x":6}"#),
    ] {
        let [straight, general] = both_posting(uri, body);
        assert_eq!(straight, general, "{uri} {body}");
    }
    let [(status, _, body), _] = both("/plain/boom?x=7");
    assert_eq!(
        (status, &body["name"]),
        (500, &serde_json::json!("Internal Server Error"))
    );
    let [(status, _, body), _] = both_posting("/plain/multiply", r#"{"x":6,"y":7}"#);
    assert_eq!((status, body), (200, serde_json::json!(42)));
    let [(status, _, body), _] = both("/plain/boom?x=6");
    assert_eq!((status, body), (201, serde_json::json!(6)));
}

/// A failure on the straight path is written as the client asked, as on
/// the general path: here as problem details.
#[test]
fn a_plain_function_fails_the_same_as_problem_details() {
    for uri in [
        "/plain/refuse?x=200",
        "/plain/multiply?x=a&y=1",
        "/plain/boom?x=7",
    ] {
        let [straight, general] = both_accepting(uri, "application/problem+json");
        assert_eq!(straight, general, "{uri}");
        let (_, headers, body) = straight;
        assert!(
            headers.contains(&("content-type".to_owned(), "application/problem+json".to_owned())),
            "{uri}: {headers:?}"
        );
        assert_eq!(body["instance"], uri.split('?').next().unwrap(), "{uri}");
    }
}
