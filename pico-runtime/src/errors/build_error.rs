//! `BuildError`: a mistake in how an app is put together, found before it
//! serves anything, so that a server can say so and stop rather than panic
//! after it has started.

/// A mistake in how an app is put together, found when it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(pub(crate) String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}
