//! `pico::client` over real HTTP and in process: calls by name from a
//! loaded definition, and the typed stubs `#[pico::api(client)]` generates
//! from the server's own signatures. Each test runs on both transports.

mod common;

use futures_util::StreamExt;
use pico::client::{Client, Error};
use serde_json::json;

#[pico::api(client)]
pub mod shop {
    use pico::{HttpError, Request, Response};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Item {
        pub name: String,
        pub price: u32,
    }

    /// Says hello.
    #[expose]
    pub fn hello(#[default("world")] who: String) -> String {
        format!("Hello {who}")
    }

    #[expose]
    pub async fn total(items: Vec<Item>, discount: Option<u32>) -> Result<u32, HttpError> {
        let sum: u32 = items.iter().map(|i| i.price).sum();
        sum.checked_sub(discount.unwrap_or(0)).ok_or_else(|| {
            HttpError::unprocessable_entity()
                .with_message("discount too large")
                .with_key("sum", sum)
        })
    }

    #[expose]
    pub fn name_of(item: Item) -> &'static str {
        if item.price > 100 { "dear" } else { "cheap" }
    }

    #[expose]
    #[stream]
    pub fn countdown(n: u32) -> Vec<u32> {
        (0..n).rev().collect()
    }

    #[expose]
    #[stream]
    pub fn breaks(n: u32) -> Vec<Result<u32, HttpError>> {
        vec![Ok(n), Err(HttpError::conflict().with_message("broken"))]
    }

    fn user(request: &Request) -> Result<String, HttpError> {
        match (request.token(), request.basic_auth()) {
            (Some(token), _) => Ok(format!("token {token}")),
            (None, Some((user, _))) => Ok(format!("user {user}")),
            (None, None) => Err(HttpError::unauthorized()),
        }
    }

    #[expose]
    #[request_args(who = user)]
    pub fn whoami(who: String) -> String {
        who
    }

    #[expose]
    pub fn vault(#[from_request] token: pico::auth::Bearer) -> String {
        format!("bearer {}", token.token())
    }

    #[expose]
    pub fn size(file: pico::Upload) -> String {
        format!("{} has {} bytes", file.file_name, file.data.len())
    }

    #[expose]
    pub fn raw() -> Response {
        use axum::response::IntoResponse;
        "not json".into_response()
    }
}

fn app() -> pico::App {
    pico::App::new().register(shop::module())
}

/// A client over HTTP to a real server, and one in process.
async fn clients() -> Vec<(&'static str, Client)> {
    let server = common::serve(app()).await;
    vec![
        ("http", Client::new(&server.base)),
        ("in process", Client::in_process(app())),
    ]
}

fn item(name: &str, price: u32) -> shop::Item {
    shop::Item {
        name: name.to_owned(),
        price,
    }
}

#[tokio::test]
async fn typed_stubs_call_with_the_servers_own_signatures() {
    for (_, client) in clients().await {
        assert_eq!(
            shop::client::hello(&client, "Rust".into()).await.unwrap(),
            "Hello Rust"
        );
        let items = vec![item("tea", 3), item("cake", 5)];
        assert_eq!(
            shop::client::total(&client, items.clone(), None).await.unwrap(),
            8
        );
        assert_eq!(shop::client::total(&client, items, Some(2)).await.unwrap(), 6);
        assert_eq!(
            shop::client::name_of(&client, item("gold", 500)).await.unwrap(),
            "dear"
        );
        assert_eq!(&shop::client::raw(&client).await.unwrap()[..], b"not json");
        let file = pico::Upload {
            file_name: "a.bin".to_owned(),
            content_type: "application/octet-stream".to_owned(),
            data: vec![1; 3000].into(),
        };
        assert_eq!(
            shop::client::size(&client, file).await.unwrap(),
            "a.bin has 3000 bytes"
        );
    }
}

#[tokio::test]
async fn errors_carry_the_servers_http_error() {
    for (_, client) in clients().await {
        let Err(Error::Http(e)) = shop::client::total(&client, vec![item("tea", 3)], Some(5)).await else {
            panic!("expected the server's error");
        };
        assert_eq!(
            (e.status().as_u16(), e.name(), e.message()),
            (422, "Unprocessable Entity", "discount too large")
        );
        assert_eq!(e.extra().unwrap()["sum"], json!(3));
        let Err(Error::Http(e)) = shop::client::whoami(&client).await else {
            panic!("expected 401")
        };
        assert_eq!(e.status().as_u16(), 401);
    }
}

#[tokio::test]
async fn streams_are_futures_streams() {
    for (_, client) in clients().await {
        let items: Vec<u32> = shop::client::countdown(&client, 4)
            .await
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(items, [3, 2, 1, 0]);
        let mut broken = shop::client::breaks(&client, 7).await.unwrap();
        assert_eq!(broken.next().await.unwrap().unwrap(), 7);
        let Some(Err(Error::Stream(message))) = broken.next().await else {
            panic!("expected the error event")
        };
        assert_eq!(message, "broken");
        assert!(broken.next().await.is_none());
    }
}

#[tokio::test]
async fn auth_helpers_send_credentials() {
    for (_, client) in clients().await {
        let token = client.clone().token("t0k3n");
        assert_eq!(shop::client::whoami(&token).await.unwrap(), "token t0k3n");
        let basic = client.basic_auth("arthur", "secret");
        assert_eq!(shop::client::whoami(&basic).await.unwrap(), "user arthur");
        assert!(shop::client::whoami(&basic.without_auth()).await.is_err());
    }
}

#[tokio::test]
async fn a_bearer_token_goes_with_stubs_and_calls() {
    for (how, client) in clients().await {
        let bearer = client.clone().bearer("b34r3r");
        assert_eq!(
            shop::client::vault(&bearer).await.unwrap(),
            "bearer b34r3r",
            "{how}"
        );
        let Err(Error::Http(e)) = shop::client::vault(&client).await else {
            panic!("{how}: a call without a token is refused");
        };
        assert_eq!(e.status(), 401, "{how}");
        let answer = client.get("shop/vault").bearer("c4ll").send().await.unwrap();
        assert_eq!(answer.json::<String>().unwrap(), "bearer c4ll", "{how}");
        assert_eq!(answer.status(), 200);
    }
}

#[tokio::test]
async fn calls_by_name_from_a_loaded_definition() {
    for (_, client) in clients().await {
        let shop = client.load("shop").await.unwrap();
        let names: Vec<&str> = shop
            .definition()
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert!(
            names.contains(&"hello") && names.contains(&"countdown"),
            "{names:?}"
        );
        let hello = &shop.definition().functions[0];
        assert_eq!(hello.doc.as_deref(), Some("Says hello."));
        assert_eq!(hello.args[0].default, Some(json!("world")));
        assert_eq!(
            shop.call::<String>("hello", json!({})).await.unwrap(),
            "Hello world"
        );
        let total: u32 = shop
            .call("total", json!({"items": [{"name": "x", "price": 4}]}))
            .await
            .unwrap();
        assert_eq!(total, 4);
        let items: Vec<u32> = shop
            .stream::<u32>("countdown", json!({"n": 2}))
            .await
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(items, [1, 0]);
        assert!(matches!(
            shop.call::<u32>("nope", json!({})).await,
            Err(Error::UnknownFunction(_))
        ));
        let Err(Error::Http(e)) = shop.call::<u32>("total", json!({"items": "x"})).await else {
            panic!("a 400")
        };
        assert_eq!(e.status().as_u16(), 400);
        assert!(matches!(client.load("nowhere").await, Err(Error::Http(e)) if e.status() == 404));
    }
}
