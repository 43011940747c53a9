//! The path scheme: `/s/{session}/{behaviour}/{arguments...}/{key=value...}`.

mod segment;

use std::time::Duration;

use segment::{close_code, decode, drop_mode, header_value, hex, number, size};

use crate::action::{DropMode, Payload};

/// Every behaviour name, as the first segment of a path.
pub(crate) const BEHAVIOURS: &[&str] = &[
    "echo",
    "silent",
    "broadcast",
    "broadcast-others",
    "send-on-open",
    "close-on-open",
    "close-on-open-then-text",
    "drop-on-open",
    "stop-reading",
    "fault",
];

/// Every option key (`key=value` segments, with any behaviour).
pub(crate) const OPTIONS: &[&str] = &[
    "delay-ms",
    "close-answer",
    "close-answer-reason",
    "close-after",
    "close-code",
    "close-reason",
    "drop-after",
    "drop",
    "protocol",
    "connection",
];

/// Why a connection's path could not be turned into a behaviour.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The path does not start with `/s/{session}/`.
    #[error("path {path:?} does not start with /s/{{session}}/{{behaviour}}")]
    NotASessionPath {
        /// The path as received.
        path: String,
    },
    /// The session id is not known to the server.
    #[error("no session with id {id:?}")]
    UnknownSession {
        /// The id in the path.
        id: String,
    },
    /// The behaviour name is not one the server knows.
    #[error("unknown behaviour {name:?} (known: {})", BEHAVIOURS.join(", "))]
    UnknownBehaviour {
        /// The name in the path.
        name: String,
    },
    /// A behaviour lacks one of its path segments.
    #[error("behaviour {behaviour} needs {what}")]
    Missing {
        /// The behaviour.
        behaviour: String,
        /// What is missing, e.g. `a room name`.
        what: String,
    },
    /// A segment holds a value that does not parse.
    #[error("invalid {what} {value:?}: {why}")]
    Invalid {
        /// What the segment is, e.g. `close code`.
        what: String,
        /// The segment as received.
        value: String,
        /// Why it is not accepted.
        why: String,
    },
    /// An option segment (`key=value`) names an unknown option.
    #[error("unknown option {key:?} (known: {})", OPTIONS.join(", "))]
    UnknownOption {
        /// The key.
        key: String,
    },
}

/// What the server does with a connection, from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) behaviour: Behaviour,
    pub(crate) options: PathOptions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Echo,
    Silent,
    Broadcast {
        room: String,
        others: bool,
    },
    SendOnOpen(Payload),
    CloseOnOpen {
        code: Option<u16>,
        reason: String,
    },
    /// A close frame and, in the same write, a text frame behind it.
    CloseOnOpenThenText {
        code: Option<u16>,
        reason: String,
        text: String,
    },
    DropOnOpen(DropMode),
    StopReading,
    Fault(Fault),
}

/// A deliberately broken handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    NeverAnswer,
    ProtocolUnrequested,
    ProtocolMissing,
    ProtocolNotOffered,
    WrongAccept,
    MissingAccept,
    NoUpgrade,
    WrongUpgrade,
    NoConnection,
    WrongConnection,
    Status(u16),
    NotHttp,
}

impl Fault {
    pub(crate) fn name(self) -> String {
        match self {
            Fault::NeverAnswer => "never-answer".into(),
            Fault::ProtocolUnrequested => "protocol-unrequested".into(),
            Fault::ProtocolMissing => "protocol-missing".into(),
            Fault::ProtocolNotOffered => "protocol-not-offered".into(),
            Fault::WrongAccept => "wrong-accept".into(),
            Fault::MissingAccept => "missing-accept".into(),
            Fault::NoUpgrade => "no-upgrade".into(),
            Fault::WrongUpgrade => "wrong-upgrade".into(),
            Fault::NoConnection => "no-connection".into(),
            Fault::WrongConnection => "wrong-connection".into(),
            Fault::Status(code) => format!("status/{code}"),
            Fault::NotHttp => "not-http".into(),
        }
    }
}

