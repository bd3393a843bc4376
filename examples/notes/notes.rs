//! Notes, kept in memory, each readable by its owner only.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::extract::FromRequestParts;
use axum_extra::TypedHeader;
use axum_extra::headers::Authorization;
use axum_extra::headers::authorization::Basic;
use pico::{HttpError, Upload, expose};
use serde::Serialize;

/// Every note, by id: the app's shared state.
#[derive(Default)]
pub struct Store(Mutex<BTreeMap<u64, Note>>);

#[derive(Clone, Serialize)]
pub struct Note {
    id: u64,
    owner: String,
    text: String,
    tags: Vec<String>,
    attachment: Option<String>,
}

#[derive(Debug, thiserror::Error, pico::HttpError)]
pub enum NoteError {
    #[error("note {0} not found")]
    #[http(status = 404)]
    NotFound(u64),
    #[error("note {0} is someone else's")]
    #[http(status = 403)]
    NotYours(u64),
    #[error("the store was poisoned by a panic")]
    #[http(status = 500)]
    Poisoned,
}

/// The signed-in user: basic auth, with the demo's one password.
pub struct User(String);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, HttpError> {
        let TypedHeader(Authorization(basic)) =
            TypedHeader::<Authorization<Basic>>::from_request_parts(parts, state)
                .await
                .map_err(|_| HttpError::unauthorized())?;
        match basic.password() {
            "secret" => Ok(User(basic.username().to_owned())),
            _ => Err(HttpError::unauthorized()),
        }
    }
}

impl Store {
    fn edit<T>(&self, user: &User, id: u64, f: impl FnOnce(&mut Note) -> T) -> Result<T, NoteError> {
        let mut notes = self.0.lock().map_err(|_| NoteError::Poisoned)?;
        let note = notes.get_mut(&id).ok_or(NoteError::NotFound(id))?;
        if note.owner != user.0 {
            return Err(NoteError::NotYours(id));
        }
        Ok(f(note))
    }
}

/// Writes a note.
#[expose]
pub fn create(
    #[state] store: &Store,
    #[from_request] user: User,
    text: String,
    #[default(Vec::new())] tags: Vec<String>,
) -> Result<Note, NoteError> {
    let mut notes = store.0.lock().map_err(|_| NoteError::Poisoned)?;
    let id = notes.keys().next_back().map_or(1, |last| last + 1);
    let note = Note {
        id,
        owner: user.0,
        text,
        tags,
        attachment: None,
    };
    notes.insert(id, note.clone());
    Ok(note)
}

/// Reads a note.
#[expose]
pub fn get(#[state] store: &Store, #[from_request] user: User, id: u64) -> Result<Note, NoteError> {
    store.edit(&user, id, |note| note.clone())
}

/// The user's notes, with a tag if one is given.
#[expose]
pub fn list(
    #[state] store: &Store,
    #[from_request] user: User,
    tag: Option<String>,
) -> Result<Vec<Note>, NoteError> {
    let notes = store.0.lock().map_err(|_| NoteError::Poisoned)?;
    let mine = notes.values().filter(|n| n.owner == user.0);
    Ok(mine
        .filter(|n| tag.as_ref().is_none_or(|t| n.tags.contains(t)))
        .cloned()
        .collect())
}

/// Attaches a file to a note; answers its size.
#[expose]
pub fn attach(
    #[state] store: &Store,
    #[from_request] user: User,
    id: u64,
    file: Upload,
) -> Result<usize, NoteError> {
    store.edit(&user, id, |note| note.attachment = Some(file.file_name))?;
    Ok(file.data.len())
}

/// The user's notes, one event each.
#[expose]
#[stream]
pub fn export(
    #[state] store: &Store,
    #[from_request] user: User,
) -> Result<std::vec::IntoIter<Note>, NoteError> {
    Ok(list(store, user, None)?.into_iter())
}

pico::module! {
    /// Notes, kept in memory, each readable by its owner only.
    create, get, list, attach, export,
}
