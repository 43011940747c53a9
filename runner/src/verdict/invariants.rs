//! The rules every trace must keep, whatever its scenario is about
//! ([`TRACE_RULES`]): checked on every recorded trace before its golden
//! snapshot, so that a scenario whose trace breaks one fails under that
//! rule's id, with where, ahead of the golden diff.
//!
//! Each check reads only what the trace itself shows (the client lane, the
//! server lane, and what came after the last step while the run watched a
//! closed socket) and what the scenario asked for (how often it added each
//! listener, what a call sends, what code a close asks for): a trace that
//! keeps the rule can never be reported. What a check cannot tell from the
//! trace alone it leaves to the goldens.

use std::collections::HashMap;

use adapter_protocol::{CallbackKind, EventType, Method, TARGET_MY, TARGET_RETURNED};
use serde_json::Value;

use crate::record::trace::{ClientRecord, ServerEventKind, Trace};
use crate::scenario::model::{default_call_name, CallStep, Scenario, Step};
use crate::scenario::pattern::kind_name;

/// The rules checked on every trace, in the order they are checked.
pub const TRACE_RULES: [&str; 6] = [
    "order.async",
    "order.callbacks-first",
    "callbacks.one-outcome",
    "callbacks.complete-once",
    "close.nothing-after",
    "receive.order",
];

/// A trace breaking one of [`TRACE_RULES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule's id.
    pub rule: &'static str,
    /// Where and what, in one line (`c2.success ran inside the call`).
    pub what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "breaks `{}`: {}", self.rule, self.what)
    }
}

/// The first rule of [`TRACE_RULES`] that `trace` breaks, in their order,
/// and where; `scenario` is what the trace was recorded for.
pub fn first_violation(scenario: &Scenario, trace: &Trace) -> Option<Violation> {
    callback_inside_its_call(trace)
        .or_else(|| callbacks_after_their_effect(scenario, trace))
        .or_else(|| callback_outcomes(trace))
        .or_else(|| events_after_close(trace, &listener_additions(scenario)))
        .or_else(|| data_behind_close_frame(trace))
        .or_else(|| message_order(trace))
}

/// `order.async`: a callback the adapter saw run inside its call.
fn callback_inside_its_call(trace: &Trace) -> Option<Violation> {
    trace.client.iter().find_map(|record| match record {
        ClientRecord::Callback {
            sync: true, call, ..
        } => Some(Violation {
            rule: "order.async",
            what: format!("{} ran inside the call `{call}`", record.label()),
        }),
        _ => None,
    })
}

/// `order.callbacks-first`: a `close` whose socket's close event came
/// before its own `success` or `fail`, or a `send` whose echo came before
/// them. Only where the trace leaves no doubt that the event is the call's
/// effect: for `close`, the server lane has one connection, and the first
/// close frame on it is the client's, with the code the call asked for;
/// for `send`, its text is sent by no other call, reached the server once
/// and came back once.
fn callbacks_after_their_effect(scenario: &Scenario, trace: &Trace) -> Option<Violation> {
    for (name, call) in scenario.calls() {
        let Some(method) = Method::from_name(&call.method) else {
            continue;
        };
        let effect = match method.global_twin() {
            Method::CloseSocket if closed_by_the_client(call, trace) => Effect::Close,
            Method::SendSocketMessage => match sent_text(scenario, call) {
                Some(text) if echoed_once(text, trace) => Effect::Echo(text),
                _ => continue,
            },
            _ => continue,
        };
        if let Some(violation) = effect_before_outcome(&name, effect, trace) {
            return Some(violation);
        }
    }
    None
}

/// The event a call's own effect on the wire causes.
#[derive(Clone, Copy)]
enum Effect<'a> {
    /// Its socket's close event.
    Close,
    /// A message event with this text.
    Echo(&'a str),
}

