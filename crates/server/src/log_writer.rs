//! Where log lines go: into a buffer in memory that one thread writes to stderr every
//! [`FLUSH_EVERY`] (at once when it holds [`EAGER_BYTES`]), so a request never waits for a
//! `write(2)` and no thread is woken per line. Nothing is dropped: past [`CAP_BYTES`] (stderr
//! stuck) the logging thread writes the buffer itself and waits for it, and the guard writes
//! what is left when the process ends.
//!
//! Why our own ≈ 80 lines rather than `tracing-appender`'s non-blocking writer (used until
//! issue 19): that writer hands every line to its thread through a channel and wakes the thread
//! for each one (a futex call per line, then a `write(2)` per line on the other side). Measured
//! on the authenticated no-op request under `wrk -c32` (perf, 2-core machine): the hand-off and
//! the writer thread took ≈ 8 % of the server's CPU, and the wake-ups most of the scheduler time
//! beside it; batched here, the same lines cost one `write(2)` per flush.

use std::{
    io::Write,
    sync::{Arc, Condvar, Mutex, MutexGuard},
    thread::JoinHandle,
    time::Duration,
};

use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait in memory.
const FLUSH_EVERY: Duration = Duration::from_millis(25);
/// A buffer this full is written at once.
const EAGER_BYTES: usize = 256 * 1024;
/// A buffer this full is written by the thread that logs (stderr is not keeping up).
const CAP_BYTES: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct State {
    lines: Vec<u8>,
    closing: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left whole lines behind: keep them.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The writer handed to `tracing_subscriber` (cheap to clone).
#[derive(Clone)]
pub struct BufferedStderr(Arc<Shared>);

/// Writes what is left when dropped (keep it alive for the life of the process).
pub struct Guard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// The writer and its guard; starts the flushing thread.
pub fn buffered_stderr() -> (BufferedStderr, Guard) {
    let shared = Arc::new(Shared::default());
    let flusher = Arc::clone(&shared);
    let thread = std::thread::Builder::new().name("rsnms-log".into()).spawn(move || flush_loop(&flusher)).ok();
    (BufferedStderr(Arc::clone(&shared)), Guard { shared, thread })
}

fn write_out(lines: &[u8]) {
    // Nowhere to report a failing stderr: the lines are lost, as they would be unbuffered.
    let _ = std::io::stderr().lock().write_all(lines);
}

fn flush_loop(shared: &Shared) {
    let mut spare = Vec::new();
    loop {
        let mut state = shared.lock();
        if !state.closing {
            // Woken early only by a full buffer or the guard; otherwise once per period.
            state = shared.wake.wait_timeout(state, FLUSH_EVERY).map(|(s, _)| s).unwrap_or_else(|e| e.into_inner().0);
        }
        let closing = state.closing;
        std::mem::swap(&mut state.lines, &mut spare);
        drop(state);
        write_out(&spare);
        spare.clear();
        if closing {
            return;
        }
    }
}

/// One event's writer: a borrow of the shared buffer (no reference count touched per line).
pub struct Line<'a>(&'a Shared);

impl Write for Line<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut state = self.0.lock();
        state.lines.extend_from_slice(line);
        let len = state.lines.len();
        if len >= CAP_BYTES {
            write_out(&state.lines);
            state.lines.clear();
        } else if len >= EAGER_BYTES {
            self.0.wake.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BufferedStderr {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Line(&self.0)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // The thread could not be started: write what was logged ourselves.
        let rest = std::mem::take(&mut self.shared.lock().lines);
        write_out(&rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_written_is_in_the_buffer_until_the_flush_in_the_order_written() {
        let (writer, guard) = buffered_stderr();
        let mut w = writer.make_writer();
        for i in 0..1000 {
            w.write_all(format!("line {i}\n").as_bytes()).unwrap();
        }
        let pending = writer.0.lock().lines.clone();
        let text = String::from_utf8(pending).unwrap();
        // The flusher may have taken a prefix already; what is left is a whole-line suffix in order.
        let lines: Vec<&str> = text.lines().collect();
        if let Some(first) = lines.first() {
            let start: usize = first.trim_start_matches("line ").parse().unwrap();
            for (k, l) in lines.iter().enumerate() {
                assert_eq!(*l, format!("line {}", start + k));
            }
        }
        drop(guard);
        assert!(writer.0.lock().lines.is_empty(), "the guard leaves nothing unwritten");
    }
}
