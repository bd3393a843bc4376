//! Notes, kept in memory, each readable by its owner only.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::extract::FromRequestParts;
use axum_extra::TypedHeader;
use axum_extra::headers::{Authorization, authorization::Basic};
use pico::{HttpError, Upload, expose};

/// Every note, by id: the app's shared state.
#[derive(Default)]
pub struct Store(Mutex<BTreeMap<u64, Note>>);

#[derive(Clone, serde::Serialize)]
pub struct Note {
    owner: String,
    text: String,
    tags: Vec<String>,
    file: Option<String>,
}

#[derive(Debug, thiserror::Error, pico::HttpError)]
pub enum NoteError {
    #[error("note {0} not found")]
    #[http(status = 404)]
    NotFound(u64),
    #[error("note {0} is someone else's")]
    #[http(status = 403)]
    NotYours(u64),
}

/// The signed-in user: basic auth, with the demo's one password.
pub struct User(String);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut http::request::Parts, s: &S) -> Result<Self, HttpError> {
        let auth = TypedHeader::<Authorization<Basic>>::from_request_parts(parts, s).await;
        match auth {
            Ok(TypedHeader(Authorization(b))) if b.password() == "secret" => Ok(User(b.username().into())),
            _ => Err(HttpError::unauthorized()),
        }
    }
}

impl Store {
    fn with<T>(&self, user: User, id: u64, f: impl FnOnce(&mut Note) -> T) -> Result<T, NoteError> {
        let mut notes = self.0.lock().unwrap();
        let note = notes.get_mut(&id).ok_or(NoteError::NotFound(id))?;
        if note.owner != user.0 {
            return Err(NoteError::NotYours(id));
        }
        Ok(f(note))
    }
}

/// Writes a note; answers its id.
#[expose]
pub fn create(
    #[state] store: &Store,
    #[from_request] user: User,
    text: String,
    #[default(Vec::new())] tags: Vec<String>,
) -> u64 {
    let mut notes = store.0.lock().unwrap();
    let id = notes.keys().next_back().map_or(1, |last| last + 1);
    notes.insert(
        id,
        Note {
            owner: user.0,
            text,
            tags,
            file: None,
        },
    );
    id
}

/// Reads a note.
#[expose]
pub fn get(#[state] store: &Store, #[from_request] user: User, id: u64) -> Result<Note, NoteError> {
    store.with(user, id, |note| note.clone())
}

/// The user's notes, with a tag if one is given, one event each.
#[expose]
#[stream]
pub fn list(#[state] store: &Store, #[from_request] user: User, tag: Option<String>) -> Vec<Note> {
    let notes = store.0.lock().unwrap();
    let tagged = |n: &&Note| tag.as_ref().is_none_or(|t| n.tags.contains(t));
    notes
        .values()
        .filter(|n| n.owner == user.0)
        .filter(tagged)
        .cloned()
        .collect()
}

/// Attaches a file to a note; answers its size.
#[expose]
pub fn attach(
    #[state] store: &Store,
    #[from_request] user: User,
    id: u64,
    file: Upload,
) -> Result<usize, NoteError> {
    store.with(user, id, |note| note.file = Some(file.file_name))?;
    Ok(file.data.len())
}

pico::module! {
    /// Notes, kept in memory, each readable by its owner only.
    create, get, list, attach,
}
