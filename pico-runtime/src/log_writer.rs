//! Where the development server's log lines go: to stderr from a thread of
//! its own, so that a worker never waits on the terminal or a log file, and
//! buffered there, so that a burst of lines is one write.
//!
//! `tracing_appender::non_blocking` does the same, but brings the `time`
//! crate and two others into every build of an app for a loop of a few
//! lines.

use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

/// Lines waiting to be written: beyond this many, new lines are dropped
/// rather than make a worker wait.
const QUEUE: usize = 64 * 1024;

enum Message {
    Line(Vec<u8>),
    /// Everything sent before is written; then the sender is told.
    Flush(SyncSender<()>),
}

/// Hands each line to the writing thread (a `MakeWriter` of
/// tracing-subscriber).
#[derive(Clone)]
pub(crate) struct LogWriter(SyncSender<Message>);

/// Writes out what is left when dropped (at the end of serving).
pub(crate) struct Flush(SyncSender<Message>);

/// A writer to `out` on a thread of its own, and the guard that flushes it.
pub(crate) fn log_writer(out: impl Write + Send + 'static) -> (LogWriter, Flush) {
    let (sender, receiver) = sync_channel(QUEUE);
    std::thread::Builder::new()
        .name("pico-log".to_owned())
        .spawn(move || write_lines(receiver, std::io::BufWriter::new(out)))
        .expect("pico: cannot start the log thread");
    (LogWriter(sender.clone()), Flush(sender))
}

fn write_lines(receiver: Receiver<Message>, mut out: impl Write) {
    let handle = |message, out: &mut dyn Write| match message {
        Message::Line(line) => {
            let _ = out.write_all(&line);
        }
        Message::Flush(done) => {
            let _ = out.flush();
            let _ = done.send(());
        }
    };
    while let Ok(message) = receiver.recv() {
        handle(message, &mut out);
        // Whatever else is waiting joins the same write.
        while let Ok(message) = receiver.try_recv() {
            handle(message, &mut out);
        }
        let _ = out.flush();
    }
}

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.0.try_send(Message::Line(bytes.to_vec())) {
            Ok(()) | Err(TrySendError::Full(_)) => Ok(bytes.len()),
            Err(TrySendError::Disconnected(_)) => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        self.clone()
    }
}

impl Drop for Flush {
    fn drop(&mut self) {
        let (done, written) = sync_channel(1);
        if self.0.send(Message::Flush(done)).is_ok() {
            let _ = written.recv_timeout(Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A `Write` whose bytes the test can read.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_arrive_in_order_and_the_guard_waits_for_them() {
        let out = Shared::default();
        let (mut writer, flush) = log_writer(out.clone());
        for i in 0..1000 {
            writer.write_all(format!("line {i}\n").as_bytes()).unwrap();
        }
        drop(flush);
        let bytes = out.0.lock().unwrap().clone();
        let expected: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }
}
