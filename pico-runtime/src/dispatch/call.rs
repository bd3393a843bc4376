//! The call of an exposed function once its route is found: its
//! arguments read (from the query, the route's placeholders or the body,
//! at the first look when a JSON body allows it), what runs before it in
//! the documented order, the function itself under the panic guard, and
//! its answer through the general path's ending.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::request::Parts;

use crate::application::built_app::BuiltApp;
use crate::application::hooks::Hooks;
use crate::describe::definition::Call;
use crate::dispatch::args::{Args, check_args};
use crate::dispatch::arguments::Arguments;
use crate::dispatch::body::{push_query, receive};
use crate::dispatch::context::Context;
use crate::dispatch::deadline::Deadline;
use crate::dispatch::decode::Arg;
use crate::dispatch::json_at_once::JsonAtOnce;
use crate::dispatch::path_routes::PathValues;
use crate::dispatch::request::Arrival;
use crate::dispatch::response_future::ResponseFuture;
use crate::dispatch::routes::Entry;
use crate::dispatch::straight::{Straight, answer_straight, goes_straight, straight};
use crate::edge::present::Present;
use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;
use crate::errors::panic::{self, Guarded};
use crate::respond::jsonp::{jsonp_allowed, take_callback};
use crate::respond::response::{Outcome, Reply};

/// How the general path reads a call's arguments without a body: its
/// query, then the route's placeholders.
pub(crate) fn general_query(path: PathValues) -> impl FnOnce(&Parts, &mut Args) -> Result<Bytes, Failure> {
    |parts, args| {
        push_query(args, parts)?;
        with_path(args, path)?;
        Ok(Bytes::new())
    }
}

/// The placeholders' values, over anything the client sent by the same
/// names: the path is what the client asked for.
fn with_path(args: &mut Args, path: PathValues) -> Result<(), HttpError> {
    if path.is_empty() {
        return Ok(());
    }
    args.next_source();
    for (name, value) in path {
        args.push(name, Arg::Text(value), false)?;
    }
    Ok(())
}

/// How far a call got without waiting.
enum Step {
    Done(Response),
    /// An async function's future, and the JSONP callback for its result.
    Pending(
        Pin<Box<dyn Future<Output = Result<Reply, Failure>> + Send>>,
        Option<String>,
    ),
}

/// Calls an exposed function with the arguments `read` gives: at once,
/// unless the function is async. Everything that runs user code runs under
/// the panic guard.
pub(crate) fn call(
    shared: &Arc<BuiltApp>,
    index: usize,
    parts: Parts,
    arrival: Arrival,
    read: impl FnOnce(&Parts, &mut Args) -> Result<Bytes, Failure>,
) -> ResponseFuture {
    let entry = &shared.functions[index];
    let mut cx = shared.context(entry, parts, arrival);
    let step = panic::catch(shared.backtraces, || {
        let body = read(cx.request.parts(), &mut cx.args)?;
        let callback = prepare(shared, entry, &mut cx, body)?;
        let outcome = match entry.function.call {
            Call::Context(thunk) => thunk(&mut cx)?,
            Call::Plain(thunk) => Outcome::Ready(thunk(&mut Arguments::of(&mut cx.args))),
        };
        Ok(match outcome {
            Outcome::Ready(reply) => Step::Done(reply?.into_response(callback.as_deref())),
            Outcome::Pending(future) => Step::Pending(future, callback),
        })
    });
    let result = match step {
        Ok(Ok(Step::Pending(future, callback))) => {
            let shared = Arc::clone(shared);
            return ResponseFuture::later(async move {
                let result = Guarded::new(future, shared.backtraces)
                    .await
                    .map(|reply| reply.map(|reply| reply.into_response(callback.as_deref())));
                shared.finish(&cx, result)
            });
        }
        Ok(Ok(Step::Done(response))) => Ok(Ok(response)),
        Ok(Err(failure)) => Ok(Err(failure)),
        Err(caught) => Err(caught),
    };
    shared.finish(&cx, result).into()
}

