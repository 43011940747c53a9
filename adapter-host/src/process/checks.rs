//! What an adapter process writes back, checked: each stdout line decoded
//! ([`decode_line`]), then checked against what was sent to its instance
//! (an id sent and not yet answered, a call that was sent, a task that was
//! returned).

use std::collections::{HashMap, HashSet};

use adapter_protocol::{AdapterMessage, Event, Instanced, Response};
use serde_json::Value;

use super::stdio::QUOTE_BYTES;
use crate::error::{truncate, AdapterError};

/// What one instance of the implementation was sent: the ids and task
/// handles its messages may name. Ids are unique per instance.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    /// Every id sent, nested ones included.
    pub(crate) used_ids: HashSet<u64>,
    /// Ids sent and not yet answered.
    pub(crate) outstanding: HashSet<u64>,
    /// Ids of calls (top-level and nested): the ones callbacks may name.
    pub(crate) call_ids: HashSet<u64>,
    /// Task handles the adapter returned.
    pub(crate) tasks: HashSet<String>,
}

/// Parses and checks one stdout line: [`decode`], then the checks that
/// need what was sent to each instance (ids, calls, tasks) of an adapter
/// that holds `instances` and whose global object is `global_target`.
pub(crate) fn check_line(
    sessions: &mut HashMap<u32, Checks>,
    instances: u32,
    global_target: &str,
    bytes: &[u8],
) -> Result<Instanced<AdapterMessage>, String> {
    let routed = decode_routed(bytes)?;
    let instance = routed.instance;
    let checked = if instance >= instances {
        Err(format!(
            "a message for instance {instance}, but the adapter holds {instances}"
        ))
    } else {
        match &routed.message {
            AdapterMessage::Response(response) => {
                check_response(sessions.entry(instance).or_default(), response)
            }
            AdapterMessage::Event(event) => {
                check_event(sessions.get(&instance), global_target, event)
            }
        }
    };
    checked.map_err(|e| format!("{e}: {}", quote_line(bytes)))?;
    Ok(routed)
}

fn check_response(checks: &mut Checks, response: &Response) -> Result<(), String> {
    let id = response.id;
    if !checks.outstanding.remove(&id) {
        return Err(if checks.used_ids.contains(&id) {
            format!("a second response to request {id}")
        } else {
            format!("a response to id {id}, which was never sent")
        });
    }
    match (response.ok, &response.result, &response.error) {
        (true, Some(result), _) => {
            if let Some(task) = result.pointer("/returned/task").and_then(Value::as_str) {
                checks.tasks.insert(task.to_owned());
            }
            Ok(())
        }
        (true, None, _) => Err(format!("response {id} has \"ok\": true but no \"result\"")),
        (false, _, Some(_)) => Ok(()),
        (false, _, None) => Err(format!("response {id} has \"ok\": false but no \"error\"")),
    }
}

fn check_event(checks: Option<&Checks>, global_target: &str, event: &Event) -> Result<(), String> {
    let empty = Checks::default();
    let checks = checks.unwrap_or(&empty);
    match event {
        Event::Callback { call, .. } if !checks.call_ids.contains(call) => {
            Err(format!("a callback for call {call}, which was never sent"))
        }
        Event::Listener { target, .. }
            if target != global_target && !checks.tasks.contains(target) =>
        {
            Err(format!(
                "a listener event on task {target:?}, which no call returned"
            ))
        }
        _ => Ok(()),
    }
}

/// Decodes one line an adapter wrote on stdout (without its `\n`; a
/// trailing `\r` is ignored) into a message, checking everything that can
/// be checked from the line alone: UTF-8, JSON, an object, and the shape of
/// a response (it has `"id"`) or of an event (it has `"event"`).
///
/// [`ProcessAdapter::recv`] runs this on every line, then checks the
/// message against the session (an id that was sent and not yet answered,
/// a call that was sent, a task that was returned).
///
/// # Errors
///
/// [`AdapterError::Protocol`] saying what is wrong, quoting the line.
pub fn decode_line(line: &[u8]) -> Result<AdapterMessage, AdapterError> {
    decode(line).map_err(AdapterError::Protocol)
}

/// [`decode_line`], with the reason as text.
fn decode(bytes: &[u8]) -> Result<AdapterMessage, String> {
    decode_routed(bytes).map(|routed| routed.message)
}

/// [`decode`], with the line's `instance` (absent: 0; otherwise an
/// unsigned integer below 2^32).
pub(super) fn decode_routed(bytes: &[u8]) -> Result<Instanced<AdapterMessage>, String> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let Ok(line) = std::str::from_utf8(bytes) else {
        let lossy = String::from_utf8_lossy(bytes);
        return Err(format!(
            "a line that is not UTF-8: {}",
            truncate(&lossy, QUOTE_BYTES)
        ));
    };
    let quoted = || truncate(line, QUOTE_BYTES);
    let value: Value = serde_json::from_str(line)
        .map_err(|e| format!("a line that is not JSON ({e}): {}", quoted()))?;
    let Value::Object(object) = &value else {
        return Err(format!("a line that is not a JSON object: {}", quoted()));
    };
    let instance = match object.get("instance") {
        None => 0,
        Some(number) => number
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                format!(
                    "an \"instance\" that is not an unsigned integer: {}",
                    quoted()
                )
            })?,
    };
    let message = if object.contains_key("id") {
        let response: Response = serde_json::from_value(value)
            .map_err(|e| format!("a malformed response ({e}): {}", quoted()))?;
        AdapterMessage::Response(response)
    } else if object.contains_key("event") {
        let event: Event = serde_json::from_value(value)
            .map_err(|e| format!("an unknown or malformed event ({e}): {}", quoted()))?;
        AdapterMessage::Event(event)
    } else {
        return Err(format!(
            "a message that is neither a response (no \"id\") nor an event (no \"event\"): {}",
            quoted()
        ));
    };
    Ok(Instanced { instance, message })
}

/// A line [`decode`] accepted, quoted for an error.
fn quote_line(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    truncate(&String::from_utf8_lossy(bytes), QUOTE_BYTES)
}
