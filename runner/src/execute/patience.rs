//! How long an `await` waits, learned over one run, so that a run against
//! an implementation that never sends some kind of event ends fast.
//!
//! Every await waits up to its deadline (5 s by default). But once a kind
//! of event (`my.open`, a task's `open`, a call's `success`, …) has failed
//! to come in [`CUT_AFTER_MISSES`] scenarios and has come in none, an await
//! whose missing events are all of such kinds waits only [`SHORT_WAIT`],
//! and its failure says it was cut short and why. A conforming
//! implementation sends each kind early in a run, so its awaits are never
//! cut; an implementation whose `onSocketOpen` never fires costs 5 s in the
//! first scenarios, not in all of them.
//!
//! The suite scopes one [`Patience`] over its scenarios ([`PATIENCE`]);
//! the executor asks it when no scope is set, and it then changes nothing.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use adapter_protocol::{CallbackKind, EventType, TARGET_MY};

use crate::record::trace::ClientRecord;
use crate::scenario::model::Pattern;

/// How many scenarios must have missed a kind of event (with none seeing
/// it) before later awaits for it are cut short.
pub const CUT_AFTER_MISSES: usize = 2;

/// How long an await for events that never came in this run waits.
pub const SHORT_WAIT: Duration = Duration::from_millis(500);

/// How long a request waits for its response once the adapter has left
/// [`CUT_AFTER_MISSES`] requests unanswered in this run.
pub const SHORT_REQUEST: Duration = Duration::from_millis(1000);

tokio::task_local! {
    /// The run's patience, set by the suite around each scenario.
    pub static PATIENCE: Arc<Patience>;
}

/// What one run has learned about the kinds of events an implementation
/// sends.
#[derive(Debug, Default)]
pub struct Patience {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Kinds seen at least once in the run.
    seen: HashSet<String>,
    /// Kinds an await waited for in vain, and in how many scenarios.
    missed: HashMap<String, usize>,
    /// Requests the adapter left unanswered.
    unanswered: usize,
}

impl Patience {
    /// A fresh run: nothing seen, nothing missed.
    pub fn new() -> Arc<Patience> {
        Arc::new(Patience::default())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes a client record: its kind came.
    pub fn saw(&self, record: &ClientRecord) {
        if let Some(kind) = record_kind(record) {
            self.state().seen.insert(kind);
        }
    }

    /// Notes a request the adapter left unanswered.
    pub fn missed_response(&self) {
        self.state().unanswered += 1;
    }

    /// Whether the adapter has left enough requests unanswered in this run
    /// that later requests wait only [`SHORT_REQUEST`].
    pub fn adapter_hangs(&self) -> bool {
        self.state().unanswered >= CUT_AFTER_MISSES
    }

    /// Notes that an event of this kind came (`server.handshake`, …).
    pub fn saw_kind(&self, kind: &str) {
        self.state().seen.insert(kind.to_string());
    }

    /// Notes that an await waited for these kinds in vain.
    pub fn missed(&self, kinds: &[String]) {
        let mut state = self.state();
        for kind in kinds {
            *state.missed.entry(kind.clone()).or_default() += 1;
        }
    }

    /// Why an await for `kinds` should be cut short, if it should: every
    /// kind missed in enough scenarios and seen in none.
    pub fn cut_short(&self, kinds: &[String]) -> Option<String> {
        if kinds.is_empty() {
            return None;
        }
        let state = self.state();
        let mut reasons = Vec::new();
        for kind in kinds {
            let misses = state.missed.get(kind).copied().unwrap_or(0);
            if state.seen.contains(kind) || misses < CUT_AFTER_MISSES {
                return None;
            }
            reasons.push(format!("`{kind}` never came in {misses} earlier scenarios"));
        }
        Some(reasons.join(", "))
    }
}

/// The kind of an awaited client event: `my.open`, `<task>.open`,
/// `<call>.success`, … (`None` for server events, which the suite's own
/// mock server sends).
pub fn pattern_kind(pattern: &Pattern) -> Option<String> {
    match pattern {
        Pattern::Callback { kind, .. } => Some(callback_kind(*kind)),
        Pattern::Listener {
            target, event_type, ..
        } => Some(listener_kind(target, *event_type)),
        Pattern::Server(_) => None,
    }
}

/// The kind of a recorded client event, named as [`pattern_kind`] names it.
fn record_kind(record: &ClientRecord) -> Option<String> {
    match record {
        ClientRecord::Callback { kind, .. } => Some(callback_kind(*kind)),
        ClientRecord::Listener {
            target, event_type, ..
        } => Some(listener_kind(target, *event_type)),
        _ => None,
    }
}

/// `<call>.success`, …: one kind for every call's callback.
fn callback_kind(kind: CallbackKind) -> String {
    format!("<call>.{}", callback_name(kind))
}

/// `my.open`, or `<task>.open` for any task.
fn listener_kind(target: &str, event_type: EventType) -> String {
    let target = if target == TARGET_MY {
        TARGET_MY
    } else {
        "<task>"
    };
    format!("{target}.{}", event_type.as_str())
}

fn callback_name(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Success => "success",
        CallbackKind::Fail => "fail",
        CallbackKind::Complete => "complete",
    }
}

/// The run's patience, if the suite set one for this task.
pub fn current() -> Option<Arc<Patience>> {
    PATIENCE.try_with(Arc::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_missed_twice_and_never_seen_is_cut_short() {
        let p = Patience::new();
        let open = vec!["my.open".to_string()];
        assert_eq!(p.cut_short(&open), None);
        p.missed(&open);
        assert_eq!(p.cut_short(&open), None);
        p.missed(&open);
        let why = p.cut_short(&open).expect("cut short");
        assert!(why.contains("`my.open` never came in 2"), "{why}");
    }

    #[test]
    fn a_kind_seen_once_is_never_cut_short() {
        let p = Patience::new();
        let open = vec!["my.open".to_string()];
        p.missed(&open);
        p.missed(&open);
        p.saw(&ClientRecord::Listener {
            target: "my".into(),
            listener: "O".into(),
            event_type: adapter_protocol::EventType::Open,
            res: serde_json::json!({}),
        });
        assert_eq!(p.cut_short(&open), None);
    }
}
