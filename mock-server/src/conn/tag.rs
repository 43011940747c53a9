//! Where a connection's events go, and how its end is recorded.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::recorder::{EndReason, Event};
use crate::session::SessionInner;
use crate::shared::Shared;

/// Where a connection's events go; records `ended: shutdown` if the task is
/// dropped (server shutdown) before it recorded its end, and unregisters the
/// connection from its session.
pub(super) struct Tag {
    pub(super) shared: Arc<Shared>,
    pub(super) accepted: Option<Event>,
    pub(super) sink: Sink,
    pub(super) ended: bool,
    /// A drop action's acknowledgement, answered once the end is recorded
    /// (for a reset: once the socket is gone).
    pub(super) ack_on_end: Option<oneshot::Sender<()>>,
}

pub(super) enum Sink {
    Pending,
    Global(u32),
    Session(Arc<SessionInner>, u32),
}

impl Tag {
    pub(super) fn bind_session(&mut self, session: Arc<SessionInner>) -> u32 {
        let conn = session.next_conn();
        if let Some(acc) = self.accepted.take() {
            session.recorder.record(conn, acc);
        }
        self.sink = Sink::Session(session, conn);
        conn
    }

    pub(super) fn record(&mut self, event: Event) {
        if let Sink::Pending = self.sink {
            let id = self
                .shared
                .next_conn
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                + 1;
            if let Some(acc) = self.accepted.take() {
                self.shared.unrouted.record(id, acc);
            }
            self.sink = Sink::Global(id);
        }
        match &self.sink {
            Sink::Global(id) => self.shared.unrouted.record(*id, event),
            Sink::Session(s, conn) => s.recorder.record(*conn, event),
            Sink::Pending => {}
        }
    }

    pub(super) fn end(&mut self, how: EndReason, detail: Option<String>) {
        if !self.ended {
            self.ended = true;
            // From here on, actions no longer reach this connection.
            if let Sink::Session(s, conn) = &self.sink {
                s.unregister(*conn);
            }
            self.record(Event::Ended { how, detail });
            if let Some(ack) = self.ack_on_end.take() {
                let _ = ack.send(());
            }
        }
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        if !self.ended {
            self.end(EndReason::Shutdown, None);
        }
        if let Sink::Session(s, conn) = &self.sink {
            s.unregister(*conn);
        }
    }
}
