use axum::extract::FromRequestParts;
use pico::auth::Bearer;
use pico::{AppState, DescribeExtractor, HttpError, SecurityScheme, Upload, expose};
use std::{collections::BTreeMap, sync::Mutex};

#[derive(Default)]
pub struct Store(Mutex<BTreeMap<u64, Note>>);

/// Who holds which token, as `(token, user)`.
pub struct Tokens(pub Vec<(String, String)>);

#[derive(Clone, serde::Serialize, pico::JsonSchema)]
#[schemars(crate = "pico::schemars")]
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

/// The caller: the user whose bearer token the request carries.
pub struct User(String);

impl FromRequestParts<AppState> for User {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut http::request::Parts, state: &AppState) -> Result<Self, HttpError> {
        let token = Bearer::from_request_parts(parts, state).await?;
        let tokens = state.get::<Tokens>().ok_or_else(HttpError::internal_server_error)?;
        // `is` compares in constant time: a refusal's timing tells nothing.
        match tokens.0.iter().find(|(known, _)| token.is(known)) {
            Some((_, user)) => Ok(User(user.clone())),
            None => Err(HttpError::unauthorized()
                .with_message("This token is not known.")
                .with_challenge(r#"Bearer error="invalid_token""#)),
        }
    }
}

/// What `/openapi.json`, `/docs` and the `.d.ts` say of it: a bearer token, or a 401.
impl DescribeExtractor for User {
    fn security() -> Option<SecurityScheme> {
        Bearer::security()
    }
    fn statuses() -> &'static [u16] {
        &[401]
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
