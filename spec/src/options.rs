//! The [impl-defined] rules of `docs/behaviour.md` and their named options,
//! the reference's first: where the sources leave an implementation free
//! to choose, and what it may choose.

use crate::ErrorCode;

/// One [impl-defined] rule: its id and its options, the reference's first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OptionRule {
    /// The rule's id, e.g. `connect.outcome`.
    pub id: &'static str,
    /// The option names; the first is the reference implementation's.
    pub options: &'static [&'static str],
    /// Why the sources leave it open, in a few words.
    pub why_open: &'static str,
}

impl OptionRule {
    /// The reference implementation's option.
    pub fn reference_option(&self) -> &'static str {
        self.options[0]
    }
}

/// Every [impl-defined] rule of `docs/behaviour.md`, in its table's order.
pub const OPTION_RULES: &[OptionRule] = &[
    OptionRule {
        id: "connect.outcome",
        options: &["accepted", "settled"],
        why_open: "the seed's sample logs success as connected; my.onSocketError reports a failed open through the listener",
    },
    OptionRule {
        id: "connect.failure-close",
        options: &["fired", "silent"],
        why_open: "no source says whether onClose follows a failed handshake",
    },
    OptionRule {
        id: "connect.check-order",
        options: &["url-first", "single-first"],
        why_open: "no source orders the URL checks and the single-connection check",
    },
    OptionRule {
        id: "connect.url.blank",
        options: &["3", "4"],
        why_open: "a URL of white space is empty (3) or unrecognised (4)",
    },
    OptionRule {
        id: "connect.url.relative",
        options: &["4", "5"],
        why_open: "a relative URL is unrecognised (4) or lacks a ws/wss scheme (5)",
    },
    OptionRule {
        id: "connect.url.scheme-case",
        options: &["insensitive", "sensitive"],
        why_open: "RFC 3986 compares schemes case-insensitively; the seed's wording is literal",
    },
    OptionRule {
        id: "connect.wss-only.code",
        options: &["8", "20"],
        why_open: "the seed's note on code 8 against the 2022-11 revision's code 20",
    },
    OptionRule {
        id: "connect.multiple.limit.code",
        options: &["1", "2"],
        why_open: "no source names the code past the limit",
    },
    OptionRule {
        id: "connect.multiple.limit.global",
        options: &["counts", "separate"],
        why_open: "the FAQ says at most 5 instances, not whether the global one counts",
    },
    OptionRule {
        id: "connect.several.global-target",
        options: &["newest", "oldest"],
        why_open: "WeChat's wx.connectSocket page: with several connections open, the wx-prefixed methods may not behave as expected",
    },
    OptionRule {
        id: "connect.protocols",
        options: &["honoured", "ignored"],
        why_open: "the argument is not in the seed; the 2022-11 typings add it",
    },
    OptionRule {
        id: "connect.no-subprotocol",
        options: &["fail-8", "open"],
        why_open: "RFC 6455 lets the server select none; browsers fail",
    },
    OptionRule {
        id: "connect.data.nested",
        options: &["json", "other"],
        why_open: "no source says how a nested value is written in the query",
    },
    OptionRule {
        id: "error.9.code",
        options: &["9", "8"],
        why_open: "code 8, an invalid protocol header, also fits",
    },
    OptionRule {
        id: "send.invalid.code",
        options: &["11", "1", "2"],
        why_open: "the seed's 11 (send failed) against the revision's 2 (invalid argument)",
    },
    OptionRule {
        id: "error.12.close",
        options: &["1009", "1006", "other-code"],
        why_open: "no source says how the socket closes after error 12; RFC 6455 makes 1009 a MAY",
    },
    OptionRule {
        id: "close.not-open.code",
        options: &["10", "1"],
        why_open: "the seed's code 10 names sending only",
    },
    OptionRule {
        id: "close.invalid-code.code",
        options: &["1", "2"],
        why_open: "no source; the revision's 2 is an invalid argument",
    },
    OptionRule {
        id: "close.drop-error",
        options: &["error-then-close", "close-only"],
        why_open: "no source says whether a dropped connection is an error",
    },
    OptionRule {
        id: "close.data-after-close",
        options: &["ignored", "error-then-close"],
        why_open: "RFC 6455 lets a client discard data behind a close frame or fail the connection on it and report the problem",
    },
    OptionRule {
        id: "listeners.during-dispatch",
        options: &["snapshot", "live"],
        why_open: "no source says when a change during dispatch takes effect",
    },
    OptionRule {
        id: "connect.header.reserved",
        options: &["ignored", "refused"],
        why_open: "no source says what a handshake header in `header` does",
    },
    OptionRule {
        id: "error.1.network.code",
        options: &["1", "50"],
        why_open: "the 2022-11 revision's my.onSocketError lists 50, a network fault, beside 1; fixed to 1 in alipay-2022-09 and wechat",
    },
    OptionRule {
        id: "connect.domain.report",
        options: &["fail-1", "event-65", "event-1"],
        why_open: "the seed names no code for a host off the allowed list",
    },
];

