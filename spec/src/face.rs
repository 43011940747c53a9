//! The faces of the API: the global object an implementation exposes
//! (`my`, `wx`) and what its calls look like, as data. Code that depends on
//! the face asks its fields (the payload form, the binary form, whether
//! `off*` exists, …), never which face it is, so that a face is added by
//! writing its entry in [`Face::ALL`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Method, MethodTarget};

/// One face of the API: the global object's name, the shape of the
/// payloads its callbacks and events carry, and which methods and
/// arguments it has.
///
/// On the wire (the `api` of a `hello` result) a face is its [`name`](Face::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Face {
    /// The global object's name: the `target` of calls on it and of its
    /// listener events, and the `api` of a `hello` result (`"my"`, `"wx"`).
    pub name: &'static str,
    /// Whose API it is, for people (`"Alipay"`).
    pub vendor: &'static str,
    /// The form of the payloads of `success`, `fail` and error events.
    pub payload: Payload,
    /// How binary data travels in `send` and in message events.
    pub binary: Binary,
    /// Whether the `off*` methods exist (on the global object and on a
    /// SocketTask).
    pub has_off: bool,
    /// Whether `connectSocket` always returns a SocketTask. Then there is
    /// no global socket of its own: the global calls and listeners follow
    /// the newest connection ([`Face::globals_follow_newest_task`]).
    /// Otherwise a task comes only with `multiple` (`connect.return`).
    pub connect_always_returns_task: bool,
    /// Whether the global object has the socket functions besides
    /// `connectSocket`: `sendSocketMessage`, `closeSocket` and the
    /// `onSocket*` (and, with [`Face::has_off`], `offSocket*`) listeners.
    /// Without them every connection is driven through its SocketTask.
    pub has_global_socket_methods: bool,
    /// Request headers `header` cannot set (lower case): an entry naming
    /// one is dropped (`connect.header`).
    pub unsettable_headers: &'static [&'static str],
    /// The vendor's limits.
    pub limits: Limits,
    /// The arguments of `connectSocket` the face has (besides `success`,
    /// `fail` and `complete`). A profile may leave some out
    /// ([`crate::ProfileFacts::absent_arguments`]).
    pub connect_arguments: &'static [Argument],
    /// Arguments of the default face's `connectSocket` that this face does
    /// not have and that an implementation of it passes over without a
    /// word: a scenario that passes one still applies, unless it checks
    /// the argument's own rule ([`Argument::rule`]). Under `wx`,
    /// `multiple` (every connect returns a SocketTask, which is what
    /// `multiple: true` asks for) and `data` (the adapter protocol: a `wx`
    /// implementation ignores them).
    pub ignored_arguments: &'static [Argument],
}

/// The form of the payloads of `success`, `fail` and error events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payload {
    /// `success`: `{}`; `fail` and error events:
    /// `{error: <code>, errorMessage: <the code's message>}`
    /// ([`ErrorCode::payload`](crate::ErrorCode::payload)).
    ErrorCode,
    /// `success`: `{errMsg: "<method>:ok"}`; `fail`:
    /// `{errMsg: "<method>:fail <reason>"}`, where `<method>` is the
    /// global twin's name ([`Method::global_twin`]: `sendSocketMessage`
    /// for a task's `send`) and `<reason>` free text
    /// ([`ErrorCode::reason`](crate::ErrorCode::reason)); error events:
    /// `{errMsg: <reason>}`. No numeric code.
    ErrMsg,
}

impl Payload {
    /// The name in `spec.json`.
    pub fn name(self) -> &'static str {
        match self {
            Payload::ErrorCode => "errorCode",
            Payload::ErrMsg => "errMsg",
        }
    }
}

/// How binary data travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Binary {
    /// As base64 text with a flag: `send` takes `{data: <base64>,
    /// isBuffer: true}`; a binary message event is `{data: <base64>,
    /// isBuffer: true}` and a text one `{data: <text>, isBuffer: false}`.
    Base64,
    /// As an ArrayBuffer (`{"$binary": "<base64>"}` in the adapter
    /// protocol), with no `isBuffer`: message events are `{data}`.
    ArrayBuffer,
}

