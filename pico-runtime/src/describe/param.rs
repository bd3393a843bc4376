//! One parameter a client sends, as the code `#[pico::api]` generates
//! declares it: what the definitions and documents describe, and what a
//! plain function's values are read by (see `dispatch/arguments.rs`).

use serde_json::Value;

/// One parameter a client sends.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Its default as JSON, for parameters that have one (`Option`
    /// parameters default to `null`).
    pub default: Option<fn() -> Value>,
    /// Its constraints, for the documents (they are checked where the
    /// function is called).
    pub constraints: &'static [crate::describe::constraint::Constraint],
}

/// The position of the parameter `name` in `params`. Names are short:
/// compared byte by byte here, they cost less than a call to compare
/// memory.
#[inline]
pub(crate) fn position_of(params: &[Param], name: &str) -> Option<usize> {
    let name = name.as_bytes();
    params.iter().position(|p| {
        let param = p.name.as_bytes();
        param.len() == name.len() && param.iter().zip(name).all(|(a, b)| a == b)
    })
}
