//! One JavaScript context: the `my` object with the global socket, the
//! SocketTasks, their listeners and the one ordered event queue. Socket I/O
//! runs in [`socket`](crate::socket) tasks, each handed a
//! [`SocketOutbox`](outbox::SocketOutbox) for this
//! context's queue.
//!
//! Read top-down: [`my`] (the global object and `connectSocket`), [`task`]
//! (a SocketTask), [`calls`] (what both do on a socket), [`state`] (the
//! shared state and the queue), [`outbox`] (how an I/O task reports).

mod calls;
mod my;
mod outbox;
mod state;
mod task;

pub use my::My;
pub use task::SocketTask;
