//! The error codes: the seed's table (1–12) with its descriptions, the
//! codes of the vendor's revision of 2022-11 that variants and the
//! `alipay-current` profile use, the reasons a face with `{errMsg}`
//! payloads writes, and the rules that report each code.

use serde_json::{json, Value};

/// An error code of the socket API: the seed's table (1–12, see
/// [`ERROR_CODES`]), and the codes of the vendor's revision of 2022-11
/// that conforming variants and the `alipay-current` profile use (2
/// "invalid argument", 3 "the socket exists", 20, 50, 65). Two variants
/// can share a number: each is one meaning of it.
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

/// The codes of the seed's error-code table, 1 to 12, in its order.
pub const ERROR_CODES: [ErrorCode; 12] = [
    ErrorCode::Unknown,
    ErrorCode::AlreadyConnected,
    ErrorCode::UrlEmpty,
    ErrorCode::UrlFormat,
    ErrorCode::UrlScheme,
    ErrorCode::ConnectTimeout,
    ErrorCode::InvalidCertificate,
    ErrorCode::InvalidHandshake,
    ErrorCode::ProtocolUnrequested,
    ErrorCode::NotOpen,
    ErrorCode::SendFailed,
    ErrorCode::OutOfMemory,
];

impl ErrorCode {
    /// Every code: the seed's table, then the revision's.
    pub const ALL: [ErrorCode; 17] = [
        ErrorCode::Unknown,
        ErrorCode::AlreadyConnected,
        ErrorCode::UrlEmpty,
        ErrorCode::UrlFormat,
        ErrorCode::UrlScheme,
        ErrorCode::ConnectTimeout,
        ErrorCode::InvalidCertificate,
        ErrorCode::InvalidHandshake,
        ErrorCode::ProtocolUnrequested,
        ErrorCode::NotOpen,
        ErrorCode::SendFailed,
        ErrorCode::OutOfMemory,
        ErrorCode::InvalidArgument,
        ErrorCode::WssRequired,
        ErrorCode::DomainNotAllowed,
        ErrorCode::SocketExists,
        ErrorCode::NetworkFault,
    ];

