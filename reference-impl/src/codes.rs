//! The error codes of the seed's table and their descriptions, plus the
//! codes of the vendor's later revision that variants and the
//! `alipay-current` profile use, and the reasons the `wx` face writes in
//! its `errMsg`.

use serde_json::{json, Value};

/// An error code of the `my` socket API: the seed's table (1–12), and the
/// codes of the vendor's revision of 2022-11 that conforming variants use
/// (2 "invalid argument", 20, 65).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 1: unknown error (network failures, dropped connections, the task limit,
    /// an invalid close code).
    Unknown,
    /// 2: the global connection already exists.
    AlreadyConnected,
    /// 3: the URL is empty.
    UrlEmpty,
    /// 4: the URL format is not recognised.
    UrlFormat,
    /// 5: the URL does not start with ws or wss.
    UrlScheme,
    /// 6: connecting to the server timed out.
    ConnectTimeout,
    /// 7: the server's certificate is invalid.
    InvalidCertificate,
    /// 8: the server's handshake response is invalid (also `ws://` under `wssOnly`).
    InvalidHandshake,
    /// 9: the server selected a subprotocol although none was requested.
    ProtocolUnrequested,
    /// 10: the connection is not open.
    NotOpen,
    /// 11: the message could not be sent.
    SendFailed,
    /// 12: a received message is larger than the implementation accepts.
    OutOfMemory,
    /// 2 in the 2022-11 revision: an argument of the call is invalid.
    InvalidArgument,
    /// 20 in the 2022-11 revision: the URL must use wss.
    WssRequired,
    /// 65 in the 2022-11 revision (my.onSocketError): check that the domain
    /// is legal.
    DomainNotAllowed,
    /// 3 in the 2022-11 revision, its second meaning: the single
    /// connection already exists (profile `alipay-current`).
    SocketExists,
    /// 50 in the 2022-11 revision (my.onSocketError): a network fault.
    NetworkFault,
}

impl ErrorCode {
    /// The numeric code (`error` in payloads).
    pub fn code(self) -> u32 {
        match self {
            ErrorCode::Unknown => 1,
            ErrorCode::AlreadyConnected | ErrorCode::InvalidArgument => 2,
            ErrorCode::UrlEmpty | ErrorCode::SocketExists => 3,
            ErrorCode::UrlFormat => 4,
            ErrorCode::UrlScheme => 5,
            ErrorCode::ConnectTimeout => 6,
            ErrorCode::InvalidCertificate => 7,
            ErrorCode::InvalidHandshake => 8,
            ErrorCode::ProtocolUnrequested => 9,
            ErrorCode::NotOpen => 10,
            ErrorCode::SendFailed => 11,
            ErrorCode::OutOfMemory => 12,
            ErrorCode::WssRequired => 20,
            ErrorCode::DomainNotAllowed => 65,
            ErrorCode::NetworkFault => 50,
        }
    }

    /// The seed's description of the code (`errorMessage` in payloads).
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::Unknown => "未知错误。",
            ErrorCode::AlreadyConnected => "网络连接已经存在。",
            ErrorCode::UrlEmpty => "URL 参数为空。",
            ErrorCode::UrlFormat => "无法识别的 URL 格式。",
            ErrorCode::UrlScheme => "URL 必须以 ws 或者 wss 开头。",
            ErrorCode::ConnectTimeout => "连接服务器超时。",
            ErrorCode::InvalidCertificate => "服务器返回的 https 证书无效。",
            ErrorCode::InvalidHandshake => "服务端返回协议头无效。",
            ErrorCode::ProtocolUnrequested => {
                "WebSocket 请求没有指定 Sec-WebSocket-Protocol 请求头。"
            }
            ErrorCode::NotOpen => "网络连接没有打开，无法发送消息。",
            ErrorCode::SendFailed => "消息发送失败。",
            ErrorCode::OutOfMemory => "无法申请更多内存来读取网络数据。",
            ErrorCode::InvalidArgument => "接口参数无效。",
            ErrorCode::WssRequired => "请求url不支持ws，请使用wss",
            ErrorCode::DomainNotAllowed => "请检查域名是否合法。",
            ErrorCode::NetworkFault => "网络异常。",
            ErrorCode::SocketExists => "该 WebSocket 已存在。",
        }
    }

    /// The reason the `wx` face writes after `"<method>:fail "` and in an
    /// error event's `errMsg`: informational, never compared.
    pub fn reason(self) -> &'static str {
        match self {
            ErrorCode::Unknown => "unknown error",
            ErrorCode::AlreadyConnected | ErrorCode::SocketExists => "WebSocket already exists",
            ErrorCode::UrlEmpty => "url is empty",
            ErrorCode::UrlFormat => "invalid url",
            ErrorCode::UrlScheme => "url must start with ws or wss",
            ErrorCode::ConnectTimeout => "timeout",
            ErrorCode::InvalidCertificate => "invalid server certificate",
            ErrorCode::InvalidHandshake => "invalid handshake response",
            ErrorCode::ProtocolUnrequested => "the server selected a subprotocol not requested",
            ErrorCode::NotOpen => "WebSocket is not connected",
            ErrorCode::SendFailed => "send failed",
            ErrorCode::OutOfMemory => "message too large",
            ErrorCode::InvalidArgument => "parameter error",
            ErrorCode::WssRequired => "url must use wss",
            ErrorCode::DomainNotAllowed => "url not in domain list",
            ErrorCode::NetworkFault => "network fault",
        }
    }

    /// The `{error, errorMessage}` payload of `fail` and `onError`.
    pub fn payload(self) -> Value {
        json!({ "error": self.code(), "errorMessage": self.message() })
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error {}: {}", self.code(), self.message())
    }
}
