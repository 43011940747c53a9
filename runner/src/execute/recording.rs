//! The client lane as it is recorded while a scenario runs: each record
//! with its socket and whether an `await` has consumed it, the server
//! events awaits consumed, and the adapter's log lines.

use std::collections::HashSet;

use adapter_protocol::{AdapterMessage, Event, TARGET_MY};
use serde_json::Value;

use crate::execute::naming::Naming;
use crate::record::trace::ClientRecord;
use crate::scenario::model::AwaitDetail;
use crate::verdict::normalise;

/// What the executor has recorded so far.
/// Why an adapter message failed its scenario.
#[derive(Debug)]
pub(crate) enum Unrecorded {
    /// The adapter refused a call: a well-formed answer (an unknown method
    /// or task handle: the implementation cannot make that call). The
    /// scenario fails on it; the adapter stays fit for the next one.
    Refused(String),
    /// The message breaks the protocol (it names an unknown call or
    /// task): the adapter must not be used again.
    Violation(String),
}

impl Unrecorded {
    /// What went wrong.
    pub(crate) fn into_message(self) -> String {
        match self {
            Unrecorded::Refused(text) | Unrecorded::Violation(text) => text,
        }
    }
}

#[derive(Default)]
pub(crate) struct Recording {
    /// The client lane, in arrival order.
    client: Vec<ClientRecord>,
    /// The socket (`my` or a task name) of each client record.
    sockets: Vec<String>,
    /// Whether an `await` consumed each client record.
    consumed: Vec<bool>,
    /// Sequence numbers of the server events awaits consumed.
    consumed_server: HashSet<u64>,
    /// The adapter's log events.
    logs: Vec<String>,
}

impl Recording {
    /// Adds a client record on `socket`.
    pub(crate) fn push(&mut self, record: ClientRecord, socket: String) {
        self.client.push(record);
        self.sockets.push(socket);
        self.consumed.push(false);
    }

    /// Adds one adapter message: a response or event to the client lane
    /// (named through `naming`), a log line to the logs. A refused call
    /// (recorded too) and a message that names an unknown call or task
    /// are errors, of different weight (see [`Unrecorded`]).
    pub(crate) fn record(
        &mut self,
        naming: &mut Naming,
        message: AdapterMessage,
    ) -> Result<(), Unrecorded> {
        let (record, lane) = match message {
            AdapterMessage::Response(r) => {
                let call = naming.call(r.id).cloned().ok_or_else(|| {
                    Unrecorded::Violation(format!(
                        "adapter protocol violation: response to unknown id {}",
                        r.id
                    ))
                })?;
                if !r.ok {
                    let error = r.error.unwrap_or_default();
                    let lane = naming.lane_of(r.id);
                    self.push(
                        ClientRecord::ProtocolError {
                            call: call.clone(),
                            error: error.clone(),
                        },
                        lane,
                    );
                    return Err(Unrecorded::Refused(format!(
                        "the adapter refused call `{call}`: {error}"
                    )));
                }
                let handle = r
                    .result
                    .as_ref()
                    .and_then(|v| v.get("returned"))
                    .and_then(|v| v.get("task"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let task = handle.map(|handle| naming.returned(r.id, handle));
                (ClientRecord::Returned { call, task }, naming.lane_of(r.id))
            }
            AdapterMessage::Event(Event::Callback {
                call,
                kind,
                res,
                sync,
            }) => {
                let name = naming.call(call).cloned().ok_or_else(|| {
                    Unrecorded::Violation(format!(
                        "adapter protocol violation: callback for unknown call {call}"
                    ))
                })?;
                (
                    ClientRecord::Callback {
                        call: name,
                        kind,
                        res,
                        sync,
                    },
                    naming.lane_of(call),
                )
            }
            AdapterMessage::Event(Event::Listener {
                target,
                listener,
                event_type,
                res,
            }) => {
                let target = if target == TARGET_MY {
                    target
                } else {
                    naming.task(&target).cloned().ok_or_else(|| {
                        Unrecorded::Violation(format!(
                            "adapter protocol violation: listener event for unknown task `{target}`"
                        ))
                    })?
                };
                (
                    ClientRecord::Listener {
                        target: target.clone(),
                        listener,
                        event_type,
                        res,
                    },
                    target,
                )
            }
            AdapterMessage::Event(Event::Log { text }) => {
                self.log(text);
                return Ok(());
            }
        };
        self.push(record, lane);
        Ok(())
    }

    /// Adds an adapter log line.
    pub(crate) fn log(&mut self, text: String) {
        self.logs.push(text);
    }

    /// The client lane so far.
    pub(crate) fn client(&self) -> &[ClientRecord] {
        &self.client
    }

    /// Finds `count` unconsumed matches for every item; on success marks
    /// them consumed.
    pub(crate) fn try_consume(&mut self, items: &[&AwaitDetail]) -> bool {
        let mut consumed = self.consumed.clone();
        for item in items {
            let mut need = item.count.unwrap_or(1);
            for (i, record) in self.client.iter().enumerate() {
                if need == 0 {
                    break;
                }
                if !consumed[i] && record.matches(&item.event, item.listener.as_deref()) {
                    consumed[i] = true;
                    need -= 1;
                }
            }
            if need > 0 {
                return false;
            }
        }
        self.consumed = consumed;
        true
    }

    /// The items that the lane cannot satisfy yet (each on its own, with
    /// the records no await consumed), without consuming anything.
    pub(crate) fn missing<'a>(&self, items: &[&'a AwaitDetail]) -> Vec<&'a AwaitDetail> {
        items
            .iter()
            .filter(|item| {
                let have = self
                    .client
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| {
                        !self.consumed[*i] && r.matches(&item.event, item.listener.as_deref())
                    })
                    .count();
                have < item.count.unwrap_or(1) as usize
            })
            .copied()
            .collect()
    }

    /// The server events awaits consumed so far.
    pub(crate) fn consumed_server(&self) -> &HashSet<u64> {
        &self.consumed_server
    }

    /// Marks server event `seq` consumed.
    pub(crate) fn consume_server(&mut self, seq: u64) {
        self.consumed_server.insert(seq);
    }

    /// The client records from index `from` on, one line each, for
    /// failure messages; `(empty)` when there is none at all.
    pub(crate) fn summary_from(&self, from: usize) -> String {
        if self.client.is_empty() {
            return "(empty)".into();
        }
        self.client[from..]
            .iter()
            .map(|r| match r.res() {
                Some(res) => format!("{} {}", r.label(), normalise::shorten(&res.to_string())),
                None => r.label(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The client lane, its sockets and the log lines, to make a trace.
    pub(crate) fn into_parts(self) -> (Vec<ClientRecord>, Vec<String>, Vec<String>) {
        (self.client, self.sockets, self.logs)
    }
}