/// The [impl-defined] rule of that id.
pub fn option_rule(id: &str) -> Option<&'static OptionRule> {
    OPTION_RULES.iter().find(|r| r.id == id)
}

/// The error code each option of a rule that only chooses a code
/// (`connect.wss-only.code`, …) names, `(rule, option, code)`: the option
/// is the code's number, and the code says which of a number's meanings it
/// is (2 past the task limit is "already connected", 2 for an invalid send
/// is "invalid argument").
pub const OPTION_CODES: &[(&str, &str, ErrorCode)] = &[
    ("connect.url.blank", "3", ErrorCode::UrlEmpty),
    ("connect.url.blank", "4", ErrorCode::UrlFormat),
    ("connect.url.relative", "4", ErrorCode::UrlFormat),
    ("connect.url.relative", "5", ErrorCode::UrlScheme),
    ("connect.wss-only.code", "8", ErrorCode::InvalidHandshake),
    ("connect.wss-only.code", "20", ErrorCode::WssRequired),
    ("connect.multiple.limit.code", "1", ErrorCode::Unknown),
    (
        "connect.multiple.limit.code",
        "2",
        ErrorCode::AlreadyConnected,
    ),
    ("error.9.code", "9", ErrorCode::ProtocolUnrequested),
    ("error.9.code", "8", ErrorCode::InvalidHandshake),
    ("send.invalid.code", "11", ErrorCode::SendFailed),
    ("send.invalid.code", "1", ErrorCode::Unknown),
    ("send.invalid.code", "2", ErrorCode::InvalidArgument),
    ("close.not-open.code", "10", ErrorCode::NotOpen),
    ("close.not-open.code", "1", ErrorCode::Unknown),
    ("close.invalid-code.code", "1", ErrorCode::Unknown),
    ("close.invalid-code.code", "2", ErrorCode::InvalidArgument),
    ("error.1.network.code", "1", ErrorCode::Unknown),
    ("error.1.network.code", "50", ErrorCode::NetworkFault),
];

/// The error code `option` of `rule` names, where the rule only chooses a
/// code ([`OPTION_CODES`]).
pub fn option_code(rule: &str, option: &str) -> Option<ErrorCode> {
    OPTION_CODES
        .iter()
        .find(|(r, o, _)| *r == rule && *o == option)
        .map(|(_, _, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_of_a_code_rule_names_one_code_of_its_number() {
        for rule in OPTION_RULES.iter().filter(|r| r.id.ends_with(".code")) {
            for option in rule.options {
                let code = option_code(rule.id, option)
                    .unwrap_or_else(|| panic!("{}={option} names no code", rule.id));
                assert_eq!(code.code().to_string(), *option, "{}", rule.id);
            }
        }
        for (rule, option, _) in OPTION_CODES {
            let r = option_rule(rule).unwrap_or_else(|| panic!("{rule}"));
            assert!(r.options.contains(option), "{rule}={option}");
        }
    }

    #[test]
    fn every_rule_has_at_least_two_options_and_unique_ids() {
        let mut ids: Vec<&str> = OPTION_RULES.iter().map(|r| r.id).collect();
        for r in OPTION_RULES {
            assert!(r.options.len() >= 2, "{}", r.id);
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), OPTION_RULES.len());
    }

    /// `docs/behaviour.md` is the normative text: its `Options:` lines and
    /// this table must say the same.
    #[test]
    fn the_table_is_the_normative_documents() {
        let doc = include_str!("../../docs/behaviour.md");
        let mut heading = "";
        let mut documented: Vec<(String, Vec<String>)> = Vec::new();
        for line in doc.lines() {
            if let Some(rest) = line
                .strip_prefix("### `")
                .or_else(|| line.strip_prefix("#### `"))
            {
                heading = rest.trim_end_matches('`');
            } else if let Some(rest) = line.strip_prefix("Options: ") {
                let options = rest
                    .split(", ")
                    .map(|o| {
                        o.trim_end_matches(" (reference)")
                            .trim_matches('`')
                            .to_string()
                    })
                    .collect();
                documented.push((heading.to_string(), options));
            }
        }
        let ours: Vec<(String, Vec<String>)> = OPTION_RULES
            .iter()
            .map(|r| {
                (
                    r.id.to_string(),
                    r.options.iter().map(|o| o.to_string()).collect(),
                )
            })
            .collect();
        let mut sorted_doc = documented.clone();
        sorted_doc.sort();
        let mut sorted_ours = ours.clone();
        sorted_ours.sort();
        assert_eq!(
            sorted_doc, sorted_ours,
            "docs/behaviour.md's Options lines differ from OPTION_RULES"
        );
    }
}
