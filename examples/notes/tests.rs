//! The notes service tested in process: no socket, every answer checked
//! against the error contract by the client.

use futures_util::StreamExt;
use pico::client::Client;
use serde_json::{Value, json};

fn client(user: &str) -> Client {
    Client::in_process(super::app()).basic_auth(user, "secret")
}

#[tokio::test]
async fn a_note_is_written_and_read_back_by_its_owner() {
    let arthur = client("arthur");
    let note: Value = arthur
        .call("notes/create", &json!({"text": "towel", "tags": ["trip"]}))
        .await
        .unwrap();
    assert_eq!(note["owner"], "arthur");
    let read: Value = arthur
        .call("notes/get", &json!({"id": note["id"]}))
        .await
        .unwrap();
    assert_eq!(read, note);
}

#[tokio::test]
async fn typed_errors_and_auth_answer_their_status() {
    let app = Client::in_process(super::app());
    let arthur = app.clone().basic_auth("arthur", "secret");
    let ford = app.clone().basic_auth("ford", "secret");
    let note: Value = arthur
        .call("notes/create", &json!({"text": "mine"}))
        .await
        .unwrap();

    let answer = ford
        .get("notes/get")
        .query("id", note["id"].to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    assert_eq!(
        answer.error().unwrap().message(),
        format!("note {} is someone else's", note["id"])
    );
    let answer = arthur.get("notes/get?id=99").send().await.unwrap();
    assert_eq!(answer.error().unwrap().message(), "note 99 not found");

    let answer = app.get("notes/list").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Basic realm=\"Login required\"")
    );
    let answer = app
        .clone()
        .basic_auth("arthur", "wrong")
        .get("notes/list")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}

#[tokio::test]
async fn tags_come_as_html_forms_send_them() {
    let arthur = client("arthur");
    let form = arthur
        .post("notes/create")
        .form("text", "milk")
        .form("tags", "shopping");
    assert_eq!(
        form.send().await.unwrap().json::<Value>().unwrap()["tags"],
        json!(["shopping"])
    );
    arthur
        .post("notes/create")
        .form("text", "report")
        .form("tags", "work")
        .send()
        .await
        .unwrap();
    let work: Value = arthur
        .get("notes/list?tag=work")
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(work.as_array().unwrap().len(), 1);
    assert_eq!(work[0]["text"], "report");
}

#[tokio::test]
async fn a_file_is_attached() {
    let arthur = client("arthur");
    let note: Value = arthur
        .call("notes/create", &json!({"text": "photo"}))
        .await
        .unwrap();
    let upload = pico::Upload {
        file_name: "beach.jpg".to_owned(),
        content_type: "image/jpeg".to_owned(),
        data: vec![7; 100_000].into(),
    };
    let answer = arthur
        .post("notes/attach")
        .field("id", note["id"].to_string())
        .file("file", upload)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.json::<usize>().unwrap(), 100_000);
    let read: Value = arthur
        .call("notes/get", &json!({"id": note["id"]}))
        .await
        .unwrap();
    assert_eq!(read["attachment"], "beach.jpg");
}

#[tokio::test]
async fn notes_are_exported_as_a_stream() {
    let arthur = client("arthur");
    for text in ["a", "b", "c"] {
        let _: Value = arthur.call("notes/create", &json!({"text": text})).await.unwrap();
    }
    let items = arthur.stream::<Value>("notes/export", &json!({})).await.unwrap();
    let texts: Vec<Value> = items.map(|item| item.unwrap()["text"].clone()).collect().await;
    assert_eq!(texts, ["a", "b", "c"]);
    let raw = arthur.get("notes/export").send().await.unwrap();
    assert_eq!(
        raw.events().last().unwrap(),
        &("close".to_owned(), "close".to_owned())
    );
}

#[tokio::test]
async fn the_definition_shows_what_clients_send() {
    let definition: Value = client("arthur")
        .get("notes")
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    let create = &definition["functions"][0];
    assert_eq!(
        create["args"],
        json!([{"name": "text"}, {"name": "tags", "default": []}])
    );
    assert_eq!(
        definition["doc"],
        "Notes, kept in memory, each readable by its owner only."
    );
}
