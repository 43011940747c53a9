//! The rule ids of `docs/behaviour.md`, in the order the reports list
//! them, and what each rests on: its `Source:` line in that document, the
//! normative text, read from it as the crate is built.

use std::sync::OnceLock;

/// Every rule id of `docs/behaviour.md` (its level-3 headings), in the
/// order the reports and `docs/spec-coverage.md` list them.
pub const RULE_IDS: [&str; 56] = [
    "order.async",
    "connect.url.empty",
    "connect.url.format",
    "connect.url.scheme",
    "connect.wss-only",
    "connect.single.exists",
    "connect.multiple.limit",
    "connect.success",
    "connect.return",
    "connect.listener-in-success",
    "connect.data",
    "connect.header",
    "connect.open",
    "error.6.timeout",
    "error.7.cert",
    "error.9.protocol-unrequested",
    "error.8.handshake",
    "error.1.network",
    "send.not-open",
    "send.invalid",
    "send.too-large",
    "send.text",
    "send.binary",
    "receive.text",
    "receive.binary",
    "receive.fragmented",
    "error.12.memory",
    "close.not-open",
    "close.invalid-code",
    "close.connecting",
    "close.open",
    "close.no-answer",
    "close.server",
    "close.drop",
    "connect.single.reopen",
    "listeners.order",
    "listeners.twice",
    "listeners.off-one",
    "listeners.off-all",
    "listeners.global-persist",
    "listeners.scope",
    "listeners.during-dispatch",
    "task.api",
    "task.independent",
    "task.limit",
    "connect.concurrency",
    "task.broadcast",
    "order.callbacks-first",
    "task.send-in-open",
    "close.nothing-after",
    "connect.no-subprotocol",
    "options.consistent",
    "connect.domain",
    "callbacks.one-outcome",
    "callbacks.complete-once",
    "receive.order",
];

/// Every rule id, as [`RULE_IDS`].
pub fn rule_ids() -> &'static [&'static str] {
    &RULE_IDS
}

/// Whether `id` is a rule id of `docs/behaviour.md`.
pub fn is_rule_id(id: &str) -> bool {
    RULE_IDS.contains(&id)
}

/// The rules checked by the run as a whole rather than by one scenario
/// (`options.consistent`: one option per rule over every scenario).
pub const RUN_LEVEL_RULES: [&str; 1] = ["options.consistent"];

/// `docs/behaviour.md`, the normative text: each rule's `Source:` line is
/// read from it.
const BEHAVIOUR_MD: &str = include_str!("../../docs/behaviour.md");

/// What a rule rests on: its `Source:` text in `docs/behaviour.md`, its
/// lines joined by spaces.
pub fn rule_source(id: &str) -> Option<&'static str> {
    static SOURCES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    SOURCES
        .get_or_init(|| {
            let mut out = Vec::new();
            let mut heading: Option<&'static str> = None;
            let mut lines = BEHAVIOUR_MD.lines().peekable();
            while let Some(line) = lines.next() {
                if let Some(id) = line.strip_prefix("### `").and_then(|l| l.strip_suffix('`')) {
                    heading = Some(id);
                } else if line.starts_with('#') {
                    heading = None;
                } else if let (Some(id), Some(first)) = (heading, line.strip_prefix("Source: ")) {
                    let mut text = first.to_string();
                    while let Some(next) = lines.peek().filter(|l| !l.trim().is_empty()) {
                        text.push(' ');
                        text.push_str(next.trim());
                        lines.next();
                    }
                    out.push((id, text));
                    heading = None;
                }
            }
            out
        })
        .iter()
        .find(|(rule, _)| *rule == id)
        .map(|(_, text)| text.as_str())
}

/// The source tags of a rule (`[seed]`, `[RFC 6455]`, `[page: my.offSocketOpen]`, …),
/// in the order its `Source:` text names them.
pub fn source_tags(id: &str) -> Vec<&'static str> {
    let Some(text) = rule_source(id) else {
        return Vec::new();
    };
    let mut tags = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        let Some(len) = rest[start..].find(']') else {
            break;
        };
        let tag = &rest[start..start + len + 1];
        if !tags.contains(&tag) {
            tags.push(tag);
        }
        rest = &rest[start + len + 1..];
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_list_starts_with_order_async() {
        assert_eq!(rule_ids().len(), 56);
        assert_eq!(rule_ids()[0], "order.async");
        assert!(is_rule_id("connect.domain"));
        assert!(
            !is_rule_id("connect.outcome"),
            "an [impl-defined] rule is not a rule id"
        );
    }

    #[test]
    fn every_rule_is_defined_once_in_the_normative_document() {
        let mut defined: Vec<&str> = BEHAVIOUR_MD
            .lines()
            .filter_map(|l| l.strip_prefix("### `")?.strip_suffix('`'))
            .collect();
        defined.sort();
        let mut ours = rule_ids().to_vec();
        ours.sort();
        assert_eq!(
            defined, ours,
            "docs/behaviour.md's rule headings differ from spec's RULE_IDS"
        );
    }

    #[test]
    fn every_rule_names_its_source() {
        for rule in rule_ids() {
            assert!(
                !source_tags(rule).is_empty(),
                "{rule}: no [source] in docs/behaviour.md"
            );
        }
        assert!(source_tags("connect.url.empty").contains(&"[seed]"));
    }
}
