//! The rule ids of `behaviour.md` and its error-code table. They are kept
//! once, as data, in the `report` crate (`report/src/rules.txt`), which the
//! reports need too; the loader checks scenario `spec` ids against them.

pub use report::{rule_ids, ErrorCode, ERROR_CODES};

/// Whether `id` is a rule id of `behaviour.md`.
pub fn is_rule_id(id: &str) -> bool {
    rule_ids().contains(&id)
}
