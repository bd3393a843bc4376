//! The notes service tested in process: no socket, every answer checked
//! against the error contract by the client.

use futures_util::StreamExt;
use pico::client::Client;
use serde_json::{Value, json};

fn client(user: &str) -> Client {
    Client::in_process(super::app()).bearer(format!("{user}-token"))
}

#[tokio::test]
async fn a_note_is_written_and_read_back_by_its_owner() {
    let arthur = client("arthur");
    let id: u64 = arthur.call("notes/create", &json!({"text": "towel", "tags": ["trip"]})).await.unwrap();
    let read: Value = arthur.call("notes/get", &json!({"id": id})).await.unwrap();
    assert_eq!(read, json!({"owner": "arthur", "text": "towel", "tags": ["trip"], "files": []}));
}

#[tokio::test]
async fn typed_errors_and_auth_answer_their_status() {
    let app = Client::in_process(super::app());
    let arthur = app.clone().bearer("arthur-token");
    let ford = app.clone().bearer("ford-token");
    let id: u64 = arthur.call("notes/create", &json!({"text": "mine"})).await.unwrap();

    let answer = ford.get("notes/get").query("id", id.to_string()).send().await.unwrap();
    assert_eq!(answer.status(), 404, "another user's note is not even found");
    assert_eq!(answer.error().unwrap().message(), format!("note {id} not found"));
    let answer = arthur.get("notes/get?id=99").send().await.unwrap();
    assert_eq!(answer.status(), 404);
    assert_eq!(answer.error().unwrap().message(), "note 99 not found");

    let answer = app.get("notes/get?id=1").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert!(answer.error().unwrap().message().contains("needs a bearer token"));
    assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
    let answer = app.clone().bearer("wrong").get("notes/get?id=1").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.error().unwrap().message(), "This token is not known.");
    assert_eq!(answer.header("www-authenticate"), Some(r#"Bearer error="invalid_token""#));
    // Credentials come first: without them, a wrong argument is not looked at.
    let answer = app.get("notes/get?id=many").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let answer = arthur.get("notes/get?id=many").send().await.unwrap();
    assert_eq!(answer.status(), 400);
    // On a call as on the client.
    let answer = app.get("notes/get?id=99").bearer("arthur-token").send().await.unwrap();
    assert_eq!(answer.status(), 404);
}

#[tokio::test]
async fn tags_come_as_html_forms_send_them_and_list_streams_them() {
    let arthur = client("arthur");
    let form = arthur.post("notes/create").form("text", "milk").form("tags", "shopping");
    assert_eq!(form.send().await.unwrap().status(), 200);
    arthur.post("notes/create").form("text", "report").form("tags", "work").send().await.unwrap();
    let work = arthur.stream::<Value>("notes/list", &json!({"tag": "work"})).await.unwrap();
    let texts: Vec<Value> = work.map(|item| item.unwrap()["text"].clone()).collect().await;
    assert_eq!(texts, ["report"]);
    let raw = arthur.get("notes/list?tag=shopping").send().await.unwrap();
    let events = raw.events();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].1.contains("\"tags\":[\"shopping\"]"), "{events:?}");
    assert_eq!(events[1], ("close".to_owned(), "close".to_owned()));
}

#[tokio::test]
async fn a_file_is_attached() {
    let arthur = client("arthur");
    let id: u64 = arthur.call("notes/create", &json!({"text": "photo"})).await.unwrap();
    let upload = pico::Upload {
        file_name: "beach.jpg".to_owned(),
        content_type: "image/jpeg".to_owned(),
        data: vec![7; 100_000].into(),
    };
    let call = arthur.post("notes/attach").field("id", id.to_string()).file("file", upload);
    assert_eq!(call.send().await.unwrap().json::<usize>().unwrap(), 100_000);
    let read: Value = arthur.call("notes/get", &json!({"id": id})).await.unwrap();
    assert_eq!(read["files"], json!(["beach.jpg"]));
}

#[tokio::test]
async fn the_definition_shows_what_clients_send() {
    let definition: Value = client("arthur").get("notes").send().await.unwrap().json().unwrap();
    let create = &definition["functions"][0];
    assert_eq!(create["args"], json!([{"name": "text"}, {"name": "tags", "default": null}]));
    assert_eq!(definition["doc"], "Notes, kept in memory, each readable by its owner only.");
}