impl Binary {
    /// The name in `spec.json`.
    pub fn name(self) -> &'static str {
        match self {
            Binary::Base64 => "base64",
            Binary::ArrayBuffer => "arrayBuffer",
        }
    }
}

/// A vendor's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// How many WebSocket connections may exist at once (the adapter
    /// protocol's default `maxTasks`).
    pub max_sockets: u32,
}

/// An argument of `connectSocket` (besides its callbacks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Argument {
    /// `url`: the server's address.
    Url,
    /// `multiple`: truthy to get a SocketTask (`connect.return`).
    Multiple,
    /// `data`: an object put on the query string (`connect.data`).
    Data,
    /// `header`: request headers (`connect.header`).
    Header,
    /// `protocols`: the subprotocols to offer (`connect.protocols`).
    Protocols,
    /// `timeout`: the connect deadline in ms for this call.
    Timeout,
}

impl Argument {
    /// Every argument, in the order a scenario that uses several that a
    /// face lacks is told about them (the one that changes what the call
    /// returns first).
    pub const ALL: [Argument; 6] = [
        Argument::Url,
        Argument::Multiple,
        Argument::Data,
        Argument::Header,
        Argument::Protocols,
        Argument::Timeout,
    ];

    /// The rule that is about this argument alone, if there is one
    /// (`connect.data` for `data`): a scenario that checks it does not
    /// apply where the face ignores the argument.
    pub fn rule(self) -> Option<&'static str> {
        match self {
            Argument::Data => Some("connect.data"),
            Argument::Url
            | Argument::Multiple
            | Argument::Header
            | Argument::Protocols
            | Argument::Timeout => None,
        }
    }

    /// The argument's name in the call's object (`"multiple"`).
    pub fn name(self) -> &'static str {
        match self {
            Argument::Url => "url",
            Argument::Multiple => "multiple",
            Argument::Data => "data",
            Argument::Header => "header",
            Argument::Protocols => "protocols",
            Argument::Timeout => "timeout",
        }
    }
}

impl Face {
    /// Alipay's `my`: `my.connectSocket` returns a SocketTask only with
    /// `multiple`; `off*` methods; payloads `{error, errorMessage}`;
    /// binary as base64 with `isBuffer` (the seed, its companion pages and
    /// the 2022-11 revision; the seed's FAQ 2 for the limit of 5).
    pub const MY: Face = Face {
        name: "my",
        vendor: "Alipay",
        payload: Payload::ErrorCode,
        binary: Binary::Base64,
        has_off: true,
        connect_always_returns_task: false,
        has_global_socket_methods: true,
        unsettable_headers: &[],
        limits: Limits { max_sockets: 5 },
        connect_arguments: &[
            Argument::Url,
            Argument::Data,
            Argument::Header,
            Argument::Multiple,
            Argument::Protocols,
            Argument::Timeout,
        ],
        ignored_arguments: &[],
    };

    /// WeChat's `wx`: `wx.connectSocket` always returns a SocketTask and
    /// has no `multiple` and no `data`; no `off*` methods; payloads
    /// `{errMsg}`; binary as an ArrayBuffer; at most 5 connections at once
    /// (WeChat's `wx.connectSocket` reference, "并发数"). `multiple` and
    /// `data` are ignored (`ignored_arguments`).
    pub const WX: Face = Face {
        name: "wx",
        vendor: "WeChat",
        payload: Payload::ErrMsg,
        binary: Binary::ArrayBuffer,
        has_off: false,
        connect_always_returns_task: true,
        has_global_socket_methods: true,
        unsettable_headers: &[],
        limits: Limits { max_sockets: 5 },
        connect_arguments: &[
            Argument::Url,
            Argument::Header,
            Argument::Protocols,
            Argument::Timeout,
        ],
        ignored_arguments: &[Argument::Multiple, Argument::Data],
    };

