//! Server actions: what a test (or the control API) asks the server to do to
//! live connections, and the messages it can send.

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Largest message the server builds from a size (`textBytes`, `binaryBytes`,
/// `send-on-open/.../N`): 64 MiB.
pub const MAX_GENERATED_BYTES: usize = 64 * 1024 * 1024;

/// A message the server sends.
///
/// JSON is externally tagged: `{"text": "hi"}`, `{"binary": "AAEC"}` (base64),
/// `{"textBytes": 70000}`, `{"binaryBytes": 70000}`,
/// `{"fragmented": {"text": "hello", "fragments": 3}}`,
/// `{"fragmentedBinary": {"data": "AAEC", "fragments": 2}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Payload {
    /// One text frame.
    Text(String),
    /// One binary frame (base64 in JSON).
    Binary(#[serde(with = "base64_bytes")] Vec<u8>),
    /// One text frame of this many bytes (`a` to `z`, repeated).
    TextBytes(usize),
    /// One binary frame of this many bytes (`i % 251`).
    BinaryBytes(usize),
    /// One text message split into this many frames (a first frame and
    /// continuations; fragments beyond the text's length are empty).
    Fragmented {
        /// The whole message.
        text: String,
        /// How many frames carry it (at least 1).
        fragments: u32,
    },
    /// One binary message split into this many frames.
    FragmentedBinary {
        /// The whole message (base64 in JSON).
        #[serde(with = "base64_bytes")]
        data: Vec<u8>,
        /// How many frames carry it (at least 1).
        fragments: u32,
    },
}

/// Which of a session's connections an action is for.
///
/// JSON: `{"conn": 1}`, `{"room": "r1"}` or `"all"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// The connection with this number (1-based, in the session's connect order).
    Conn(u32),
    /// Every live member of this broadcast room.
    Room(String),
    /// Every live connection of the session.
    All,
}

/// How the server drops a connection without a close frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DropMode {
    /// Shut the TCP connection down cleanly (FIN; for TLS a close_notify first).
    #[default]
    Fin,
    /// Reset it (`SO_LINGER` 0, then close: RST).
    Rst,
}

/// What the server does to live connections of a session.
///
/// JSON is internally tagged by `type`:
/// `{"type": "send", "to": {"conn": 1}, "message": {"text": "hi"}}`,
/// `{"type": "close", "to": "all", "code": 4000, "reason": "bye"}`,
/// `{"type": "closeThenText", "to": "all", "code": 4000, "reason": "bye", "text": "late"}`,
/// `{"type": "drop", "to": {"room": "r1"}, "mode": "rst"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    /// Send a message.
    Send {
        /// To whom.
        to: Target,
        /// What.
        message: Payload,
    },
    /// Send a close frame (the connection then waits for the answer).
    Close {
        /// To whom.
        to: Target,
        /// The close code; `None` sends a close frame without a body.
        code: Option<u16>,
        /// The reason (ignored without a code).
        #[serde(default)]
        reason: String,
    },
    /// Send a close frame and, in the same write, a text frame behind it
    /// (which a client must not deliver: RFC 6455 section 7.1.4), then wait
    /// for the close answer like [`Action::Close`].
    CloseThenText {
        /// To whom.
        to: Target,
        /// The close code; `None` sends a close frame without a body.
        code: Option<u16>,
        /// The reason (ignored without a code).
        #[serde(default)]
        reason: String,
        /// The text behind the close frame.
        text: String,
    },
    /// Drop the TCP connection without a close frame.
    Drop {
        /// To whom.
        to: Target,
        /// FIN or RST.
        #[serde(default)]
        mode: DropMode,
    },
}

impl Action {
    /// The target of the action.
    pub fn target(&self) -> &Target {
        match self {
            Action::Send { to, .. }
            | Action::Close { to, .. }
            | Action::CloseThenText { to, .. }
            | Action::Drop { to, .. } => to,
        }
    }

    /// Refuses what the server will not do: a generated message above
    /// [`MAX_GENERATED_BYTES`].
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Action::Send { message, .. } => message.check(),
            Action::Close { .. } | Action::CloseThenText { .. } | Action::Drop { .. } => Ok(()),
        }
    }
}

/// What an action achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionOutcome {
    /// How many live connections carried it out within the action timeout
    /// (see [`Session::act`](crate::Session::act)).
    pub reached: u32,
}

/// A message ready to be written: its bytes, its kind and how many frames.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) text: bool,
    pub(crate) data: Bytes,
    pub(crate) fragments: u32,
}

impl Payload {
    /// Refuses a generated size above [`MAX_GENERATED_BYTES`], naming the field.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let (field, value) = match self {
            Payload::TextBytes(n) => ("textBytes", *n),
            Payload::BinaryBytes(n) => ("binaryBytes", *n),
            _ => return Ok(()),
        };
        if value > MAX_GENERATED_BYTES {
            return Err(Error::TooLarge {
                field,
                value,
                limit: MAX_GENERATED_BYTES,
            });
        }
        Ok(())
    }

    /// Builds the bytes to send. Sizes were checked ([`Payload::check`], or
    /// the path parser); above [`MAX_GENERATED_BYTES`] they would be capped.
    pub(crate) fn materialize(&self) -> Outgoing {
        match self {
            Payload::Text(t) => Outgoing {
                text: true,
                data: Bytes::from(t.clone()),
                fragments: 1,
            },
            Payload::Binary(b) => Outgoing {
                text: false,
                data: Bytes::from(b.clone()),
                fragments: 1,
            },
            Payload::TextBytes(n) => Outgoing {
                text: true,
                data: text_of_len(*n),
                fragments: 1,
            },
            Payload::BinaryBytes(n) => Outgoing {
                text: false,
                data: binary_of_len(*n),
                fragments: 1,
            },
            Payload::Fragmented { text, fragments } => Outgoing {
                text: true,
                data: Bytes::from(text.clone()),
                fragments: (*fragments).max(1),
            },
            Payload::FragmentedBinary { data, fragments } => Outgoing {
                text: false,
                data: Bytes::from(data.clone()),
                fragments: (*fragments).max(1),
            },
        }
    }
}

fn text_of_len(n: usize) -> Bytes {
    let n = n.min(MAX_GENERATED_BYTES);
    Bytes::from((0..n).map(|i| b'a' + (i % 26) as u8).collect::<Vec<u8>>())
}

fn binary_of_len(n: usize) -> Bytes {
    let n = n.min(MAX_GENERATED_BYTES);
    Bytes::from((0..n).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
}

pub(crate) fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("invalid base64 {s:?}: {e}")))
    }
}
