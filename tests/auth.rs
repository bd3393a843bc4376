//! `pico::auth`'s extractors over HTTP: each scheme missing, malformed and
//! right, with its challenge and the standard body, in one app whose
//! functions mix them, and what its document says of each.

mod common;

use common::serve;
use serde_json::json;

#[pico::api]
mod vault {
    use pico::HttpError;
    use pico::auth::{ApiKey, Basic, Bearer, KeyHeader};

    pub(crate) struct ShopKey;

    impl KeyHeader for ShopKey {
        const NAME: &'static str = "x-shop-key";
    }

    #[expose]
    fn by_token(#[from_request] token: Bearer) -> String {
        format!("token {}", token.token())
    }

    #[expose]
    fn by_password(#[from_request] who: Basic) -> Result<String, HttpError> {
        // Checking is the app's: a wrong password is a 403 of its own.
        if who.password() != "secret" {
            return Err(HttpError::forbidden().with_message("Wrong password."));
        }
        Ok(format!("user {}", who.user()))
    }

    #[expose]
    fn by_key(#[from_request] key: ApiKey, n: u32) -> String {
        format!("key {} {n}", key.key())
    }

    #[expose]
    fn by_shop_key(#[from_request] key: ApiKey<ShopKey>) -> String {
        format!("shop {}", key.key())
    }

    #[expose]
    fn open() -> &'static str {
        "open"
    }
}

async fn server() -> common::Server {
    serve(pico::App::new().register(vault::module())).await
}

#[tokio::test]
async fn bearer_tokens_are_read_and_their_absence_challenged() {
    let s = server().await;
    let call = |auth: Option<&str>| {
        let request = s.client.get(s.url("/vault/by_token"));
        match auth {
            Some(value) => request.header("authorization", value),
            None => request,
        }
    };
    let a = s.send(call(Some("Bearer abc.123-_~+/="))).await;
    assert_eq!(a.json(), json!("token abc.123-_~+/="));
    // The scheme's name is compared without case.
    assert_eq!(s.send(call(Some("bearer t0k"))).await.json(), json!("token t0k"));
    for (auth, message) in [
        (None, "needs a bearer token"),
        (Some("Bearer"), "is not a bearer token"),
        (Some("Bearer two words"), "is not a bearer token"),
        (Some("Basic dTpw"), "is not a bearer token"),
    ] {
        let a = s.send(call(auth)).await;
        assert!(a.error(401, "Unauthorized").contains(message), "{a:?}");
        assert_eq!(a.headers["www-authenticate"], "Bearer", "{auth:?}");
    }
}

#[tokio::test]
async fn basic_credentials_are_read_and_checked_by_the_function() {
    let s = server().await;
    let url = s.url("/vault/by_password");
    let a = s
        .send(s.client.get(&url).basic_auth("arthur", Some("secret")))
        .await;
    assert_eq!(a.json(), json!("user arthur"));
    let a = s
        .send(s.client.get(&url).basic_auth("arthur", Some("wrong")))
        .await;
    assert_eq!(a.error(403, "Forbidden"), "Wrong password.");
    for request in [
        s.client.get(&url),
        s.client.get(&url).header("authorization", "Basic not-base64!"),
        // Base64 of `nocolon`.
        s.client.get(&url).header("authorization", "Basic bm9jb2xvbg=="),
        s.client.get(&url).bearer_auth("t0k"),
    ] {
        let a = s.send(request).await;
        a.error(401, "Unauthorized");
        assert_eq!(
            a.headers["www-authenticate"],
            r#"Basic realm="api", charset="UTF-8""#
        );
    }
}

#[tokio::test]
async fn api_keys_come_from_the_header_the_app_names_with_no_challenge() {
    let s = server().await;
    let a = s
        .send(s.client.get(s.url("/vault/by_key?n=2")).header("x-api-key", "k1"))
        .await;
    assert_eq!(a.json(), json!("key k1 2"));
    let a = s
        .send(
            s.client
                .get(s.url("/vault/by_shop_key"))
                .header("x-shop-key", "s1"),
        )
        .await;
    assert_eq!(a.json(), json!("shop s1"));
    // The other header is not this one's.
    let a = s
        .send(
            s.client
                .get(s.url("/vault/by_shop_key"))
                .header("x-api-key", "k1"),
        )
        .await;
    assert!(a.error(401, "Unauthorized").contains("`x-shop-key`"));
    assert!(a.headers.get("www-authenticate").is_none(), "{a:?}");
    let twice = s
        .client
        .get(s.url("/vault/by_key?n=1"))
        .header("x-api-key", "a")
        .header("x-api-key", "b");
    assert!(
        s.send(twice)
            .await
            .error(401, "Unauthorized")
            .contains("not one API key")
    );
}

/// Each function asks for its own scheme, and one without any is open to
/// all.
#[tokio::test]
async fn functions_of_one_module_mix_schemes() {
    let s = server().await;
    assert_eq!(s.get("/vault/open").await.json(), json!("open"));
    let a = s
        .send(s.client.get(s.url("/vault/by_token")).basic_auth("u", Some("p")))
        .await;
    a.error(401, "Unauthorized");
    let a = s
        .send(s.client.get(s.url("/vault/by_password")).bearer_auth("t"))
        .await;
    a.error(401, "Unauthorized");
    let a = s.get("/vault/by_key?n=2").await;
    assert!(a.error(401, "Unauthorized").contains("API key"), "{a:?}");
}

/// Through the in-process client too, the 401 keeps its challenge.
#[tokio::test]
async fn the_in_process_client_sees_the_same_401() {
    let client = pico::client::Client::in_process(pico::App::new().register(vault::module()));
    let answer = client.get("vault/by_token").send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    assert_eq!(answer.headers()["www-authenticate"], "Bearer");
    let answer = client
        .get("vault/by_token")
        .header("authorization", "Bearer ok")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.json::<String>().unwrap(), "token ok");
}

/// The document names each scheme once, and each operation its own.
#[tokio::test]
async fn the_document_lists_each_scheme_on_its_own_functions() {
    let s = server().await;
    let doc = s.get("/openapi.json").await.json();
    assert_eq!(
        doc["components"]["securitySchemes"],
        json!({
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "x-api-key": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            "x-shop-key": {"type": "apiKey", "in": "header", "name": "x-shop-key"},
        })
    );
    let security = |function: &str| doc["paths"][format!("/vault/{function}")]["get"]["security"].clone();
    assert_eq!(security("by_token"), json!([{"bearer": []}]));
    assert_eq!(security("by_password"), json!([{"basic": []}]));
    assert_eq!(security("by_key"), json!([{"x-api-key": []}]));
    assert_eq!(security("by_shop_key"), json!([{"x-shop-key": []}]));
    assert_eq!(security("open"), serde_json::Value::Null);
    let open = &doc["paths"]["/vault/open"]["get"]["responses"];
    assert!(open.get("401").is_none(), "{open}");
    let by_key = &doc["paths"]["/vault/by_key"]["get"]["responses"];
    assert!(
        by_key["401"]["description"]
            .as_str()
            .unwrap()
            .contains("`ApiKey`"),
        "{by_key}"
    );
}