    /// ByteDance's `tt` (Douyin mini-apps), from the vendor's
    /// `tt.connectSocket` and `SocketTask` pages: `tt.connectSocket` always
    /// returns a SocketTask and is the only socket function of `tt` (the
    /// reference lists no `tt.sendSocketMessage` or `tt.onSocket*`); a
    /// task has `send`, `close` and `on*` but no `off*`; payloads
    /// `{errMsg}`; messages are a string or an ArrayBuffer; at most 5
    /// connections at once ("最多可以同时存在 5 个 WebSocket 连接");
    /// `header` cannot set `referer`; the arguments are `url`, `header`
    /// and `protocols` (an array of strings). `multiple` is ignored
    /// (`ignored_arguments`), as under `wx`.
    pub const TT: Face = Face {
        name: "tt",
        vendor: "ByteDance (Douyin)",
        payload: Payload::ErrMsg,
        binary: Binary::ArrayBuffer,
        has_off: false,
        connect_always_returns_task: true,
        has_global_socket_methods: false,
        unsettable_headers: &["referer"],
        limits: Limits { max_sockets: 5 },
        connect_arguments: &[Argument::Url, Argument::Header, Argument::Protocols],
        // Every connect returns a SocketTask ("返回值 SocketTask"), which is
        // what `multiple: true` asks for: as under `wx`, it is ignored.
        ignored_arguments: &[Argument::Multiple],
    };

    /// Every face, the default first.
    pub const ALL: [Face; 3] = [Face::MY, Face::WX, Face::TT];

    /// The face of that name, if there is one.
    pub fn named(name: &str) -> Option<Face> {
        Face::ALL.into_iter().find(|face| face.name == name)
    }

    /// Whether this is the default face, the one a `hello` result without
    /// `api` serves.
    pub fn is_default(&self) -> bool {
        *self == Face::default()
    }

    /// Whether the face has `method`: every method, but the `off*` ones
    /// only where [`Face::has_off`], and on the global object only
    /// `connectSocket` where it lacks the other socket functions
    /// ([`Face::has_global_socket_methods`]).
    pub fn has_method(self, method: Method) -> bool {
        let other_global =
            method.target() == MethodTarget::Global && !matches!(method, Method::ConnectSocket);
        (self.has_off || !method.removes_listener())
            && (self.has_global_socket_methods || !other_global)
    }

    /// Whether `connectSocket` of this face has `argument`.
    pub fn has_argument(self, argument: Argument) -> bool {
        self.connect_arguments.contains(&argument)
    }

    /// Whether an implementation of this face ignores `argument`, which it
    /// does not have ([`Face::ignored_arguments`]).
    pub fn ignores_argument(self, argument: Argument) -> bool {
        self.ignored_arguments.contains(&argument)
    }

