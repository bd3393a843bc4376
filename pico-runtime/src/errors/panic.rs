//! Catching panics per request, quietly.
//!
//! `catch_unwind` alone turns a panic into a value, but Rust's default panic
//! hook has already printed the message to stderr by then, and the payload
//! has lost the location. So Pico installs one process-wide hook, chained to
//! whatever hook was there before: while a pico request is being polled on
//! this thread it records the location (and, in debug mode only, a
//! backtrace) for the request to pick up, and prints nothing; everywhere
//! else it defers to the previous hook untouched.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};

use crate::errors::trace::{self, Backtrace};

/// What the hook saw of a panic inside a request.
#[derive(Debug, Default)]
pub(crate) struct Caught {
    pub(crate) message: String,
    pub(crate) location: Option<String>,
    pub(crate) backtrace: Option<Backtrace>,
}

/// Whether this thread is polling a pico request, and in which mode.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Outside,
    Quiet,
    Traced,
}

thread_local! {
    static MODE: Cell<Mode> = const { Cell::new(Mode::Outside) };
    static CAUGHT: RefCell<Option<Caught>> = const { RefCell::new(None) };
}

/// Installs the hook once per process.
pub(crate) fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let mode = MODE.try_with(Cell::get).unwrap_or(Mode::Outside);
            if mode == Mode::Outside {
                return previous(info);
            }
            let caught = Caught {
                message: info.payload_as_str().unwrap_or_default().to_owned(),
                location: info.location().map(|l| format!("{}:{}", l.file(), l.line())),
                backtrace: if mode == Mode::Traced {
                    trace::capture()
                } else {
                    None
                },
            };
            let _ = CAUGHT.try_with(|slot| *slot.borrow_mut() = Some(caught));
        }));
    });
}

pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// Runs `f` as part of a request: a panic in it comes back as `Err`, with
/// a backtrace when `backtrace` is set.
pub(crate) fn catch<R>(backtrace: bool, f: impl FnOnce() -> R) -> Result<R, Caught> {
    let mode = if backtrace { Mode::Traced } else { Mode::Quiet };
    let outer = MODE.with(|m| m.replace(mode));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    MODE.with(|m| m.set(outer));
    result.map_err(|payload| {
        let mut caught = CAUGHT.with(|slot| slot.borrow_mut().take()).unwrap_or_default();
        if caught.message.is_empty() {
            caught.message = payload_message(&*payload);
        }
        // Dropping a payload can itself panic; that one must not escape.
        let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
        caught
    })
}

pin_project_lite::pin_project! {
    /// A future whose every poll runs under [`catch`]. After a panic it is
    /// finished: the inner future is never polled again. Its drop is
    /// guarded too: a future dropped unfinished (the client went away) may
    /// run user code that panics, which must not unwind into the server.
    pub(crate) struct Guarded<F> {
        #[pin]
        inner: Option<F>,
        backtrace: bool,
        done: bool,
    }

    impl<F> PinnedDrop for Guarded<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut inner = this.project().inner;
            let _ = panic::catch_unwind(AssertUnwindSafe(move || inner.set(None)));
        }
    }
}

impl<F> Guarded<F> {
    pub(crate) fn new(inner: F, backtrace: bool) -> Self {
        Self {
            inner: Some(inner),
            backtrace,
            done: false,
        }
    }
}

/// Drops `value`, keeping a panic in its drop from unwinding further.
pub(crate) fn drop_quietly<T>(value: T) {
    let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(value)));
}

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, Caught>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        assert!(!*this.done, "`Guarded` polled after completion");
        let Some(inner) = this.inner.as_pin_mut() else {
            unreachable!("`Guarded` holds its future until dropped");
        };
        match catch(*this.backtrace, || inner.poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => {
                *this.done = true;
                Poll::Ready(Ok(out))
            }
            Err(caught) => {
                *this.done = true;
                Poll::Ready(Err(caught))
            }
        }
    }
}
