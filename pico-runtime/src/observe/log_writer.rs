//! Where the development server's log lines go: into a buffer in memory,
//! which a thread of its own writes to stderr every few milliseconds. A
//! worker never waits on the terminal or a log file, nor wakes a thread
//! per line: a line costs its formatting and a copy under an uncontended
//! lock, and a burst of lines is one write.
//!
//! `tracing_appender::non_blocking` hands each line to its thread through a
//! channel, which wakes the thread for each line when the load leaves it
//! idle, and brings a channel crate of its own into every build.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// How often the lines are written out.
const INTERVAL: Duration = Duration::from_millis(50);
/// Bytes waiting to be written beyond which new lines are dropped rather
/// than let memory grow while stderr is stuck.
const MAX_PENDING: usize = 4 * 1024 * 1024;

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    dropped: u64,
}

/// Appends each line to the buffer (a `MakeWriter` of tracing-subscriber).
#[derive(Clone)]
pub(crate) struct LogWriter(Arc<Mutex<Pending>>);

/// Writes out what is waiting when dropped (at the end of serving).
pub(crate) struct Flush(Arc<Mutex<Pending>>);

/// A writer to stderr through the process's one buffer (and the one
/// thread that empties it, started by the first call), and a guard that
/// empties it when dropped.
pub(crate) fn log_writer() -> (LogWriter, Flush) {
    static PENDING: OnceLock<Arc<Mutex<Pending>>> = OnceLock::new();
    let pending = PENDING.get_or_init(|| {
        let pending = Arc::new(Mutex::new(Pending::default()));
        let drained = Arc::clone(&pending);
        std::thread::Builder::new()
            .name("pico-log".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(INTERVAL);
                    write_out(&drained);
                }
            })
            .expect("pico: cannot start the log thread");
        pending
    });
    (LogWriter(Arc::clone(pending)), Flush(Arc::clone(pending)))
}

fn lock(pending: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    // A panic while a line was copied leaves whole lines behind it.
    pending.lock().unwrap_or_else(PoisonError::into_inner)
}

fn write_out(pending: &Mutex<Pending>) {
    let (bytes, dropped) = {
        let mut pending = lock(pending);
        (
            std::mem::take(&mut pending.bytes),
            std::mem::take(&mut pending.dropped),
        )
    };
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(&bytes);
    if dropped > 0 {
        let _ = writeln!(
            stderr,
            "pico: {dropped} log lines dropped: stderr did not keep up"
        );
    }
    let _ = stderr.flush();
}

impl Write for &LogWriter {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut pending = lock(&self.0);
        if pending.bytes.len() + line.len() <= MAX_PENDING {
            pending.bytes.extend_from_slice(line);
        } else {
            pending.dropped += 1;
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = &'a LogWriter;

    fn make_writer(&'a self) -> &'a LogWriter {
        self
    }
}

impl Drop for Flush {
    fn drop(&mut self) {
        write_out(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_whole_in_order_and_a_full_buffer_drops_new_ones() {
        let writer = LogWriter(Arc::new(Mutex::new(Pending::default())));
        (&writer).write_all(b"first\n").unwrap();
        (&writer).write_all(b"second\n").unwrap();
        assert_eq!(lock(&writer.0).bytes, b"first\nsecond\n");
        (&writer).write_all(&vec![b'x'; MAX_PENDING]).unwrap();
        let pending = lock(&writer.0);
        assert_eq!(pending.bytes, b"first\nsecond\n");
        assert_eq!(pending.dropped, 1);
    }
}
