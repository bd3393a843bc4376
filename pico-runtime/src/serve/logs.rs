//! Where a server's log goes when the process has no `tracing` subscriber
//! of its own: stderr, as lines for a person or as JSON lines, filtered by
//! `RUST_LOG`, written from a thread of their own (`observe/log_writer.rs`).

use std::io::IsTerminal;

use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::observe::log_writer::{Flush, log_writer};
use crate::observe::request_log::HumanLines;

/// Sends the app's events to stderr, as lines for a person or, with
/// `json` or `PICO_LOG=json`, as JSON lines, unless the process has a
/// subscriber already. The guard writes out what is left when dropped.
pub(crate) fn init_logs(json: bool) -> Flush {
    let (writer, flush) = log_writer();
    let json = match std::env::var("PICO_LOG").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => json,
    };
    // Events only: the requests' spans are for a tracing layer the app
    // adds under its own stack, and a span nobody listens to costs nothing.
    let events_only = filter_fn(|metadata| metadata.is_event());
    // The filters below decide: fmt's own default would cut at info.
    let fmt = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(tracing::level_filters::LevelFilter::TRACE);
    let _ = if json {
        fmt.json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .finish()
            .with(log_filter())
            .with(events_only)
            .try_init()
    } else {
        let ansi = std::io::stderr().is_terminal();
        fmt.with_ansi(ansi)
            .event_format(HumanLines { ansi })
            .finish()
            .with(log_filter())
            .with(events_only)
            .try_init()
    };
    flush
}

/// What `RUST_LOG` asks for, else info and above. It takes levels by
/// target (`debug`, `pico=debug,warn`), not `EnvFilter`'s span and field
/// directives (`[span]`, `{field}`), whose regular expressions a
/// development server has no use for: a `RUST_LOG` with one of them is
/// ignored as a whole.
fn log_filter() -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
}