    /// The rules of `behaviour.md` about what this face has not, each with
    /// what that is, in words: a scenario that checks one does not apply
    /// under the face. They are the rule of each ignored argument
    /// (`connect.data`), and `listeners.scope` where the global functions
    /// follow the newest task (there is no global socket apart from the
    /// tasks for the global listeners to keep to).
    pub fn rules_it_has_not(self) -> Vec<(&'static str, String)> {
        let mut rules: Vec<(&'static str, String)> = self
            .ignored_arguments
            .iter()
            .filter_map(|argument| {
                let what = format!(
                    "connectSocket's `{}`, which {self} ignores",
                    argument.name()
                );
                argument.rule().map(|rule| (rule, what))
            })
            .collect();
        if self.globals_follow_newest_task() {
            rules.push((
                "listeners.scope",
                format!(
                    "a global socket apart from the SocketTasks, which {self} has not: its global functions act on the connection its connectSocket made"
                ),
            ));
        }
        rules
    }

    /// Whether the global calls (`sendSocketMessage`, `closeSocket`) and
    /// listeners act on the newest connection, each connection being a
    /// SocketTask; otherwise they drive the global socket only
    /// (`listeners.scope`).
    pub fn globals_follow_newest_task(self) -> bool {
        self.connect_always_returns_task
    }
}

impl Default for Face {
    /// `my`.
    fn default() -> Face {
        Face::MY
    }
}

impl fmt::Display for Face {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl Serialize for Face {
    /// The face's name.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

impl<'de> Deserialize<'de> for Face {
    /// A face's name; any other string is refused with the names there are.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Face, D::Error> {
        let name = String::deserialize(deserializer)?;
        Face::named(&name).ok_or_else(|| {
            let names: Vec<String> = Face::ALL.iter().map(|f| format!("`{f}`")).collect();
            serde::de::Error::custom(format!(
                "unknown face `{name}`, expected {}",
                names.join(" or ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_face_is_written_as_its_name() {
        assert_eq!(serde_json::to_value(Face::WX).unwrap(), json!("wx"));
        assert_eq!(
            serde_json::from_value::<Face>(json!("my")).unwrap(),
            Face::MY
        );
        let e = serde_json::from_value::<Face>(json!("swan")).unwrap_err();
        assert!(e.to_string().contains("`my` or `wx` or `tt`"), "{e}");
    }

    #[test]
    fn names_are_unique_and_the_default_is_my() {
        let mut names: Vec<&str> = Face::ALL.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Face::ALL.len());
        assert_eq!(Face::default().name, "my");
        assert!(Face::default().is_default());
        assert_eq!(Face::named("wx").map(|f| f.name), Some("wx"));
        assert_eq!(Face::named("swan"), None);
    }

    #[test]
    fn the_tt_face_has_connect_socket_alone_on_its_global_object() {
        let tt: Vec<&str> = Method::all_in(Face::TT).map(Method::name).collect();
        assert_eq!(
            tt,
            [
                "connectSocket",
                "send",
                "close",
                "onOpen",
                "onMessage",
                "onError",
                "onClose"
            ]
        );
        assert_eq!(Method::all_in(Face::WX).count(), 13);
        assert_eq!(Face::named("tt"), Some(Face::TT));
        assert_eq!(Face::TT.unsettable_headers, ["referer"]);
    }

    #[test]
    fn every_face_has_url_and_header() {
        for face in Face::ALL {
            assert!(face.has_argument(Argument::Url), "{face}");
            assert!(face.has_argument(Argument::Header), "{face}");
            for argument in face.connect_arguments {
                assert!(Argument::ALL.contains(argument));
            }
        }
    }

    #[test]
    fn ignored_arguments_are_ones_the_face_has_not() {
        for face in Face::ALL {
            for argument in face.ignored_arguments {
                assert!(!face.has_argument(*argument), "{face}: {argument:?}");
                assert!(Face::MY.has_argument(*argument), "{face}: {argument:?}");
            }
        }
        assert!(Face::WX.ignores_argument(Argument::Multiple));
        assert!(!Face::MY.ignores_argument(Argument::Multiple));
        assert!(Face::TT.ignores_argument(Argument::Multiple));
        assert_eq!(Argument::Data.rule(), Some("connect.data"));
        let wx: Vec<&str> = Face::WX.rules_it_has_not().iter().map(|r| r.0).collect();
        assert_eq!(wx, ["connect.data", "listeners.scope"]);
        assert!(Face::MY.rules_it_has_not().is_empty());
        let tt: Vec<&str> = Face::TT.rules_it_has_not().iter().map(|r| r.0).collect();
        assert_eq!(tt, ["listeners.scope"]);
    }

    #[test]
    fn a_face_without_off_has_no_listener_removal() {
        let wx = Face::WX;
        assert!(!wx.has_method(Method::Off(crate::EventType::Open)));
        assert!(wx.has_method(Method::On(crate::EventType::Open)));
        assert!(Face::MY.has_method(Method::OffSocket(crate::EventType::Close)));
    }
}
