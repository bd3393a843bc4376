//! `Context`: what a generated handler works on, the request and its
//! arguments, with the app's JSON codec.

use std::sync::Arc;
use std::time::Duration;

use crate::dispatch::args::Args;
use crate::dispatch::blocking::BlockingSlots;
use crate::dispatch::json::JsonCodec;
use crate::dispatch::request::Request;
use crate::errors::failure::Failure;
use crate::respond::stream::StreamContext;
use crate::serve::shutdown::Shutdown;

/// What a generated handler works on: the request and its arguments.
pub struct Context {
    pub(crate) request: Request,
    pub(crate) args: Args,
    pub(crate) codec: Option<Arc<dyn JsonCodec>>,
    /// How long a stream may stay silent.
    pub(crate) heartbeat: Option<Duration>,
    /// The app's share of `#[blocking]` calls.
    pub(crate) blocking: BlockingSlots,
    /// What the arguments' check found, for a function with extractors to
    /// answer after them: a request without credentials hears 401 before
    /// it hears what is wrong with its arguments.
    pub(crate) deferred: Option<Failure>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request", &self.request)
            .field("args", &self.args)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// The app's JSON codec, to write the result with.
    pub fn codec(&self) -> Option<Arc<dyn JsonCodec>> {
        self.codec.clone()
    }

    /// The arguments' check, deferred until the function's extractors ran.
    ///
    /// # Errors
    /// What the check found.
    pub fn deferred(&mut self) -> Result<(), Failure> {
        self.deferred.take().map_or(Ok(()), Err)
    }

    /// How a stream function's items are written.
    pub fn stream_context(&self, function: &'static str) -> StreamContext {
        StreamContext {
            debug: self.request.debug(),
            codec: self.codec.clone(),
            function,
            request_id: self.request.request_id().to_owned(),
            heartbeat: self.heartbeat,
            shutdown: self.request.state::<Shutdown>().cloned(),
        }
    }
}
