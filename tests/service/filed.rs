//! A module in a file of its own, as a real service lays it out.

use pico::{Args, Request, expose};

/// Counts words.
#[expose]
pub fn count(text: String) -> usize {
    text.split_whitespace().count()
}

/// Who is calling, as the module's prehandle saw it.
#[expose]
#[request_args(caller = "caller")]
pub fn caller(caller: String) -> String {
    caller
}

fn tag(request: &mut Request, _args: &mut Args) {
    request.set(
        "caller",
        request.header("x-caller").unwrap_or("nobody").to_owned(),
    );
}

pico::module! {
    /// Words, from a file module.
    count,
    caller,
    prehandle = tag,
}
