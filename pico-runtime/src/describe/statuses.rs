//! The statuses one function may answer, for its OpenAPI operation, its
//! `.d.ts` error type and `/docs`: those of Pico's own steps the function
//! goes through, those of its extractors, and those of its error type,
//! narrowed by what `#[responses(...)]` declares.
//!
//! Each function's list is its own: a status another function's
//! extractor, check or method answers is not in it.

use std::borrow::Cow;

use crate::describe::definition::{Function, Module};
use crate::describe::schema::{Description, Errors};

/// An error status an operation may answer, with what it means.
#[derive(Debug, Clone)]
pub(crate) enum Status {
    Code(u16, Cow<'static, str>),
    /// `4XX` or `5XX`.
    Range(&'static str),
}

/// Every error status `function` may answer: Pico's own (a missing or
/// wrong argument, a refusal, a body too large, slow or of the wrong type,
/// a failure), its extractors' and its error's. App-wide hooks may add
/// their own.
///
/// # Panics
/// When `#[responses(...)]` declares an error status the function's error
/// type never has: the document would promise an answer that cannot come.
pub(crate) fn error_statuses(
    function: &Function,
    module: &Module,
    description: Option<&Description>,
    with_body: bool,
) -> Vec<Status> {
    let mut statuses = Vec::new();
    let mut push = |code: u16, what: Cow<'static, str>| add(&mut statuses, code, what);
    if !function.params.is_empty() {
        push(400, "An argument is missing or of the wrong type.".into());
    }
    if description.is_some_and(|d| d.validated) || function.params.iter().any(|p| !p.constraints.is_empty()) {
        push(
            422,
            "An argument breaks its constraints: `errors` lists each.".into(),
        );
    }
    for extractor in description.iter().flat_map(|d| d.extractors.iter().flatten()) {
        for &code in extractor.statuses {
            let what = match (code, &extractor.security) {
                (401, Some(_)) => format!("`{}`: the credentials are missing or malformed.", extractor.name),
                _ => format!("Refused by `{}`.", extractor.name),
            };
            push(code, what.into());
        }
    }
    if module.prehandle.is_some() {
        push(401, "The module's prehandle refused the request.".into());
    }
    push(403, "Refused: a request from another site.".into());
    if function.protected {
        push(403, "The function's own check refused the request.".into());
    }
    if let Some(method) = function.method {
        push(405, format!("The function answers {method} only.").into());
    }
    if with_body {
        push(408, "The body came too slowly.".into());
        push(413, "The body is larger than the app's limit.".into());
        push(415, "The body's media type is not one Pico reads.".into());
    }
    push(500, "The function failed: an error or a panic.".into());
    let errors = description.map_or(Errors::AnyStatus, |d| d.errors);
    let declared: Vec<u16> = description
        .map(|d| d.declared.iter().copied().filter(|&c| c >= 400).collect())
        .unwrap_or_default();
    let returned = "An error the function returned.";
    match errors {
        Errors::Listed(listed) if !declared.is_empty() => {
            if let Some(stray) = declared.iter().find(|c| !listed.contains(c)) {
                panic!(
                    "`{}.{}` declares #[responses({stray})], which its error type never answers: \
                     it answers {}",
                    module.name,
                    function.name,
                    listed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                );
            }
            declared.iter().for_each(|&code| push(code, returned.into()));
        }
        Errors::Listed(listed) => listed.iter().for_each(|&code| push(code, returned.into())),
        // Declared, they are what the function answers; an `HttpError` or
        // a status type that lists none could answer any.
        Errors::AnyStatus if declared.is_empty() => {
            statuses.push(Status::Range("4XX"));
            statuses.push(Status::Range("5XX"));
        }
        Errors::AnyStatus | Errors::None | Errors::Internal => {
            declared.iter().for_each(|&code| push(code, returned.into()));
        }
    }
    statuses
}

/// Adds a status, or what else it means to one already there.
fn add(statuses: &mut Vec<Status>, code: u16, what: Cow<'static, str>) {
    let existing = statuses
        .iter_mut()
        .find(|s| matches!(s, Status::Code(c, _) if *c == code));
    if let Some(Status::Code(_, existing)) = existing {
        *existing = Cow::Owned(format!("{existing} Or: {what}"));
    } else {
        statuses.push(Status::Code(code, what));
    }
}

/// The statuses of a success: that of `#[status(...)]`, 201 for a
/// `Located` result, those a function answering a response of its own
/// declares with `#[responses(...)]`, or 200.
pub(crate) fn success_statuses(description: Option<&Description>) -> Vec<u16> {
    let Some(description) = description else {
        return vec![200];
    };
    if let Some(status) = description.status {
        return vec![status];
    }
    if description.located {
        return vec![201];
    }
    let declared: Vec<u16> = description
        .declared
        .iter()
        .copied()
        .filter(|&c| c < 400)
        .collect();
    if declared.is_empty() { vec![200] } else { declared }
}
