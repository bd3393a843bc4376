//! The application: what a user assembles (`App`: modules, hooks, mixins,
//! state, limits and options), checks and builds once into what every
//! request reads (`BuiltApp`), what runs when it starts and stops, and the
//! Sentry mixin that ships with it.
//!
//! May use every other folder: it is where they are put together.

pub(crate) mod app;
pub(crate) mod built_app;
pub(crate) mod documents;
pub(crate) mod env_debug;
pub(crate) mod error_path;
pub(crate) mod health;
pub(crate) mod hooks;
pub(crate) mod into_router;
pub(crate) mod lifecycle;
pub(crate) mod mixin_stack;
pub(crate) mod operations;
#[cfg(feature = "sentry")]
pub(crate) mod sentry_mixin;
pub(crate) mod state;
