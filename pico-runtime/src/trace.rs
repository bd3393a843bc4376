//! The `stack_trace` of debug mode: `file:line in function: source` lines
//! for the user's own frames, without std, tokio, axum or pico.

use std::path::Path;

/// Frames from files under these folders are not the user's.
const FOREIGN_PATHS: &[&str] = &["/rustc/", "/.cargo/registry/", "/.cargo/git/", "/rustlib/"];

/// Resolves `bt` and renders the frames that belong to the user's code:
/// those between the panic and the point where pico called into the user's
/// code, less the std and library frames among them.
pub(crate) fn user_frames(bt: &backtrace::Backtrace) -> Vec<String> {
    let mut bt = bt.clone();
    bt.resolve();
    let runtime_dir = env!("CARGO_MANIFEST_DIR");
    let mut lines = Vec::new();
    for frame in bt.frames() {
        for symbol in frame.symbols() {
            let (Some(file), Some(line), Some(name)) = (symbol.filename(), symbol.lineno(), symbol.name())
            else {
                continue;
            };
            let file_str = file.to_string_lossy();
            let name = format!("{name:#}");
            if file_str.starts_with(runtime_dir) || name.contains("__pico_") {
                if lines.is_empty() {
                    // Still in the hook that captured the trace.
                    continue;
                }
                return lines;
            }
            if FOREIGN_PATHS.iter().any(|p| file_str.contains(p))
                // Frames of the panic machinery when std has no file names.
                || name.starts_with("std::")
                || name.starts_with("core::")
            {
                continue;
            }
            lines.push(render(file, line, Some(short_name(&name))));
        }
    }
    lines
}

/// Renders a `file:line` location, with the function's name when known.
pub(crate) fn line_at(location: &str, function: Option<&str>) -> String {
    match location
        .rsplit_once(':')
        .and_then(|(f, l)| Some((f, l.parse().ok()?)))
    {
        Some((file, line)) => render(Path::new(file), line, function),
        None => location.to_owned(),
    }
}

fn render(file: &Path, line: u32, function: Option<&str>) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| file.strip_prefix(cwd).ok())
        .unwrap_or(file);
    let mut out = format!("{}:{line}", shown.display());
    if let Some(function) = function {
        out.push_str(" in ");
        out.push_str(function);
    }
    if let Some(source) = source_line(file, line) {
        out.push_str(": ");
        out.push_str(&source);
    }
    out
}

/// `crate::api::fail::{{closure}}` is `fail`.
fn short_name(name: &str) -> &str {
    let mut name = name;
    while let Some(stripped) = name.strip_suffix("::{{closure}}") {
        name = stripped;
    }
    name.rsplit("::").next().unwrap_or(name)
}

fn source_line(file: &Path, line: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let source = text.lines().nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    Some(source.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn closures_take_their_function_name() {
        assert_eq!(short_name("app::api::fail::{{closure}}::{{closure}}"), "fail");
        assert_eq!(short_name("fail"), "fail");
    }
}
