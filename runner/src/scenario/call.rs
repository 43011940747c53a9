//! API calls in a scenario and the calls nested in them (`then`, `within`),
//! with the one naming scheme of nested calls: `<parent>-then<k>`,
//! `<parent>-success<k>`, … (1-based) unless a call has a name of its own.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The default name of the call at step `index` (0-based): `c1`, `c2`, …
pub fn default_call_name(index: usize) -> String {
    format!("c{}", index + 1)
}

/// An API call; the same shape nests in `then` and `within`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallStep {
    /// The call's stable name in the trace (default `c<step number>`, and
    /// `<parent>-then<k>` / `<parent>-success<k>` … for nested calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `my`, a task named with `as`, or `$returned` in a nested call.
    #[serde(default = "default_target")]
    pub target: String,
    /// The JavaScript method name (`connectSocket`, `send`, `onOpen`, …).
    pub method: String,
    /// The object argument without functions; strings are templated
    /// (`{{ws:echo}}`, `{{session}}`, `{{bytes:70000}}`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// Call with no argument at all (and so no callbacks).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_argument: bool,
    /// The listener's name, for `on*` / `off*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// A name for the SocketTask this call returns.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub as_name: Option<String>,
    /// Calls made synchronously right after this one returned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<CallStep>,
    /// Calls made inside this call's callbacks.
    #[serde(default, skip_serializing_if = "WithinSteps::is_empty")]
    pub within: WithinSteps,
}

fn default_target() -> String {
    "my".into()
}

/// Calls made inside a call's callbacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithinSteps {
    /// Inside `success`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success: Vec<CallStep>,
    /// Inside `fail`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fail: Vec<CallStep>,
    /// Inside `complete`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complete: Vec<CallStep>,
    /// On an `on*` call: inside the listener, the next time it runs, once
    /// (how a scenario changes listeners during a dispatch).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listener: Vec<CallStep>,
}

impl WithinSteps {
    /// No nested call.
    pub fn is_empty(&self) -> bool {
        self.success.is_empty()
            && self.fail.is_empty()
            && self.complete.is_empty()
            && self.listener.is_empty()
    }
}

/// A place where a call makes nested calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Synchronously right after the call returned.
    Then,
    /// Inside its `success` callback.
    Success,
    /// Inside its `fail` callback.
    Fail,
    /// Inside its `complete` callback.
    Complete,
    /// Inside the listener it added, the next time it runs.
    Listener,
}

impl Slot {
    /// Every slot, in the order nested calls are named and sent.
    pub const ALL: [Slot; 5] = [
        Slot::Then,
        Slot::Success,
        Slot::Fail,
        Slot::Complete,
        Slot::Listener,
    ];

    /// The word in nested call names (`c1-then1`, `c1-success2`).
    pub fn name(self) -> &'static str {
        match self {
            Slot::Then => "then",
            Slot::Success => "success",
            Slot::Fail => "fail",
            Slot::Complete => "complete",
            Slot::Listener => "listener",
        }
    }

    /// Where its calls are in the YAML (`then`, `within.success`).
    pub fn yaml_key(self) -> &'static str {
        match self {
            Slot::Then => "then",
            Slot::Success => "within.success",
            Slot::Fail => "within.fail",
            Slot::Complete => "within.complete",
            Slot::Listener => "within.listener",
        }
    }
}

/// One nested call with where it is and its stable name.
#[derive(Debug, Clone, Copy)]
pub struct NestedStep<'a, 'n> {
    /// Where the parent makes it.
    pub slot: Slot,
    /// Its 1-based position in that slot.
    pub index: usize,
    /// The parent's stable name.
    pub parent: &'n str,
    /// The call.
    pub call: &'a CallStep,
}

impl NestedStep<'_, '_> {
    /// Its stable name: its own, else `<parent>-<slot><index>`.
    pub fn name(&self) -> String {
        self.call.name_or(format!(
            "{}-{}{}",
            self.parent,
            self.slot.name(),
            self.index
        ))
    }
}

impl CallStep {
    /// The call's stable name: its own, else `default`.
    pub fn name_or(&self, default: String) -> String {
        self.name.clone().unwrap_or(default)
    }

    /// The calls made in `slot`.
    pub fn calls_in(&self, slot: Slot) -> &[CallStep] {
        match slot {
            Slot::Then => &self.then,
            Slot::Success => &self.within.success,
            Slot::Fail => &self.within.fail,
            Slot::Complete => &self.within.complete,
            Slot::Listener => &self.within.listener,
        }
    }

    /// The calls nested directly in this one (named `name`), `then` first,
    /// then `within` in [`Slot::ALL`] order.
    pub fn nested<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = NestedStep<'a, 'n>> {
        Slot::ALL.into_iter().flat_map(move |slot| {
            self.calls_in(slot)
                .iter()
                .enumerate()
                .map(move |(k, call)| NestedStep {
                    slot,
                    index: k + 1,
                    parent: name,
                    call,
                })
        })
    }

    /// Visits this call (named `name`) and every call nested in it, depth
    /// first, each with its stable name.
    pub fn walk<'a>(&'a self, name: String, visit: &mut impl FnMut(&str, &'a CallStep)) {
        visit(&name, self);
        for nested in self.nested(&name) {
            nested.call.walk(nested.name(), visit);
        }
    }
}
