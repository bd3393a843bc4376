//! Serving: the development server (`pico::serve`), the production server
//! (`pico::Server`), one connection's limits and life, and the stop that
//! ends streams before the drain.
//!
//! Uses `application` to turn an `App` into a service, `observe` to write
//! log lines and `errors` for the HTTP layer's refusals; nothing under
//! `dispatch` knows which server runs it.

pub(crate) mod accept_loop;
pub(crate) mod connection;
pub(crate) mod connection_server;
pub(crate) mod dev_server;
pub(crate) mod logs;
pub(crate) mod protocol;
pub(crate) mod server;
pub(crate) mod shutdown;
pub(crate) mod woken;