/// How the server answers a close frame from the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum CloseAnswer {
    /// The same code and reason (RFC 6455's usual answer).
    #[default]
    Same,
    /// Another code (and `close-answer-reason`).
    Code(u16),
    /// No answer: the server waits for the client to drop the connection.
    Never,
    /// A close frame without a body (no code, no reason), written by hand.
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathOptions {
    pub(crate) delay: Option<Duration>,
    pub(crate) close_answer: CloseAnswer,
    pub(crate) close_answer_reason: String,
    pub(crate) close_after: Option<u64>,
    pub(crate) close_code: Option<u16>,
    pub(crate) close_reason: String,
    pub(crate) drop_after: Option<u64>,
    pub(crate) drop_mode: DropMode,
    /// The subprotocol a good 101 selects, offered or not (default: the
    /// first one offered).
    pub(crate) protocol: Option<String>,
    /// The `Connection` value of a good 101 (default `Upgrade`), e.g. the
    /// token list `keep-alive, Upgrade` that RFC 6455 also allows.
    pub(crate) connection: Option<String>,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            delay: None,
            close_answer: CloseAnswer::Same,
            close_answer_reason: String::new(),
            close_after: None,
            close_code: Some(1000),
            close_reason: String::new(),
            drop_after: None,
            drop_mode: DropMode::Fin,
            protocol: None,
            connection: None,
        }
    }
}

/// The text `close-on-open-then-text` sends behind its close frame when the
/// path names none.
pub const TEXT_AFTER_CLOSE: &str = "after close";

/// Splits `/s/{session}/rest` into the session id and the rest.
pub(crate) fn split_session(path: &str) -> Result<(&str, &str), PathError> {
    let not = || PathError::NotASessionPath {
        path: path.to_owned(),
    };
    let rest = path.strip_prefix("/s/").ok_or_else(not)?;
    let (id, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if id.is_empty() {
        return Err(not());
    }
    Ok((id, rest))
}

/// Parses what follows `/s/{session}/`.
pub(crate) fn parse_plan(rest: &str) -> Result<Plan, PathError> {
    let mut segs = rest.split('/').filter(|s| !s.is_empty()).peekable();
    let name = segs.next().ok_or_else(|| PathError::UnknownBehaviour {
        name: String::new(),
    })?;
    let missing = |what: &str| PathError::Missing {
        behaviour: name.to_owned(),
        what: what.to_owned(),
    };
    // Positional segments are those without '='.
    let mut positional = std::iter::from_fn(|| segs.next_if(|s| !s.contains('=')));
    let mut next = |what: &str| positional.next().ok_or_else(|| missing(what));
    let behaviour = match name {
        "echo" => Behaviour::Echo,
        "silent" => Behaviour::Silent,
        "stop-reading" => Behaviour::StopReading,
        "broadcast" | "broadcast-others" => Behaviour::Broadcast {
            room: decode("room", next("a room name")?)?,
            others: name == "broadcast-others",
        },
        "send-on-open" => {
            let kind = next("a message kind (text, binary, text-bytes, binary-bytes, fragmented, fragmented-binary)")?;
            Behaviour::SendOnOpen(match kind {
                "text" => Payload::Text(decode("text", next("a percent-encoded text")?)?),
                "binary" => Payload::Binary(hex("binary", next("hex bytes")?)?),
                "text-bytes" => Payload::TextBytes(size("text-bytes", next("a length in bytes")?)?),
                "binary-bytes" => Payload::BinaryBytes(size("binary-bytes", next("a length in bytes")?)?),
                "fragmented" => {
                    let fragments = number::<u32>("fragment count", next("a fragment count")?)?;
                    let text = decode("text", next("a percent-encoded text")?)?;
                    Payload::Fragmented { text, fragments: fragments.max(1) }
                }
                "fragmented-binary" => {
                    let fragments = number::<u32>("fragment count", next("a fragment count")?)?;
                    let data = hex("binary", next("hex bytes")?)?;
                    Payload::FragmentedBinary { data, fragments: fragments.max(1) }
                }
                other => {
                    return Err(PathError::Invalid {
                        what: "message kind".into(),
                        value: other.into(),
                        why: "expected text, binary, text-bytes, binary-bytes, fragmented or fragmented-binary".into(),
                    })
                }
            })
        }
        "close-on-open" => {
            let code = close_code(next("a close code (or none)")?)?;
            let reason = match positional.next() {
                Some(r) => decode("close reason", r)?,
                None => String::new(),
            };
            Behaviour::CloseOnOpen { code, reason }
        }
        "close-on-open-then-text" => {
            let code = close_code(next("a close code (or none)")?)?;
            let reason = match positional.next() {
                Some(r) => decode("close reason", r)?,
                None => String::new(),
            };
            let text = match positional.next() {
                Some(t) => decode("text", t)?,
                None => TEXT_AFTER_CLOSE.to_owned(),
            };
            Behaviour::CloseOnOpenThenText { code, reason, text }
        }
        "drop-on-open" => Behaviour::DropOnOpen(drop_mode(next("fin or rst")?)?),
        "fault" => {
            let fault = next("a fault name")?;
            Behaviour::Fault(match fault {
                "never-answer" => Fault::NeverAnswer,
                "protocol-unrequested" => Fault::ProtocolUnrequested,
                "protocol-missing" => Fault::ProtocolMissing,
                "protocol-not-offered" => Fault::ProtocolNotOffered,
                "wrong-accept" => Fault::WrongAccept,
                "missing-accept" => Fault::MissingAccept,
                "no-upgrade" => Fault::NoUpgrade,
                "wrong-upgrade" => Fault::WrongUpgrade,
                "no-connection" => Fault::NoConnection,
                "wrong-connection" => Fault::WrongConnection,
                "not-http" => Fault::NotHttp,
                "status" => {
                    let code: u16 = number("status code", next("a status code")?)?;
                    if !(100..=999).contains(&code) || code == 101 {
                        return Err(PathError::Invalid {
                            what: "status code".into(),
                            value: code.to_string(),
                            why: "expected a three-digit code other than 101".into(),
                        });
                    }
                    Fault::Status(code)
                }
                other => {
                    return Err(PathError::Invalid {
                        what: "fault".into(),
                        value: other.into(),
                        why: "expected never-answer, protocol-unrequested, protocol-missing, protocol-not-offered, wrong-accept, missing-accept, no-upgrade, wrong-upgrade, no-connection, wrong-connection, status/{code} or not-http".into(),
                    })
                }
            })
        }
        other => {
            return Err(PathError::UnknownBehaviour {
                name: other.to_owned(),
            })
        }
    };
    if let Some(extra) = positional.next() {
        return Err(PathError::Invalid {
            what: format!("segment after {name}"),
            value: extra.to_owned(),
            why: "unexpected; options are key=value".into(),
        });
    }
    let mut options = PathOptions::default();
    for seg in segs {
        let (key, value) = seg.split_once('=').unwrap_or((seg, ""));
        match key {
            "delay-ms" => options.delay = Some(Duration::from_millis(number("delay-ms", value)?)),
            "close-answer" => {
                options.close_answer = match value {
                    "same" => CloseAnswer::Same,
                    "never" => CloseAnswer::Never,
                    "none" => CloseAnswer::Empty,
                    code => CloseAnswer::Code(number("close-answer code", code)?),
                }
            }
            "close-answer-reason" => {
                options.close_answer_reason = decode("close-answer-reason", value)?
            }
            "close-after" => options.close_after = Some(number("close-after", value)?),
            "close-code" => options.close_code = close_code(value)?,
            "close-reason" => options.close_reason = decode("close-reason", value)?,
            "drop-after" => options.drop_after = Some(number("drop-after", value)?),
            "drop" => options.drop_mode = drop_mode(value)?,
            "protocol" => options.protocol = Some(header_value("protocol", value)?),
            "connection" => options.connection = Some(header_value("connection", value)?),
            _ => {
                return Err(PathError::UnknownOption {
                    key: key.to_owned(),
                })
            }
        }
    }
    Ok(Plan { behaviour, options })
}

/// A connection path as the server reads it: the session id and what the
/// server would do (see the crate doc's path scheme). For tests and
/// fuzzing; the server itself also looks the session up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    session: String,
    plan: Plan,
}

