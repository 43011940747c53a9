//! The object arguments of the API methods, with loosely typed fields: the
//! implementation's own validation is under test, wrong types included.

use serde_json::{Map, Value};

/// The argument of `my.connectSocket`, without its functions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectSocketOptions {
    /// `url`: the server's address (a string, required).
    pub url: Option<Value>,
    /// `data`: an object appended to the URL as a query string.
    pub data: Option<Value>,
    /// `header`: an object whose entries become request headers.
    pub header: Option<Value>,
    /// `multiple`: truthy to get a SocketTask.
    pub multiple: Option<Value>,
    /// `protocols`: an array of subprotocols to offer (a later doc revision).
    pub protocols: Option<Value>,
    /// `timeout`: the connect deadline in ms (profiles `alipay-current` and
    /// `wechat`; the default profile ignores it).
    pub timeout: Option<Value>,
}

/// The argument of `my.sendSocketMessage` and `SocketTask.send`, without its functions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendSocketMessageOptions {
    /// `data`: a string, a base64 string with `isBuffer`, or an ArrayBuffer
    /// (`{"$binary": "<base64>"}`).
    pub data: Option<Value>,
    /// `isBuffer`: truthy when `data` is base64 for a binary message.
    pub is_buffer: Option<Value>,
}

/// The argument of `my.closeSocket` and `SocketTask.close`, without its functions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloseSocketOptions {
    /// `code`: the close code, 1000 by default.
    pub code: Option<Value>,
    /// `reason`: the close reason, "" by default.
    pub reason: Option<Value>,
}

/// A field of an argument object: `undefined` (absent) gives `None`; every
/// other value, `null` included, is kept.
fn field(object: &Map<String, Value>, key: &str) -> Option<Value> {
    object.get(key).cloned()
}

/// The fields of an `args` value; a value that is not an object holds none.
fn fields(args: &Value) -> Map<String, Value> {
    match args {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    }
}

impl ConnectSocketOptions {
    /// Builds the options from the protocol's `args` object.
    pub fn from_args(args: &Value) -> Self {
        let o = fields(args);
        ConnectSocketOptions {
            url: field(&o, "url"),
            data: field(&o, "data"),
            header: field(&o, "header"),
            multiple: field(&o, "multiple"),
            protocols: field(&o, "protocols"),
            timeout: field(&o, "timeout"),
        }
    }

    /// Options with only a `url` string.
    pub fn url(url: impl Into<String>) -> Self {
        ConnectSocketOptions {
            url: Some(Value::String(url.into())),
            ..Self::default()
        }
    }

    /// The same options with `multiple: true`.
    pub fn multiple(mut self) -> Self {
        self.multiple = Some(Value::Bool(true));
        self
    }
}

impl SendSocketMessageOptions {
    /// Builds the options from the protocol's `args` object.
    pub fn from_args(args: &Value) -> Self {
        let o = fields(args);
        SendSocketMessageOptions {
            data: field(&o, "data"),
            is_buffer: field(&o, "isBuffer"),
        }
    }

    /// A text message.
    pub fn text(data: impl Into<String>) -> Self {
        SendSocketMessageOptions {
            data: Some(Value::String(data.into())),
            is_buffer: None,
        }
    }

    /// A binary message given as base64 with `isBuffer: true`.
    pub fn base64(data: impl Into<String>) -> Self {
        SendSocketMessageOptions {
            data: Some(Value::String(data.into())),
            is_buffer: Some(Value::Bool(true)),
        }
    }
}

impl CloseSocketOptions {
    /// Builds the options from the protocol's `args` object.
    pub fn from_args(args: &Value) -> Self {
        let o = fields(args);
        CloseSocketOptions {
            code: field(&o, "code"),
            reason: field(&o, "reason"),
        }
    }

    /// A close with this code and reason.
    pub fn with(code: u16, reason: impl Into<String>) -> Self {
        CloseSocketOptions {
            code: Some(Value::from(code)),
            reason: Some(Value::String(reason.into())),
        }
    }
}

/// JavaScript truthiness of an optional value (`undefined` is false).
pub(crate) fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_)) | Some(Value::Object(_)) => true,
    }
}
