//! The edge of the app: what is decided about a request from where it comes
//! from, before it reaches a function. The proxies the app trusts and what
//! they forward, the prefix they serve it under, the hosts it answers for,
//! the cross-site rule and CORS.
//!
//! Uses `errors` for its refusals, and for CORS preflights the routing
//! table and the request's record; knows nothing of arguments.

pub(crate) mod cross_site;
pub(crate) mod forwarded;
pub(crate) mod hosts;
pub(crate) mod prefix;
pub(crate) mod preflight;
pub(crate) mod present;
pub(crate) mod trusted_proxies;
