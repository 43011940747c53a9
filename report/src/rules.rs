//! The rule ids of `behaviour.md` and its error-code table, kept as data,
//! and the views of a report per rule and per error code.

use std::sync::OnceLock;

use crate::model::{RunReport, Status, Totals};

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

/// `docs/behaviour.md`, the normative text: each rule's `Source:` line is
/// read from it.
const BEHAVIOUR_MD: &str = include_str!("../../docs/behaviour.md");

/// The rules checked by the run as a whole rather than by one scenario
/// (`options.consistent`: one option per rule over every scenario).
pub const RUN_LEVEL_RULES: [&str; 1] = ["options.consistent"];

/// What a rule rests on: its `Source:` text in `docs/behaviour.md`.
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
                } else if line.starts_with("#") {
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

/// One error code of `behaviour.md`'s table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The code, 1–12.
    pub code: u32,
    /// The seed's meaning.
    pub meaning: &'static str,
    /// The rule ids whose scenarios produce it.
    pub rules: &'static [&'static str],
}

/// The error codes 1–12 with the seed's meaning and the rules that produce
/// them (`behaviour.md`, "Error codes"). Code 1 also lists
/// `close.invalid-code`, whose row in `behaviour.md` fails with 1, as the
/// runner's coverage table does.
pub const ERROR_CODES: [ErrorCode; 12] = [
    ErrorCode {
        code: 1,
        meaning: "unknown error",
        rules: &[
            "error.1.network",
            "close.drop",
            "connect.multiple.limit",
            "close.invalid-code",
        ],
    },
    ErrorCode {
        code: 2,
        meaning: "connection already exists",
        rules: &["connect.single.exists"],
    },
    ErrorCode {
        code: 3,
        meaning: "URL empty",
        rules: &["connect.url.empty"],
    },
    ErrorCode {
        code: 4,
        meaning: "URL format not recognised",
        rules: &["connect.url.format"],
    },
    ErrorCode {
        code: 5,
        meaning: "URL must start with ws or wss",
        rules: &["connect.url.scheme"],
    },
    ErrorCode {
        code: 6,
        meaning: "connect timeout",
        rules: &["error.6.timeout"],
    },
    ErrorCode {
        code: 7,
        meaning: "invalid certificate",
        rules: &["error.7.cert"],
    },
    ErrorCode {
        code: 8,
        meaning: "invalid protocol header in the response",
        rules: &["error.8.handshake", "connect.wss-only"],
    },
    ErrorCode {
        code: 9,
        meaning: "request did not specify Sec-WebSocket-Protocol",
        rules: &["error.9.protocol-unrequested"],
    },
    ErrorCode {
        code: 10,
        meaning: "connection not open, cannot send",
        rules: &["send.not-open", "close.not-open"],
    },
    ErrorCode {
        code: 11,
        meaning: "message send failed",
        rules: &["send.invalid", "send.too-large"],
    },
    ErrorCode {
        code: 12,
        meaning: "cannot allocate memory to read network data",
        rules: &["error.12.memory"],
    },
];

/// A rule id and how the report's scenarios that name it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    /// The rule id.
    pub rule: String,
    /// The worst status of its scenarios; `None` when no scenario names it
    /// ("uncovered").
    pub status: Option<Status>,
    /// Its scenarios' statuses counted.
    pub counts: Totals,
    /// Whether the id is in `rules.txt` (a scenario may name an unknown
    /// id; it is listed after the known ones, never hidden).
    pub known: bool,
}

/// An error code and how the scenarios of its rules ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The code, its meaning and rules.
    pub code: ErrorCode,
    /// The worst status of the scenarios that name one of its rules; `None`
    /// when there is none ("uncovered").
    pub status: Option<Status>,
    /// Those scenarios' statuses counted (each scenario once).
    pub counts: Totals,
}

fn worst(counts: &Totals) -> Option<Status> {
    Status::ALL
        .iter()
        .rev()
        .copied()
        .find(|s| counts.get(*s) > 0)
}

/// One row per rule id of `rules.txt`, in its order, then any other id the
/// scenarios name.
pub fn rule_rows(report: &RunReport) -> Vec<RuleRow> {
    let mut ids: Vec<(String, bool)> = rule_ids().iter().map(|r| (r.to_string(), true)).collect();
    for s in &report.scenarios {
        for r in &s.rules {
            if !ids.iter().any(|(id, _)| id == r) {
                ids.push((r.clone(), false));
            }
        }
    }
    ids.into_iter()
        .map(|(rule, known)| {
            let counts = Totals::count(report.scenarios.iter().filter(|s| s.rules.contains(&rule)));
            RuleRow {
                status: worst(&counts),
                rule,
                counts,
                known,
            }
        })
        .collect()
}

/// One row per error code 1–12.
pub fn code_rows(report: &RunReport) -> Vec<CodeRow> {
    ERROR_CODES
        .iter()
        .map(|code| {
            let counts = Totals::count(
                report
                    .scenarios
                    .iter()
                    .filter(|s| s.rules.iter().any(|r| code.rules.contains(&r.as_str()))),
            );
            CodeRow {
                code: *code,
                status: worst(&counts),
                counts,
            }
        })
        .collect()
}

/// The label of a matrix cell: the status's, or `uncovered`.
pub fn cell_label(status: Option<Status>) -> &'static str {
    status.map_or("uncovered", Status::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_list_is_read_from_data() {
        assert_eq!(rule_ids().len(), 52);
        assert_eq!(rule_ids()[0], "order.async");
    }

    #[test]
    fn the_rule_list_is_the_designs_where_the_design_is_at_hand() {
        // The list is a copy of `shared/design/rules.txt`, which sits beside
        // the project's checkout on the developers' machines and in CI.
        let design =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/design/rules.txt");
        if let Ok(theirs) = std::fs::read_to_string(&design) {
            assert_eq!(
                RULES_TXT,
                theirs,
                "report/src/rules.txt differs from {}",
                design.display()
            );
        }
    }

    #[test]
    fn every_rule_is_defined_once_in_the_normative_document() {
        let doc = include_str!("../../docs/behaviour.md");
        let mut defined: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("### `")?.strip_suffix('`'))
            .collect();
        defined.sort();
        let mut ours = rule_ids().to_vec();
        ours.sort();
        assert_eq!(
            defined, ours,
            "docs/behaviour.md's rule headings differ from rules.txt"
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

    #[test]
    fn every_rule_named_by_the_error_table_exists() {
        for code in ERROR_CODES {
            for rule in code.rules {
                assert!(rule_ids().contains(rule), "code {}: {rule}", code.code);
            }
        }
    }
}
