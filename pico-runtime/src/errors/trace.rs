//! Stack frames of internal errors: the user's own frames, without std,
//! tokio, axum or pico, as debug mode's `stack_trace` and error reporters
//! show them.

use std::path::Path;

/// Frames from files under these folders are not the user's.
#[cfg(feature = "backtrace")]
const FOREIGN_PATHS: &[&str] = &["/rustc/", "/.cargo/registry/", "/.cargo/git/", "/rustlib/"];

/// One frame of the user's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The source file, relative to the current folder when under it.
    pub file: String,
    /// The line.
    pub line: u32,
    /// The function's short name.
    pub function: Option<String>,
    /// The source line, trimmed, when the file is readable.
    pub source: Option<String>,
}

impl Frame {
    fn new(file: &Path, line: u32, function: Option<&str>) -> Frame {
        let shown = std::env::current_dir()
            .ok()
            .and_then(|cwd| file.strip_prefix(cwd).ok())
            .unwrap_or(file);
        Frame {
            file: shown.display().to_string(),
            line,
            function: function.map(str::to_owned),
            source: source_line(file, line),
        }
    }

    /// `file:line in function: source`.
    pub fn render(&self) -> String {
        let mut out = format!("{}:{}", self.file, self.line);
        if let Some(function) = &self.function {
            out.push_str(" in ");
            out.push_str(function);
        }
        if let Some(source) = &self.source {
            out.push_str(": ");
            out.push_str(source);
        }
        out
    }
}

/// A panic's stack, taken unresolved (cheap) and resolved only when shown.
#[cfg(feature = "backtrace")]
pub(crate) type Backtrace = backtrace::Backtrace;

/// Without the `backtrace` feature no stack is taken: debug answers and
/// Sentry events show the panic's location alone.
#[cfg(not(feature = "backtrace"))]
#[derive(Debug, Clone)]
pub(crate) enum Backtrace {}

#[cfg(feature = "backtrace")]
pub(crate) fn capture() -> Option<Backtrace> {
    Some(backtrace::Backtrace::new_unresolved())
}

#[cfg(not(feature = "backtrace"))]
pub(crate) fn capture() -> Option<Backtrace> {
    None
}

#[cfg(not(feature = "backtrace"))]
pub(crate) fn user_frames(bt: &Backtrace) -> Vec<Frame> {
    match *bt {}
}

/// Resolves `bt` and keeps the frames that belong to the user's code: those
/// between the panic and the point where pico called into the user's code,
/// less the std and library frames among them. Innermost first.
#[cfg(feature = "backtrace")]
pub(crate) fn user_frames(bt: &Backtrace) -> Vec<Frame> {
    let mut bt = bt.clone();
    bt.resolve();
    let runtime_dir = env!("CARGO_MANIFEST_DIR");
    let mut frames = Vec::new();
    for frame in bt.frames() {
        for symbol in frame.symbols() {
            let (Some(file), Some(line), Some(name)) = (symbol.filename(), symbol.lineno(), symbol.name())
            else {
                continue;
            };
            let file_str = file.to_string_lossy();
            let name = format!("{name:#}");
            if file_str.starts_with(runtime_dir) || name.contains("__pico_") {
                if frames.is_empty() {
                    // Still in the hook that captured the trace.
                    continue;
                }
                return frames;
            }
            if FOREIGN_PATHS.iter().any(|p| file_str.contains(p))
                // Frames of the panic machinery when std has no file names.
                || name.starts_with("std::")
                || name.starts_with("core::")
            {
                continue;
            }
            // A build with line tables only names a closure or an async
            // body `{closure#0}`, without the function around it: no name
            // is better than that one.
            let name = Some(short_name(&name)).filter(|n| !n.starts_with('{'));
            frames.push(Frame::new(file, line, name));
        }
    }
    frames
}

/// The frame of a `file:line` location, with the function's name when known.
pub(crate) fn frame_at(location: &str, function: Option<&str>) -> Option<Frame> {
    let (file, line) = location.rsplit_once(':')?;
    Some(Frame::new(Path::new(file), line.parse().ok()?, function))
}

/// `crate::api::fail::{{closure}}` is `fail`, and so is
/// `crate::api::fail::{async_fn#0}`: closures, async bodies and blocks take
/// the name of the function they are in.
#[cfg(feature = "backtrace")]
fn short_name(name: &str) -> &str {
    name.rsplit("::")
        .find(|segment| !segment.starts_with('{'))
        .unwrap_or(name)
}

fn source_line(file: &Path, line: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let source = text.lines().nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    Some(source.trim().to_owned())
}

#[cfg(all(test, feature = "backtrace"))]
mod tests {
    use super::short_name;

    #[test]
    fn closures_take_their_function_name() {
        assert_eq!(short_name("app::api::fail::{{closure}}::{{closure}}"), "fail");
        assert_eq!(short_name("app::api::fail_async::{async_fn#0}"), "fail_async");
        assert_eq!(short_name("app::api::run::{closure#1}::{async_block#0}"), "run");
        assert_eq!(short_name("fail"), "fail");
    }
}