/// Whether, after `call` returned on its socket, the event its effect
/// causes ran on that socket before the call's outcome did.
fn effect_before_outcome(call: &str, effect: Effect, trace: &Trace) -> Option<Violation> {
    let records = trace.client.iter().zip(&trace.client_sockets);
    let mut socket = None;
    for (record, on) in records {
        match record {
            ClientRecord::Returned { call: c, .. } if c == call => socket = Some(on.as_str()),
            ClientRecord::Callback {
                call: c,
                kind: CallbackKind::Success | CallbackKind::Fail,
                ..
            } if c == call => return None,
            ClientRecord::Listener {
                event_type, res, ..
            } if socket == Some(on.as_str()) => {
                let caused = match effect {
                    Effect::Close => *event_type == EventType::Close,
                    Effect::Echo(text) => {
                        *event_type == EventType::Message && message_data(res) == Some(text)
                    }
                };
                if caused {
                    return Some(Violation {
                        rule: "order.callbacks-first",
                        what: format!(
                            "{} ran before `{call}`'s success or fail, though the call caused it",
                            record.label()
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the trace's only connection was closed by the client's close
/// frame, with the code `call` (a `close`) asked for.
fn closed_by_the_client(call: &CallStep, trace: &Trace) -> bool {
    if trace.connections().len() != 1 {
        return false;
    }
    let asked = call.args.as_ref().and_then(|a| a.get("code"));
    let first_close = trace.server.iter().find_map(|e| match &e.kind {
        ServerEventKind::CloseIn { code, .. } => Some(Some(*code)),
        ServerEventKind::CloseOut { .. } | ServerEventKind::End { .. } => Some(None),
        _ => None,
    });
    match (first_close, asked) {
        (Some(Some(code)), None) => matches!(code, None | Some(1000)),
        (Some(Some(code)), Some(asked)) => {
            code.map(u64::from) == asked.as_u64() && asked.as_u64().is_some()
        }
        _ => false,
    }
}

/// The text `call` (a `send`) sends, when it is a plain string that no
/// other call of the scenario sends.
fn sent_text<'a>(scenario: &'a Scenario, call: &'a CallStep) -> Option<&'a str> {
    let args = call.args.as_ref()?;
    if args.get("isBuffer").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let text = args.get("data")?.as_str()?;
    if text.contains("{{") {
        return None;
    }
    let senders = scenario
        .calls()
        .iter()
        .filter(|(_, other)| {
            other
                .args
                .as_ref()
                .and_then(|a| a.get("data"))
                .and_then(Value::as_str)
                == Some(text)
        })
        .count();
    (senders == 1).then_some(text)
}

/// Whether the server received `text` once, as text, and sent it back
/// once, after, on the same connection.
fn echoed_once(text: &str, trace: &Trace) -> bool {
    let with_text = |outgoing: bool| -> Vec<(u64, u32)> {
        trace
            .server
            .iter()
            .filter_map(|e| match (&e.kind, outgoing) {
                (ServerEventKind::MessageIn(m), false) | (ServerEventKind::MessageOut(m), true)
                    if !m.binary && m.data == text =>
                {
                    Some((e.seq, e.conn))
                }
                _ => None,
            })
            .collect()
    };
    let (received, sent) = (with_text(false), with_text(true));
    match (received.as_slice(), sent.as_slice()) {
        ([(seq_in, conn_in)], [(seq_out, conn_out)]) => conn_in == conn_out && seq_in < seq_out,
        _ => false,
    }
}

/// `callbacks.one-outcome` (`success` or `fail`, once) and
/// `callbacks.complete-once` (`complete` once, after the outcome), per call:
/// a `complete` with no `success` or `fail` before it came first, whether
/// or not the outcome follows within the trace.
fn callback_outcomes(trace: &Trace) -> Option<Violation> {
    #[derive(Default)]
    struct Seen {
        outcome: Option<CallbackKind>,
        complete: bool,
    }
    let mut calls: HashMap<&str, Seen> = HashMap::new();
    for record in &trace.client {
        let ClientRecord::Callback { call, kind, .. } = record else {
            continue;
        };
        let seen = calls.entry(call.as_str()).or_default();
        match kind {
            CallbackKind::Success | CallbackKind::Fail => {
                if let Some(first) = seen.outcome {
                    return Some(Violation {
                        rule: "callbacks.one-outcome",
                        what: format!(
                            "`{call}` ran `{}` after its `{}`",
                            kind_name(*kind),
                            kind_name(first)
                        ),
                    });
                }
                seen.outcome = Some(*kind);
            }
            CallbackKind::Complete => {
                if seen.outcome.is_none() {
                    return Some(Violation {
                        rule: "callbacks.complete-once",
                        what: format!("`{call}` ran `complete` before its `success` or `fail`"),
                    });
                }
                if seen.complete {
                    return Some(Violation {
                        rule: "callbacks.complete-once",
                        what: format!("`{call}` ran `complete` twice"),
                    });
                }
                seen.complete = true;
            }
        }
    }
    None
}

/// How many times the scenario adds each listener name on each target for
/// each event type (nested calls included, `$returned` read as the task
/// its parent returns): the most times one dispatch may run it.
fn listener_additions(scenario: &Scenario) -> Additions {
    fn walk(call: &CallStep, name: String, parent_task: Option<&str>, out: &mut Additions) {
        let target = match (call.target.as_str(), parent_task) {
            (TARGET_RETURNED, Some(task)) => task,
            (target, _) => target,
        };
        if let (Some(listener), Some(Method::OnSocket(event) | Method::On(event))) =
            (&call.listener, Method::from_name(&call.method))
        {
            *out.entry((target.to_string(), listener.clone(), event))
                .or_default() += 1;
        }
        for nested in call.nested(&name) {
            walk(nested.call, nested.name(), call.as_name.as_deref(), out);
        }
    }
    let mut out = Additions::new();
    for (index, step) in scenario.steps.iter().enumerate() {
        if let Step::Call(call) = step {
            walk(call, call.name_or(default_call_name(index)), None, &mut out);
        }
    }
    out
}

/// Listener additions by target, listener name and event type.
type Additions = HashMap<(String, String, EventType), usize>;

/// `close.nothing-after`: on each socket, once a close event has been
/// dispatched (to every listener added for it, as often as it was added),
/// no listener runs again, in the lane or while the run watched after the
/// last step (`Trace::after_steps`). The global socket (`my`) may be connected
/// again, so a new call anywhere starts it afresh.
fn events_after_close(trace: &Trace, additions: &Additions) -> Option<Violation> {
    // Per closed socket: how often each listener has run its close event.
    let mut sockets: HashMap<&str, HashMap<String, usize>> = HashMap::new();
    let lanes = trace
        .client
        .iter()
        .zip(&trace.client_sockets)
        .chain(trace.after_steps.iter().zip(&trace.after_steps_sockets));
    for (record, socket) in lanes {
        if matches!(record, ClientRecord::Returned { .. }) {
            sockets.remove(TARGET_MY);
            continue;
        }
        let ClientRecord::Listener {
            target,
            listener,
            event_type,
            ..
        } = record
        else {
            continue;
        };
        let next = match (sockets.remove(socket.as_str()), event_type) {
            (None, EventType::Close) => HashMap::from([(listener.clone(), 1)]),
            (None, _) => continue,
            (Some(mut ran), EventType::Close) => {
                let times = ran.entry(listener.clone()).or_default();
                *times += 1;
                let allowed = additions
                    .get(&(target.clone(), listener.clone(), EventType::Close))
                    .copied()
                    .unwrap_or(1)
                    .max(1);
                if *times > allowed {
                    return Some(Violation {
                        rule: "close.nothing-after",
                        what: format!(
                            "{} ran a second close event on `{socket}` (its listener was added {allowed} time(s))",
                            record.label()
                        ),
                    });
                }
                ran
            }
            (Some(_), _) => {
                return Some(Violation {
                    rule: "close.nothing-after",
                    what: format!("{} ran after `{socket}`'s close event", record.label()),
                });
            }
        };
        sockets.insert(socket.as_str(), next);
    }
    None
}

/// `close.nothing-after`, the data half: a message delivered although
/// every time the server sent it, it sent it behind its own close frame on
/// that connection ([RFC 6455] 5.5.1: no data after a close frame).
fn data_behind_close_frame(trace: &Trace) -> Option<Violation> {
    let mut closed: Vec<u32> = Vec::new();
    let mut behind: HashMap<&str, bool> = HashMap::new();
    for event in &trace.server {
        match &event.kind {
            ServerEventKind::CloseOut { .. } => closed.push(event.conn),
            ServerEventKind::MessageOut(message) => {
                let after = closed.contains(&event.conn);
                *behind.entry(message.data.as_str()).or_insert(true) &= after;
            }
            _ => {}
        }
    }
    trace
        .client
        .iter()
        .zip(&trace.client_sockets)
        .chain(trace.after_steps.iter().zip(&trace.after_steps_sockets))
        .find_map(|(record, socket)| match record {
            ClientRecord::Listener {
                event_type: EventType::Message,
                res,
                ..
            } => {
                let data = message_data(res)?;
                behind.get(data).copied().filter(|b| *b).map(|_| Violation {
                    rule: "close.nothing-after",
                    what: format!(
                        "{} delivered {} on `{socket}`, which the server sent only behind its close frame",
                        record.label(),
                        short(data)
                    ),
                })
            }
            _ => None,
        })
}

/// `receive.order`: the messages each socket delivered came in the order
/// the server sent them on one connection. A socket whose messages are not
/// all among what the server sent (a normalised or altered message) is
/// left to the goldens.
fn message_order(trace: &Trace) -> Option<Violation> {
    let mut sent: HashMap<u32, Vec<&str>> = HashMap::new();
    for event in &trace.server {
        if let ServerEventKind::MessageOut(message) = &event.kind {
            sent.entry(event.conn).or_default().push(&message.data);
        }
    }
    let mut received: Vec<(&str, Vec<&str>)> = Vec::new();
    for (record, socket) in trace.client.iter().zip(&trace.client_sockets) {
        let ClientRecord::Listener {
            event_type: EventType::Message,
            res,
            ..
        } = record
        else {
            continue;
        };
        let Some(data) = message_data(res) else {
            continue;
        };
        match received.iter_mut().find(|(s, _)| *s == socket.as_str()) {
            // The same message to two listeners of one socket is one message.
            Some((_, list)) if list.last() == Some(&data) => {}
            Some((_, list)) => list.push(data),
            None => received.push((socket.as_str(), vec![data])),
        }
    }
    for (socket, list) in received {
        let known = sent
            .values()
            .any(|out| list.iter().all(|data| out.contains(data)));
        if !known || sent.values().any(|out| is_subsequence(&list, out)) {
            continue;
        }
        return Some(Violation {
            rule: "receive.order",
            what: format!(
                "`{socket}` delivered messages in another order than the server sent them: {}",
                list.iter().map(|d| short(d)).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    None
}

/// A message event's data as the server lane writes it: the text, or the
/// bytes in base64 (`{"$binary": …}` or `isBuffer: true`).
fn message_data(res: &Value) -> Option<&str> {
    match res.get("data")? {
        Value::String(text) => Some(text),
        Value::Object(object) => object.get("$binary")?.as_str(),
        _ => None,
    }
}

fn is_subsequence(list: &[&str], of: &[&str]) -> bool {
    let mut rest = of.iter();
    list.iter()
        .all(|item| rest.any(|candidate| candidate == item))
}

fn short(text: &str) -> String {
    if text.chars().count() <= 20 {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(20).collect();
        format!("{head:?}…")
    }
}

#[cfg(test)]
mod tests;
