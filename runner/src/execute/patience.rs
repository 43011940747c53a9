//! How long an `await` waits, learned over one run, so that a run against
//! an implementation that never sends some kind of event ends fast.
//!
//! Every await waits up to its deadline (5 s by default). But once a kind
//! of event (`my.open`, a task's `open`, a call's `success`, …) has failed
//! to come in [`CUT_AFTER_MISSES`] scenarios and has come in none (or is a
//! listener's on a target none of whose events came, see
//! [`Patience::cut_short`]), it is given up on: an await for every one of
//! some events, one of which is of such a kind, or for the first of some
//! events, all of such kinds, waits only [`SHORT_WAIT`], and its failure
//! says it was cut short and why. A conforming
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
/// it) before later awaits for it are cut short: one whole timeout in
/// which a kind that has never come in the run still does not come is the
/// implementation showing that it does not send it (`docs/decisions.md`).
pub const CUT_AFTER_MISSES: usize = 1;

/// How many requests the adapter must have left unanswered before later
/// requests wait only [`SHORT_REQUEST`].
pub const HANG_AFTER_UNANSWERED: usize = 2;

/// How long an await for events that never came in this run waits.
pub const SHORT_WAIT: Duration = Duration::from_millis(500);

/// How long a request waits for its response once the adapter has left
/// [`HANG_AFTER_UNANSWERED`] requests unanswered in this run.
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
        self.state().unanswered >= HANG_AFTER_UNANSWERED
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
    /// kind missed in enough scenarios and seen in none, or a listener's
    /// kind whose target has delivered no event of any type in the run
    /// while one of its types was missed (see [`listener_family`]).
    pub fn cut_short(&self, kinds: &[String]) -> Option<String> {
        if kinds.is_empty() {
            return None;
        }
        let state = self.state();
        let mut reasons = Vec::new();
        for kind in kinds {
            if state.seen.contains(kind) {
                return None;
            }
            let misses = state.missed.get(kind).copied().unwrap_or(0);
            if misses >= CUT_AFTER_MISSES {
                let scenarios = if misses == 1 { "scenario" } else { "scenarios" };
                reasons.push(format!(
                    "`{kind}` never came in {misses} earlier {scenarios}"
                ));
                continue;
            }
            let family = listener_family(kind)?;
            let in_family = |k: &&String| listener_family(k) == Some(family);
            if state.seen.iter().any(|k| in_family(&k)) {
                return None;
            }
            let missed: Vec<&String> = state
                .missed
                .iter()
                .filter(|(k, n)| in_family(k) && **n >= CUT_AFTER_MISSES)
                .map(|(k, _)| k)
                .collect();
            let first = missed.iter().min()?;
            reasons.push(format!(
                "no `{family}.*` event came in the run, and `{first}` was awaited in vain"
            ));
        }
        Some(reasons.join(", "))
    }
}

impl Patience {
    /// Why an await for every one of `kinds` should be cut short, if it
    /// should: one of them is given up on ([`Patience::cut_short`]), so the
    /// await cannot succeed.
    pub fn cut_short_all_of(&self, kinds: &[String]) -> Option<String> {
        kinds
            .iter()
            .find_map(|kind| self.cut_short(std::slice::from_ref(kind)))
    }
}

/// The target of a listener's kind (`my` of `my.open`, `<task>` of
/// `<task>.error`), `None` for a callback's kind. An implementation whose
/// listeners on a target never fire at all (Taro H5's `my.onSocket*`) shows
/// it with the first type missed; one whose listeners fire for some types
/// is judged type by type.
fn listener_family(kind: &str) -> Option<&str> {
    let (target, _) = kind.split_once('.')?;
    (target == TARGET_MY || target == "<task>").then_some(target)
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
    fn a_kind_missed_once_and_never_seen_is_cut_short() {
        let p = Patience::new();
        let open = vec!["my.open".to_string()];
        assert_eq!(p.cut_short(&open), None);
        p.missed(&open);
        let why = p.cut_short(&open).expect("cut short");
        assert!(
            why.contains("`my.open` never came in 1 earlier scenario"),
            "{why}"
        );
        p.missed(&open);
        let why = p.cut_short(&open).expect("cut short");
        assert!(
            why.contains("`my.open` never came in 2 earlier scenarios"),
            "{why}"
        );
    }

    #[test]
    fn a_listener_target_that_never_fired_is_given_up_on_every_type() {
        let p = Patience::new();
        let error = vec!["my.error".to_string()];
        assert_eq!(p.cut_short(&error), None);
        p.missed(&["my.open".to_string()]);
        let why = p.cut_short(&error).expect("cut short");
        assert!(why.contains("no `my.*` event came"), "{why}");
        // Another target, and callbacks, are judged on their own.
        assert_eq!(p.cut_short(&["<task>.error".to_string()]), None);
        assert_eq!(p.cut_short(&["<call>.complete".to_string()]), None);
        // Once any `my.*` event came, each type is judged alone.
        p.saw_kind("my.close");
        assert_eq!(p.cut_short(&error), None);
        assert!(p.cut_short(&["my.open".to_string()]).is_some());
    }

    #[test]
    fn an_await_of_any_is_cut_short_when_every_kind_is_and_one_of_all_when_one_is() {
        let p = Patience::new();
        p.missed(&["my.open".to_string()]);
        p.saw_kind("<call>.fail");
        let both = ["my.open".to_string(), "<call>.fail".to_string()];
        assert!(p.cut_short(&["my.open".to_string()]).is_some());
        assert_eq!(p.cut_short(&both), None);
        let why = p.cut_short_all_of(&both).expect("cut short");
        assert!(why.contains("`my.open` never came"), "{why}");
    }

    #[test]
    fn a_request_is_cut_short_after_two_unanswered() {
        let p = Patience::new();
        p.missed_response();
        assert!(!p.adapter_hangs());
        p.missed_response();
        assert!(p.adapter_hangs());
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
