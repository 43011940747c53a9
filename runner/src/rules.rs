//! The rule ids of `behaviour.md` and its error-code table, kept as data.

use std::sync::OnceLock;

/// `rules.txt`: a copy of the design's rule list, one id a line.
const RULES_TXT: &str = include_str!("rules.txt");

/// Every rule id of `behaviour.md`, in the document's order.
pub fn rule_ids() -> &'static [&'static str] {
    static RULES: OnceLock<Vec<&'static str>> = OnceLock::new();
    RULES.get_or_init(|| {
        RULES_TXT
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    })
}

/// Whether `id` is a rule id of `behaviour.md`.
pub fn is_rule_id(id: &str) -> bool {
    rule_ids().contains(&id)
}

/// The error codes 1–12 with the seed's meaning and the rules that produce
/// them (`behaviour.md`, "Error codes").
pub const ERROR_CODES: [(u32, &str, &[&str]); 12] = [
    (
        1,
        "unknown error",
        &[
            "error.1.network",
            "close.drop",
            "connect.multiple.limit",
            "close.invalid-code",
        ],
    ),
    (2, "connection already exists", &["connect.single.exists"]),
    (3, "URL empty", &["connect.url.empty"]),
    (4, "URL format not recognised", &["connect.url.format"]),
    (5, "URL must start with ws or wss", &["connect.url.scheme"]),
    (6, "connect timeout", &["error.6.timeout"]),
    (7, "invalid certificate", &["error.7.cert"]),
    (
        8,
        "invalid protocol header in the response",
        &["error.8.handshake", "connect.wss-only"],
    ),
    (
        9,
        "request did not specify Sec-WebSocket-Protocol",
        &["error.9.protocol-unrequested"],
    ),
    (
        10,
        "connection not open, cannot send",
        &["send.not-open", "close.not-open"],
    ),
    (
        11,
        "message send failed",
        &["send.invalid", "send.too-large"],
    ),
    (
        12,
        "cannot allocate memory to read network data",
        &["error.12.memory"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_list_is_read_from_data() {
        assert!(rule_ids().len() >= 40);
        assert!(is_rule_id("order.async"));
        assert!(is_rule_id("task.broadcast"));
        assert!(!is_rule_id("task.nonsense"));
    }

    #[test]
    fn every_rule_named_by_the_error_table_exists() {
        for (code, _, rules) in ERROR_CODES {
            for rule in rules {
                assert!(is_rule_id(rule), "code {code}: {rule}");
            }
        }
    }
}
