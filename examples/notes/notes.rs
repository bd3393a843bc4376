use axum::extract::FromRequestParts;
use axum_extra::{TypedHeader, headers::Authorization, headers::authorization::Basic};
use pico::{HttpError, Upload, expose};
use std::{collections::BTreeMap, sync::Mutex};

#[derive(Default)]
pub struct Store(Mutex<BTreeMap<u64, Note>>);

#[derive(Clone, serde::Serialize)]
pub struct Note {
    owner: String,
    text: String,
    tags: Vec<String>,
    files: Vec<String>,
}

#[derive(Debug, thiserror::Error, pico::HttpError)]
pub enum NoteError {
    #[error("note {0} not found")]
    #[http(status = 404)]
    NotFound(u64),
}

pub struct User(String);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut http::request::Parts, s: &S) -> Result<Self, HttpError> {
        match TypedHeader::<Authorization<Basic>>::from_request_parts(parts, s).await {
            Ok(TypedHeader(Authorization(b))) if b.password() == "secret" => Ok(User(b.username().into())),
            _ => Err(HttpError::unauthorized().with_challenge("Basic realm=\"notes\"")),
        }
    }
}

/// Writes a note; answers its id.
#[expose]
pub fn create(#[state] db: &Store, #[from_request] me: User, text: String, tags: Option<Vec<String>>) -> u64 {
    let mut notes = db.0.lock().unwrap();
    let id = notes.keys().max().map_or(1, |last| last + 1);
    notes.insert(id, Note { owner: me.0, text, tags: tags.unwrap_or_default(), files: vec![] });
    id
}

/// Reads a note; another user's is not found.
#[expose]
pub fn get(#[state] db: &Store, #[from_request] me: User, id: u64) -> Result<Note, NoteError> {
    let note = db.0.lock().unwrap().get(&id).filter(|n| n.owner == me.0).cloned();
    note.ok_or(NoteError::NotFound(id))
}

/// Attaches a file to a note; answers its size.
#[expose]
pub fn attach(#[state] db: &Store, #[from_request] me: User, id: u64, file: Upload) -> Result<usize, NoteError> {
    get(db, me, id)?;
    db.0.lock().unwrap().entry(id).and_modify(|note| note.files.push(file.file_name));
    Ok(file.data.len())
}

/// The user's notes, with a tag if one is given, one event each.
#[expose]
#[stream]
pub fn list(#[state] db: &Store, #[from_request] me: User, tag: Option<String>) -> Vec<Note> {
    let wanted = |n: &&Note| n.owner == me.0 && tag.as_ref().is_none_or(|t| n.tags.contains(t));
    db.0.lock().unwrap().values().filter(wanted).cloned().collect()
}

pico::module! {
    /// Notes, kept in memory, each readable by its owner only.
    create, get, attach, list,
}
