//! What the client hears when a link cannot be made, found or changed, and
//! how a database error becomes one of those answers: the database's own
//! text never reaches the client.

use sqlx::error::{DatabaseError, ErrorKind};

#[derive(Debug, thiserror::Error, pico::HttpError)]
pub enum LinkError {
    #[error("there is no link {0}")]
    #[http(status = 404)]
    NotFound(String),
    /// A unique violation: the value of `field` (when known) belongs to
    /// another link.
    #[error("the {field} {}is taken", value.as_ref().map(|v| format!("{v:?} ")).unwrap_or_default())]
    #[http(status = 409)]
    Taken { field: &'static str, value: Option<String> },
    #[error("this Idempotency-Key made another link: a new link needs a new key")]
    #[http(status = 422)]
    KeyReused,
    #[error("an Idempotency-Key is 1 to 255 characters")]
    #[http(status = 400)]
    BadKey,
    #[error("the file is over {0} bytes: split it")]
    #[http(status = 413)]
    ImportTooLarge(usize),
    #[error("the file has over {0} links: split it")]
    #[http(status = 413)]
    ImportTooLong(usize),
    /// Down, restarting, or every connection busy: worth a retry soon.
    #[error("the database is unavailable")]
    #[http(status = 503, header("Retry-After", "1"))]
    Unavailable(#[source] sqlx::Error),
    /// Anything else: a 500, its details in the log and Sentry only.
    #[error("the database failed")]
    #[http(status = 500)]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for LinkError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.kind() == ErrorKind::UniqueViolation
        {
            return LinkError::Taken { field: violated(db.as_ref()), value: None };
        }
        if unavailable(&error) { LinkError::Unavailable(error) } else { LinkError::Database(error) }
    }
}

/// Which unique field a violation is about: PostgreSQL names the
/// constraint, SQLite the column.
pub fn violated(error: &dyn DatabaseError) -> &'static str {
    let said = error.constraint().unwrap_or_else(|| error.message());
    if said.contains("idempotency_key") { "Idempotency-Key" } else { "slug" }
}

/// Whether the unique violation is of `field`.
pub fn is_taken(error: &sqlx::Error, field: &str) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.kind() == ErrorKind::UniqueViolation && violated(db.as_ref()) == field)
}

/// Errors that say the database cannot be reached now, rather than that
/// the request or the code is wrong.
fn unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match db.code() {
            Some(code) if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => sqlite_busy(&code),
            // PostgreSQL: a connection exception (08), or the server
            // shutting down or starting (57P01 to 57P03).
            Some(code) => code.starts_with("08") || code.starts_with("57P"),
            None => false,
        },
        _ => false,
    }
}

/// SQLite's `SQLITE_BUSY` and `SQLITE_LOCKED` (and their extended codes):
/// another writer held the file longer than the busy timeout.
fn sqlite_busy(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}