impl Route {
    /// The session id, the segment after `/s/`.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// The behaviour's name (`echo`, `fault`, …), as in the path.
    pub fn behaviour_name(&self) -> &'static str {
        match &self.plan.behaviour {
            Behaviour::Echo => "echo",
            Behaviour::Silent => "silent",
            Behaviour::Broadcast { others: false, .. } => "broadcast",
            Behaviour::Broadcast { others: true, .. } => "broadcast-others",
            Behaviour::SendOnOpen(_) => "send-on-open",
            Behaviour::CloseOnOpen { .. } => "close-on-open",
            Behaviour::CloseOnOpenThenText { .. } => "close-on-open-then-text",
            Behaviour::DropOnOpen(_) => "drop-on-open",
            Behaviour::StopReading => "stop-reading",
            Behaviour::Fault(_) => "fault",
        }
    }

    /// The fault's name (`wrong-accept`, `status/403`, …) when the
    /// behaviour is `fault`.
    pub fn fault_name(&self) -> Option<String> {
        match self.plan.behaviour {
            Behaviour::Fault(fault) => Some(fault.name()),
            _ => None,
        }
    }
}

/// Parses a request path (without its query) the way the server routes a
/// connection: `/s/{session}/{behaviour}/...`.
///
/// # Errors
///
/// The [`PathError`] the server would answer with `404` or `400`.
pub fn parse_route(path: &str) -> Result<Route, PathError> {
    let (session, rest) = split_session(path)?;
    Ok(Route {
        session: session.to_owned(),
        plan: parse_plan(rest)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_lists_match_the_parser() {
        for name in BEHAVIOURS {
            match parse_plan(name) {
                Ok(_) | Err(PathError::Missing { .. }) => {}
                Err(e) => panic!("{name}: {e}"),
            }
        }
        for key in OPTIONS {
            match parse_plan(&format!("echo/{key}=x")) {
                Ok(_) | Err(PathError::Invalid { .. }) => {}
                Err(e) => panic!("{key}: {e}"),
            }
        }
    }

    #[test]
    fn header_options_are_decoded_and_refuse_control_characters() {
        let plan = parse_plan("echo/connection=keep-alive,%20Upgrade").unwrap();
        assert_eq!(
            plan.options.connection.as_deref(),
            Some("keep-alive, Upgrade")
        );
        let e = parse_plan("echo/protocol=a%0D%0AX-Injected:%201").unwrap_err();
        assert!(e.to_string().contains("control characters"), "{e}");
    }

    #[test]
    fn every_behaviour_parses_from_its_path() {
        assert_eq!(parse_plan("echo").unwrap().behaviour, Behaviour::Echo);
        assert_eq!(
            parse_plan("broadcast-others/r%201").unwrap().behaviour,
            Behaviour::Broadcast {
                room: "r 1".into(),
                others: true
            }
        );
        assert_eq!(
            parse_plan("send-on-open/fragmented/3/hello")
                .unwrap()
                .behaviour,
            Behaviour::SendOnOpen(Payload::Fragmented {
                text: "hello".into(),
                fragments: 3
            })
        );
        assert_eq!(
            parse_plan("send-on-open/binary/00ff").unwrap().behaviour,
            Behaviour::SendOnOpen(Payload::Binary(vec![0, 255]))
        );
        assert_eq!(
            parse_plan("close-on-open/4000/bye%20now")
                .unwrap()
                .behaviour,
            Behaviour::CloseOnOpen {
                code: Some(4000),
                reason: "bye now".into()
            }
        );
        assert_eq!(
            parse_plan("close-on-open-then-text/4000/bye/late%20text")
                .unwrap()
                .behaviour,
            Behaviour::CloseOnOpenThenText {
                code: Some(4000),
                reason: "bye".into(),
                text: "late text".into()
            }
        );
        assert_eq!(
            parse_plan("close-on-open-then-text/none")
                .unwrap()
                .behaviour,
            Behaviour::CloseOnOpenThenText {
                code: None,
                reason: String::new(),
                text: TEXT_AFTER_CLOSE.into()
            }
        );
        assert_eq!(
            parse_plan("fault/status/403").unwrap().behaviour,
            Behaviour::Fault(Fault::Status(403))
        );
        let p =
            parse_plan("echo/close-answer=4001/close-answer-reason=x/delay-ms=20/close-after=2")
                .unwrap();
        assert_eq!(p.options.close_answer, CloseAnswer::Code(4001));
        assert_eq!(p.options.delay, Some(Duration::from_millis(20)));
        assert_eq!(p.options.close_after, Some(2));
        assert_eq!(p.options.close_code, Some(1000));
    }

    #[test]
    fn bad_paths_say_what_is_wrong() {
        assert_eq!(
            parse_plan("nope").unwrap_err(),
            PathError::UnknownBehaviour {
                name: "nope".into()
            }
        );
        assert!(parse_plan("broadcast")
            .unwrap_err()
            .to_string()
            .contains("a room name"));
        assert!(parse_plan("echo/wat=1")
            .unwrap_err()
            .to_string()
            .contains("unknown option \"wat\""));
        assert!(parse_plan("send-on-open/binary-bytes/99999999999")
            .unwrap_err()
            .to_string()
            .contains("larger than"));
        assert!(parse_plan("echo/extra")
            .unwrap_err()
            .to_string()
            .contains("unexpected"));
        assert!(split_session("/x/y").is_err());
        assert!(parse_plan("send-on-open/binary/0\u{e9}0")
            .unwrap_err()
            .to_string()
            .contains("not hex"));
        assert!(parse_plan("send-on-open/binary/+f")
            .unwrap_err()
            .to_string()
            .contains("not hex"));
        assert_eq!(split_session("/s/s1/echo").unwrap(), ("s1", "echo"));
    }
}
