//! The outbox of one socket's I/O task: how what it reports reaches the
//! context's queue.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::state::{Inner, Shared};
use crate::socket::{Command, Outbox, SocketEvent};
use crate::types::{Caller, SocketId};
use spec::ErrorCode;

/// The [`Outbox`] of one socket's I/O task: this context's queue, for that
/// socket at that generation. Everything posted after the socket was reset
/// or its I/O abandoned is dropped.
#[derive(Debug)]
pub(crate) struct SocketOutbox {
    pub(super) shared: Arc<Shared>,
    pub(super) socket: SocketId,
    pub(super) generation: u64,
}

impl SocketOutbox {
    /// Runs `change` when the socket is still live at this generation.
    fn if_live(&self, change: impl FnOnce(&mut Inner)) {
        self.shared.update(|inner| {
            if inner.is_live(self.socket, self.generation) {
                change(inner);
            }
        });
    }
}

impl Outbox for SocketOutbox {
    fn post(&self, events: Vec<SocketEvent>) {
        self.if_live(|inner| inner.push_events(self.socket, self.generation, events));
    }

    fn post_after_close(&self, events: Vec<SocketEvent>) {
        self.shared.update(|inner| {
            let current = inner
                .sockets
                .get(&self.socket)
                .is_some_and(|s| s.generation == self.generation);
            if current {
                inner.push_events_after_close(self.socket, self.generation, events);
            }
        });
    }

    fn post_callbacks(&self, call: Option<Caller>, outcome: Result<(), ErrorCode>) {
        self.if_live(|inner| inner.push_callbacks(call, outcome));
    }

    fn settle_connect(&self, outcome: Result<(), ErrorCode>) {
        self.if_live(|inner| {
            let call = inner
                .sockets
                .get_mut(&self.socket)
                .and_then(|s| s.connect_call.take());
            if let Some((call, _)) = call {
                inner.push_callbacks(call, outcome);
            }
        });
    }

    fn finish(&self, commands: &mut mpsc::UnboundedReceiver<Command>, events: Vec<SocketEvent>) {
        self.if_live(|inner| {
            if let Some(io) = inner
                .sockets
                .get_mut(&self.socket)
                .and_then(|s| s.io.as_mut())
            {
                io.done = true;
            }
            commands.close();
            while let Ok(command) = commands.try_recv() {
                match command {
                    Command::Send { call, .. } => {
                        inner.push_callbacks(call, Err(ErrorCode::SendFailed))
                    }
                    Command::Close { call, .. } => inner.push_callbacks(call, Ok(())),
                }
            }
            inner.push_events(self.socket, self.generation, events);
        });
    }
}
