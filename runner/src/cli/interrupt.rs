//! Ctrl-C (SIGINT) and SIGTERM during a run: the first stops the run so
//! that its reports are still written (marked interrupted); a second one
//! kills every adapter and exits at once.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use tokio::signal::unix::{signal, Signal, SignalKind};

/// The exit status of a run stopped by SIGINT (128 + 2, as a shell reports
/// a process killed by it).
pub(crate) const INTERRUPTED_BY_SIGINT: u8 = 130;
/// The exit status of a run stopped by SIGTERM (128 + 15).
pub(crate) const INTERRUPTED_BY_SIGTERM: u8 = 143;

/// The handlers of SIGINT and SIGTERM, and which one arrived first.
#[derive(Debug)]
pub(crate) struct Interrupts {
    sigint: Signal,
    sigterm: Signal,
    received: Arc<AtomicU8>,
}

impl Interrupts {
    /// Installs the handlers (inside a Tokio runtime). From then on the two
    /// signals no longer end the process by themselves.
    pub(crate) fn install() -> std::io::Result<Interrupts> {
        Ok(Interrupts {
            sigint: signal(SignalKind::interrupt())?,
            sigterm: signal(SignalKind::terminate())?,
            received: Arc::new(AtomicU8::new(0)),
        })
    }

    /// Where the first signal's exit status is recorded (read it with
    /// [`received`]).
    pub(crate) fn exit_status(&self) -> Arc<AtomicU8> {
        Arc::clone(&self.received)
    }

    /// Completes at the first signal, after arming the second: from then
    /// on another SIGINT or SIGTERM kills every adapter process group and
    /// exits at once with the first signal's status.
    pub(crate) async fn first(mut self) {
        let status = tokio::select! {
            _ = self.sigint.recv() => INTERRUPTED_BY_SIGINT,
            _ = self.sigterm.recv() => INTERRUPTED_BY_SIGTERM,
        };
        self.received.store(status, Ordering::SeqCst);
        eprintln!(
            "\ninterrupted: stopping the run and writing the reports of the scenarios that ended \
             (again to exit at once)"
        );
        let (mut sigint, mut sigterm) = (self.sigint, self.sigterm);
        tokio::spawn(async move {
            tokio::select! {
                _ = sigint.recv() => {}
                _ = sigterm.recv() => {}
            }
            adapter_host::kill_every_adapter();
            eprintln!("interrupted again: exiting at once, without reports");
            std::process::exit(i32::from(status));
        });
    }
}

/// What to exit with once the run is over: `Some(130)` after SIGINT,
/// `Some(143)` after SIGTERM, `None` when no signal arrived.
pub(crate) fn received(status: &AtomicU8) -> Option<u8> {
    match status.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}
