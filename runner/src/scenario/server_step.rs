//! `server` steps: what the mock server does to the session's
//! connections, and their YAML form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A mock-server action: exactly one of `text`, `binary`, `textBytes`,
/// `binaryBytes`, `close`, `drop`, aimed at `to` (a connection), `room`, or
/// by default every connection of the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawServerStep", into = "RawServerStep")]
pub struct ServerStep {
    /// Whom the action is for.
    pub target: ServerTarget,
    /// What to do.
    pub action: ServerAction,
}

/// Whom a server action is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTarget {
    /// The n-th connection of the session (1-based, in handshake order).
    Conn(u32),
    /// Every member of a broadcast room.
    Room(String),
    /// Every connection of the session.
    All,
}

/// What the mock server does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAction {
    /// Push a message.
    Send(ServerPayload),
    /// Close with a close frame.
    Close {
        /// The code.
        code: u16,
        /// The reason.
        reason: String,
    },
    /// End the connection without a close frame.
    Drop {
        /// `true`: reset (RST); `false`: FIN.
        reset: bool,
    },
}

/// A message the mock server pushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerPayload {
    /// One text frame.
    Text(String),
    /// One binary frame.
    Binary(Vec<u8>),
    /// A text message of this many bytes.
    TextBytes(usize),
    /// A binary message of this many bytes.
    BinaryBytes(usize),
    /// A text message split into this many frames.
    Fragmented {
        /// The whole message.
        text: String,
        /// How many frames.
        fragments: u32,
    },
}

/// The YAML form of [`ServerStep`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawServerStep {
    /// The n-th connection of the session (1-based, in handshake order);
    /// default: every connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    /// Every member of this broadcast room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Push this text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// With `text`: send it in this many frames (a fragmented message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragments: Option<u32>,
    /// Push this binary message (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
    /// Push a text message of this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_bytes: Option<usize>,
    /// Push a binary message of this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_bytes: Option<usize>,
    /// Close with this code and reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<CloseSpec>,
    /// End the connection without a close frame: `fin` or `rst`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<DropHow>,
}

/// A close frame's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseSpec {
    /// The close code.
    pub code: u16,
    /// The reason (default empty).
    #[serde(default)]
    pub reason: String,
}

/// How a connection is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DropHow {
    /// A TCP FIN.
    Fin,
    /// A TCP reset.
    Rst,
}

impl TryFrom<RawServerStep> for ServerStep {
    type Error = String;
    fn try_from(raw: RawServerStep) -> Result<Self, String> {
        use base64::Engine as _;
        let target = match (raw.to, raw.room) {
            (Some(_), Some(_)) => return Err("a server step takes `to` or `room`, not both".into()),
            (Some(0), None) => return Err("`to` counts connections from 1".into()),
            (Some(n), None) => ServerTarget::Conn(n),
            (None, Some(room)) => ServerTarget::Room(room),
            (None, None) => ServerTarget::All,
        };
        let mut actions = Vec::new();
        if let Some(text) = raw.text {
            actions.push(ServerAction::Send(match raw.fragments {
                Some(fragments) => ServerPayload::Fragmented { text, fragments },
                None => ServerPayload::Text(text),
            }));
        } else if raw.fragments.is_some() {
            return Err("`fragments` goes with `text`".into());
        }
        if let Some(b64) = raw.binary {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| format!("`binary` is not base64: {e}"))?;
            actions.push(ServerAction::Send(ServerPayload::Binary(bytes)));
        }
        if let Some(n) = raw.text_bytes {
            actions.push(ServerAction::Send(ServerPayload::TextBytes(n)));
        }
        if let Some(n) = raw.binary_bytes {
            actions.push(ServerAction::Send(ServerPayload::BinaryBytes(n)));
        }
        if let Some(close) = raw.close {
            actions.push(ServerAction::Close {
                code: close.code,
                reason: close.reason,
            });
        }
        if let Some(how) = raw.drop {
            actions.push(ServerAction::Drop {
                reset: how == DropHow::Rst,
            });
        }
        if actions.len() != 1 {
            return Err(format!(
                "a server step needs exactly one of `text`, `binary`, `textBytes`, `binaryBytes`, `close`, `drop` (found {})",
                actions.len()
            ));
        }
        Ok(ServerStep {
            target,
            action: actions.remove(0),
        })
    }
}

impl From<ServerStep> for RawServerStep {
    fn from(step: ServerStep) -> Self {
        use base64::Engine as _;
        let mut raw = RawServerStep::default();
        match step.target {
            ServerTarget::Conn(n) => raw.to = Some(n),
            ServerTarget::Room(r) => raw.room = Some(r),
            ServerTarget::All => {}
        }
        match step.action {
            ServerAction::Send(ServerPayload::Text(t)) => raw.text = Some(t),
            ServerAction::Send(ServerPayload::Fragmented { text, fragments }) => {
                raw.text = Some(text);
                raw.fragments = Some(fragments);
            }
            ServerAction::Send(ServerPayload::Binary(b)) => {
                raw.binary = Some(base64::engine::general_purpose::STANDARD.encode(b))
            }
            ServerAction::Send(ServerPayload::TextBytes(n)) => raw.text_bytes = Some(n),
            ServerAction::Send(ServerPayload::BinaryBytes(n)) => raw.binary_bytes = Some(n),
            ServerAction::Close { code, reason } => raw.close = Some(CloseSpec { code, reason }),
            ServerAction::Drop { reset } => {
                raw.drop = Some(if reset { DropHow::Rst } else { DropHow::Fin })
            }
        }
        raw
    }
}