    /// The code's name in `spec.json` (`"unknown"`, `"invalidArgument"`):
    /// unique where the number is not.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Unknown => "unknown",
            ErrorCode::AlreadyConnected => "alreadyConnected",
            ErrorCode::UrlEmpty => "urlEmpty",
            ErrorCode::UrlFormat => "urlFormat",
            ErrorCode::UrlScheme => "urlScheme",
            ErrorCode::ConnectTimeout => "connectTimeout",
            ErrorCode::InvalidCertificate => "invalidCertificate",
            ErrorCode::InvalidHandshake => "invalidHandshake",
            ErrorCode::ProtocolUnrequested => "protocolUnrequested",
            ErrorCode::NotOpen => "notOpen",
            ErrorCode::SendFailed => "sendFailed",
            ErrorCode::OutOfMemory => "outOfMemory",
            ErrorCode::InvalidArgument => "invalidArgument",
            ErrorCode::WssRequired => "wssRequired",
            ErrorCode::DomainNotAllowed => "domainNotAllowed",
            ErrorCode::SocketExists => "socketExists",
            ErrorCode::NetworkFault => "networkFault",
        }
    }

    /// Where the code comes from: the seed's error-code table, or the page
    /// of the 2022-11 revision that lists it (`docs/behaviour.md`'s
    /// source tags).
    pub fn source(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument | ErrorCode::WssRequired | ErrorCode::SocketExists => {
                "[rev 2022-11] my.connectSocket"
            }
            ErrorCode::DomainNotAllowed | ErrorCode::NetworkFault => {
                "[rev 2022-11] my.onSocketError"
            }
            _ => "[seed] error-code table",
        }
    }

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

    /// The reason a face with `{errMsg}` payloads writes after
    /// `"<method>:fail "` and in an error event's `errMsg`: informational,
    /// never compared.
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

    /// What the code means, in a few English words (the reports' and
    /// `docs/spec-coverage.md`'s column).
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorCode::Unknown => "unknown error",
            ErrorCode::AlreadyConnected => "connection already exists",
            ErrorCode::UrlEmpty => "URL empty",
            ErrorCode::UrlFormat => "URL format not recognised",
            ErrorCode::UrlScheme => "URL must start with ws or wss",
            ErrorCode::ConnectTimeout => "connect timeout",
            ErrorCode::InvalidCertificate => "invalid certificate",
            ErrorCode::InvalidHandshake => "invalid protocol header in the response",
            ErrorCode::ProtocolUnrequested => "request did not specify Sec-WebSocket-Protocol",
            ErrorCode::NotOpen => "connection not open, cannot send",
            ErrorCode::SendFailed => "message send failed",
            ErrorCode::OutOfMemory => "cannot allocate memory to read network data",
            ErrorCode::InvalidArgument => "invalid argument",
            ErrorCode::WssRequired => "the URL must use wss",
            ErrorCode::DomainNotAllowed => "check that the domain is legal",
            ErrorCode::SocketExists => "the WebSocket already exists",
            ErrorCode::NetworkFault => "network fault",
        }
    }

    /// The rule ids whose scenarios produce the code (for a code of the
    /// seed's table, as the reports' code matrix counts them: code 1 also
    /// lists `close.invalid-code`, whose reference option fails with 1).
    /// A code of the revision lists the rules whose variant or profile
    /// answers with it.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            ErrorCode::Unknown => &[
                "error.1.network",
                "close.drop",
                "connect.multiple.limit",
                "close.invalid-code",
            ],
            ErrorCode::AlreadyConnected => &["connect.single.exists"],
            ErrorCode::UrlEmpty => &["connect.url.empty"],
            ErrorCode::UrlFormat => &["connect.url.format"],
            ErrorCode::UrlScheme => &["connect.url.scheme"],
            ErrorCode::ConnectTimeout => &["error.6.timeout"],
            ErrorCode::InvalidCertificate => &["error.7.cert"],
            ErrorCode::InvalidHandshake => &["error.8.handshake", "connect.wss-only"],
            ErrorCode::ProtocolUnrequested => &["error.9.protocol-unrequested"],
            ErrorCode::NotOpen => &["send.not-open", "close.not-open"],
            ErrorCode::SendFailed => &["send.invalid", "send.too-large"],
            ErrorCode::OutOfMemory => &["error.12.memory"],
            ErrorCode::InvalidArgument => &[
                "connect.url.format",
                "connect.header",
                "send.invalid",
                "close.invalid-code",
            ],
            ErrorCode::WssRequired => &["connect.wss-only"],
            ErrorCode::DomainNotAllowed => &["connect.domain"],
            ErrorCode::SocketExists => &["connect.single.exists"],
            ErrorCode::NetworkFault => &["error.1.network"],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_table_is_codes_1_to_12_in_order() {
        let numbers: Vec<u32> = ERROR_CODES.iter().map(|c| c.code()).collect();
        assert_eq!(numbers, (1..=12).collect::<Vec<u32>>());
        for code in ERROR_CODES {
            assert_eq!(code.source(), "[seed] error-code table", "{code}");
        }
    }

    #[test]
    fn names_are_unique_and_every_code_is_listed_once() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert_eq!(&ErrorCode::ALL[..12], &ERROR_CODES[..]);
    }

    #[test]
    fn every_rule_a_code_names_is_a_rule_id() {
        for code in ErrorCode::ALL {
            assert!(!code.rules().is_empty(), "{code}");
            for rule in code.rules() {
                assert!(crate::is_rule_id(rule), "{code}: {rule}");
            }
        }
    }

    #[test]
    fn a_payload_has_the_number_and_the_seeds_description() {
        assert_eq!(
            ErrorCode::UrlEmpty.payload(),
            json!({"error": 3, "errorMessage": "URL 参数为空。"})
        );
        assert_eq!(ErrorCode::WssRequired.code(), 20);
        assert_eq!(ErrorCode::SocketExists.code(), 3);
    }
}
