//! What the global object and a SocketTask both do on a socket: add and
//! remove listeners, send, close.

use adapter_protocol::{Event, EventType, Method};

use super::state::{type_index, ListenerKey, Occurrence, Shared};
use crate::options::{CloseSocketOptions, SendSocketMessageOptions};
use crate::seams::{Removal, Scope};
use crate::socket::{self, Command};
use crate::types::{CallId, Caller, ListenerName, ReadyState, SocketId};
use crate::validate;
use spec::ErrorCode;

/// listeners.order / listeners.twice: appended, duplicates kept.
pub(super) fn add_listener(
    shared: &Shared,
    key: ListenerKey,
    event_type: EventType,
    name: ListenerName,
) {
    let mut inner = shared.lock();
    let again = inner.seams.adds_listener_again();
    let list = &mut inner.listeners.entry(key).or_default()[type_index(event_type)];
    if again || !list.contains(&name) {
        list.push(name);
    }
}

/// listeners.off-one (every occurrence of the name) / listeners.off-all (`None`).
pub(super) fn remove_listener(
    shared: &Shared,
    key: ListenerKey,
    event_type: EventType,
    name: Option<&str>,
) {
    let mut inner = shared.lock();
    let scope = match key {
        ListenerKey::My => Scope::Global,
        ListenerKey::Task(_) => Scope::Task,
    };
    let removal = inner.seams.removal(scope, event_type, name.is_none());
    // [listeners.during-dispatch]: `live` also takes the removed listeners
    // out of the dispatch under way.
    if inner.seams.removal_is_live() {
        inner.dispatching.retain(|(k, event)| match event {
            Event::Listener {
                listener,
                event_type: t,
                ..
            } if *k == key && *t == event_type => match (removal, name) {
                (Removal::EveryOccurrence, Some(name)) => listener != name,
                (Removal::All, _) => false,
                _ => true,
            },
            _ => true,
        });
    }
    if removal == Removal::AllOfEveryTask {
        for (_, lists) in inner
            .listeners
            .iter_mut()
            .filter(|(k, _)| matches!(k, ListenerKey::Task(_)))
        {
            lists[type_index(event_type)].clear();
        }
        return;
    }
    if let Some(lists) = inner.listeners.get_mut(&key) {
        let list = &mut lists[type_index(event_type)];
        match (removal, name) {
            (Removal::EveryOccurrence, Some(name)) => list.retain(|n| n != name),
            (Removal::All, _) => list.clear(),
            (Removal::FirstOnly, _) if !list.is_empty() => {
                list.remove(0);
            }
            _ => {}
        }
    }
}

/// `sendSocketMessage` / `SocketTask.send` on `socket`.
pub(super) fn send(
    shared: &Shared,
    socket: Option<SocketId>,
    call: CallId,
    options: Option<SendSocketMessageOptions>,
) {
    let call = options.is_some().then_some(Caller {
        id: call,
        method: Method::SendSocketMessage,
    });
    let options = options.unwrap_or_default();
    let mut inner = shared.lock();
    let max = inner.config.max_message_bytes;
    let outcome = (|| {
        let entry = socket.and_then(|id| inner.sockets.get(&id));
        // send.not-open: never connected, CONNECTING, CLOSING or CLOSED.
        let Some(entry) = entry.filter(|e| e.state == ReadyState::Open) else {
            return Err(ErrorCode::NotOpen);
        };
        // task.send-in-open
        let in_open_listener =
            socket.is_some_and(|id| inner.current == Some((id, EventType::Open)));
        if in_open_listener && !inner.seams.sends_inside_open_listener() {
            return Err(ErrorCode::NotOpen);
        }
        // send.invalid / send.too-large
        let message = validate::message(&options, max, &inner.seams)?;
        match &entry.io {
            Some(io) if !io.done => io
                .commands
                .send(Command::Send { message, call })
                .map_err(|_| ErrorCode::SendFailed),
            // The transport is gone although the close event is still queued.
            _ => Err(ErrorCode::SendFailed),
        }
    })();
    // On success the I/O task reports once the frame is written.
    if let Err(code) = outcome {
        inner.push_call_result(call, Err(code));
        drop(inner);
        shared.notify.notify_one();
    }
}

/// `closeSocket` / `SocketTask.close` on `socket`.
pub(super) fn close(
    shared: &Shared,
    socket: Option<SocketId>,
    call: CallId,
    options: Option<CloseSocketOptions>,
) {
    let call = options.is_some().then_some(Caller {
        id: call,
        method: Method::CloseSocket,
    });
    let options = options.unwrap_or_default();
    let mut inner = shared.lock();
    let seams = inner.seams.clone();
    let Some((id, entry)) = socket.and_then(|id| inner.sockets.get_mut(&id).map(|e| (id, e)))
    else {
        // close.not-open: never existed [close.not-open.code].
        let code = seams.code_for_close_not_open();
        inner.push_call_result(call, Err(code));
        drop(inner);
        shared.notify.notify_one();
        return;
    };
    let outcome = match entry.state {
        // close.not-open: CLOSING or CLOSED [close.not-open.code].
        ReadyState::Closing | ReadyState::Closed => Err(seams.code_for_close_not_open()),
        state => match validate::close_frame(&options, &seams) {
            // close.invalid-code: nothing on the wire.
            Err(code) => Err(code),
            // close.connecting: abandon the handshake; onClose 1006, no onOpen.
            Ok(_) if state == ReadyState::Connecting => {
                entry.state = ReadyState::Closing;
                entry.generation += 1;
                if let Some(io) = entry.io.take() {
                    io.task.abort();
                }
                let generation = entry.generation;
                let abandoned = entry
                    .connect_call
                    .take()
                    .and_then(|(connect, outcome)| Some((connect, outcome.on_abandon()?)));
                if let Some((connect, result)) = abandoned {
                    inner.push_callbacks(connect, result);
                }
                inner.push_call_result(call, Ok(()));
                inner.queue.push_back(Occurrence::Socket {
                    socket: id,
                    generation,
                    event_type: EventType::Close,
                    res: socket::close_payload(1006, ""),
                    after_close: false,
                });
                drop(inner);
                shared.notify.notify_one();
                return;
            }
            // close.open: the I/O task writes the frame, then reports success.
            Ok(frame) => {
                entry.state = ReadyState::Closing;
                match &entry.io {
                    Some(io) if !io.done => {
                        if io.commands.send(Command::Close { frame, call }).is_ok() {
                            return;
                        }
                        Ok(())
                    }
                    // Already ending: its close event is queued.
                    _ => Ok(()),
                }
            }
        },
    };
    inner.push_call_result(call, outcome);
    drop(inner);
    shared.notify.notify_one();
}
