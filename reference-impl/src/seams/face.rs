//! The seams of the API's face: the global object's name, what a
//! connect returns, the payload forms.

use adapter_protocol::Method;
use serde_json::{json, Value};
use spec::{Argument, Binary, ErrorCode, Face, Payload};

use super::{Scope, Seams};
use crate::variant::Variant;

impl Seams {
    // ------------------------------------------------------ the API's face

    /// The face served: the profile's (`my`, or `wx` under `wechat`).
    pub(crate) fn face(&self) -> Face {
        self.profile().face
    }

    /// The target name of the global object in listener events.
    pub(crate) fn global_target(&self) -> &'static str {
        self.face().name
    }

    /// `connect.return`: whether a connect makes a SocketTask (`Scope::Task`)
    /// or the global socket: a task with `multiple`, or always where the
    /// face's connect always returns one (`wx.connectSocket`, which has no
    /// `multiple`).
    pub(crate) fn connect_scope(&self, multiple: bool) -> Scope {
        let face = self.face();
        if face.connect_always_returns_task || (multiple && face.has_argument(Argument::Multiple)) {
            Scope::Task
        } else {
            Scope::Global
        }
    }

    /// Whether the global calls and listeners follow the newest connection
    /// (each is a SocketTask too, as under `wx`); otherwise only the global
    /// socket (`listeners.scope`).
    pub(crate) fn globals_follow_newest_task(&self) -> bool {
        self.face().globals_follow_newest_task()
    }

    /// [impl-defined] `connect.several.global-target`: where the global
    /// calls and listeners follow the connections
    /// ([`Seams::globals_follow_newest_task`]), whether they act on the
    /// oldest connection not CLOSED (`oldest`) rather than the newest.
    pub(crate) fn globals_follow_oldest(&self) -> bool {
        self.globals_follow_newest_task() && self.takes(Variant::ConnectSeveralGlobalTargetOldest)
    }

    /// The payload of a call's `success` or `fail`, in the face's form:
    /// `{}` or `{error, errorMessage}`; or `{errMsg: "<method>:ok"}` or
    /// `{errMsg: "<method>:fail <reason>"}`, where `method` is the global
    /// twin (`sendSocketMessage` for a task's `send`).
    pub(crate) fn callback_payload(&self, method: Method, outcome: Result<(), ErrorCode>) -> Value {
        let name = method.global_twin().name();
        match (self.face().payload, outcome) {
            (Payload::ErrorCode, Ok(())) => json!({}),
            (Payload::ErrorCode, Err(code)) => code.payload(),
            (Payload::ErrMsg, Ok(())) => json!({ "errMsg": format!("{name}:ok") }),
            (Payload::ErrMsg, Err(code)) => {
                json!({ "errMsg": format!("{name}:fail {}", code.reason()) })
            }
        }
    }

    /// The payload of an error event in the face's form:
    /// `{error, errorMessage}`, or `{errMsg}`.
    pub(crate) fn error_payload(&self, code: ErrorCode) -> Value {
        match self.face().payload {
            Payload::ErrorCode => code.payload(),
            Payload::ErrMsg => json!({ "errMsg": code.reason() }),
        }
    }

    /// The payload of a binary message event, its bytes given in base64,
    /// in the face's binary form: `receive.binary` (`{data: base64,
    /// isBuffer: true}`; the mutant drops `isBuffer`), or `{data:
    /// ArrayBuffer}`.
    pub(crate) fn binary_message_payload(&self, base64: String) -> Value {
        match self.face().binary {
            Binary::ArrayBuffer => json!({ "data": { adapter_protocol::BINARY_KEY: base64 } }),
            Binary::Base64 if self.binary_has_is_buffer() => {
                json!({ "data": base64, "isBuffer": true })
            }
            Binary::Base64 => json!({ "data": base64 }),
        }
    }

    /// The payload of a text message event: `receive.text` (`{data,
    /// isBuffer: false}`) where binary is base64 with `isBuffer`; `{data}`
    /// where it is an ArrayBuffer.
    pub(crate) fn text_message_payload(&self, text: &str) -> Value {
        match self.face().binary {
            Binary::Base64 => json!({ "data": text, "isBuffer": false }),
            Binary::ArrayBuffer => json!({ "data": text }),
        }
    }

    /// `send.binary`: whether `isBuffer` makes a string's base64 a binary
    /// message (not where binary is an ArrayBuffer: there is no `isBuffer`).
    pub(crate) fn honours_is_buffer(&self) -> bool {
        self.face().binary == Binary::Base64
    }
}
