//! A plain function called straight (see `dispatch/arguments.rs`): its
//! parameters read from its query string or its JSON body, where nothing
//! could make the general path answer otherwise; its failures answered by
//! the standard error path, as the general path's are in an app without
//! hooks.

use axum::response::Response;
use bytes::Bytes;

use crate::application::built_app::BuiltApp;
use crate::application::error_path::Failing;
use crate::describe::definition::{Call, PlainThunk};
use crate::dispatch::arguments::Arguments;
use crate::errors::failure::Failure;
use crate::errors::panic;
use crate::observe::exchange::Exchange;

/// How a plain function is called straight (see `dispatch/arguments.rs`):
/// from its query string, or from its JSON body.
pub(crate) enum Straight<'a> {
    Query(Option<&'a str>),
    Json(&'a Bytes),
}

/// Whether function `index` may be called straight, its arguments
/// permitting.
pub(crate) fn goes_straight(shared: &BuiltApp, index: usize) -> bool {
    plain_thunk(shared, index).is_some()
}

/// The thunk of function `index` when it is plain, with no hook and no
/// prehandle to see the request.
fn plain_thunk(shared: &BuiltApp, index: usize) -> Option<PlainThunk> {
    let entry = &shared.functions[index];
    match entry.function.call {
        Call::Plain(thunk) if shared.standard_errors && entry.prehandle.is_none() => Some(thunk),
        _ => None,
    }
}

/// A plain function called straight, where nothing could make the general
/// path answer otherwise: no hook and no prehandle to see the request,
/// and names the general path would find nothing wrong with. `None` when
/// the general path is to call it.
pub(crate) fn straight(
    shared: &BuiltApp,
    index: usize,
    from: Straight<'_>,
) -> Option<Result<Result<Response, Failure>, panic::Caught>> {
    let thunk = plain_thunk(shared, index)?;
    let params = shared.functions[index].function.params;
    let codec = shared.codec.as_deref();
    let mut arguments = match from {
        Straight::Query(query) => Arguments::from_query(query, params, codec)?,
        Straight::Json(body) => Arguments::from_json(body, params, codec)?,
    };
    // A plain function's answer sets no cookie: nothing of the general
    // path's ending applies to a success.
    Some(panic::catch(shared.backtraces, || {
        thunk(&mut arguments).map(|reply| reply.into_response(None))
    }))
}

/// The answer to a straight call: a failure or a panic is answered by the
/// general path's own ending for an app without hooks, which is the only
/// kind whose calls go straight: no request is made for it to read, and
/// the record is only read, not shared.
pub(crate) fn answer_straight(
    shared: &BuiltApp,
    index: usize,
    (path, exchange): (&str, Option<&Exchange>),
    called: Result<Result<Response, Failure>, panic::Caught>,
) -> Response {
    debug_assert!(
        shared.standard_errors,
        "only a plain function of an app without hooks goes straight"
    );
    let failure = match called {
        Ok(Ok(response)) => return response,
        Ok(Err(failure)) => failure,
        Err(caught) => Failure::from_panic(caught),
    };
    let failing = Failing {
        function: &shared.functions[index].qualified,
        exchange,
        path,
    };
    shared.fail_standard(&failure, failing)
}