/// Reads the request's body, then calls the function: straight from a
/// JSON body when `may_go_straight` and the call allows it, taken at the
/// first look when nothing else could come of it (`json_at_once.rs`).
pub(crate) fn call_with_body(
    shared: &Arc<BuiltApp>,
    (index, may_go_straight, present): (usize, bool, Present),
    parts: Parts,
    arrival: Arrival,
    (body, path): (Body, PathValues),
) -> ResponseFuture {
    let at_once = may_go_straight
        && goes_straight(shared, index)
        && parts.uri.query().is_none_or(str::is_empty)
        && present.sends_json(&parts.headers);
    if at_once {
        // A call that may go straight has no placeholders to add.
        debug_assert!(path.is_empty());
        return ResponseFuture::later(JsonAtOnce::new(
            Arc::clone(shared),
            index,
            (parts, arrival, body),
            |shared, index, parts, arrival, body, may_go_straight| {
                Box::pin(read_then_call(
                    shared,
                    (index, may_go_straight),
                    parts,
                    arrival,
                    (body, Vec::new()),
                ))
            },
        ));
    }
    ResponseFuture::later(read_then_call(
        Arc::clone(shared),
        (index, may_go_straight),
        parts,
        arrival,
        (body, path),
    ))
}

/// The general path of a call with a body: reads it, then calls the
/// function, straight from a JSON body when `may_go_straight` and the
/// call allows it. Only the reading waits here: what comes after is
/// [`call`]'s, so that this future stays small.
async fn read_then_call(
    shared: Arc<BuiltApp>,
    (index, may_go_straight): (usize, bool),
    parts: Parts,
    arrival: Arrival,
    (body, path): (Body, PathValues),
) -> Response {
    let reading = Deadline::new(receive(&parts, body, shared.body_limit), shared.body_timeout);
    let received = match Guarded::new(reading, shared.backtraces).await {
        Ok(Ok(Ok(received))) => Ok(received),
        Ok(Ok(Err(e))) => Err(Failure::from(e)),
        Ok(Err(_)) => Err(HttpError::request_timeout()
            .with_message(format!(
                "The request body did not arrive within {} s.",
                shared.body_timeout.as_secs_f32()
            ))
            .into()),
        Err(caught) => Err(Failure::from_panic(caught)),
    };
    if may_go_straight
        && let Ok(received) = &received
        && let Some(body) = received.json_alone()
        && let Some(called) = straight(&shared, index, Straight::Json(body))
    {
        return answer_straight(
            &shared,
            index,
            (parts.uri.path(), arrival.exchange.as_deref()),
            called,
        );
    }
    // The body's arguments are added under `call`'s panic guard.
    let read = move |_: &Parts, args: &mut Args| {
        let (read, body) = received?.into_args()?;
        *args = read;
        with_path(args, path)?;
        Ok(body)
    };
    match call(&shared, index, parts, arrival, read).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// What runs before the function, in the documented order (the arguments
/// are in place): the JSONP callback taken out, the hooks' and the module's
/// prehandle, the arguments checked. Returns the callback.
fn prepare(
    shared: &BuiltApp,
    entry: &Entry,
    cx: &mut Context,
    body: Bytes,
) -> Result<Option<String>, Failure> {
    cx.args.set_codec(shared.codec.clone());
    cx.request.set_body(body);
    let callback = take_callback(&mut cx.args)?;
    if callback.is_some() {
        jsonp_allowed(shared.jsonp, cx.request.headers())?;
    }
    shared.hooks.prehandle(&mut cx.request, &mut cx.args)?;
    if let Some(prehandle) = entry.prehandle {
        prehandle(&mut cx.request, &mut cx.args)?;
    }
    for name in entry.function.from_request {
        cx.args.take(name);
    }
    let params = entry
        .function
        .params
        .iter()
        .map(|p| (p.name, p.default.is_some()));
    let checked = check_args(params, &cx.args);
    if entry.function.extracts {
        // Answered once the extractors ran: see `Context::deferred`.
        cx.deferred = checked.err().map(Failure::from);
    } else {
        checked?;
    }
    Ok(callback)
}
