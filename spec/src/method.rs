//! The API's methods as one enum: each method's wire name, the object it
//! is called on, and what its argument carries (callbacks, or a listener);
//! and the four event types a listener hears.
//!
//! Every crate that needs to know what a method name means asks [`Method`];
//! no other place lists method names. Which methods a face of the API has
//! is the face's data ([`Face::has_method`]).

use serde::{Deserialize, Serialize};

use crate::Face;

/// The four listener event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventType {
    /// `onSocketOpen` / `onOpen`
    Open,
    /// `onSocketMessage` / `onMessage`
    Message,
    /// `onSocketError` / `onError`
    Error,
    /// `onSocketClose` / `onClose`
    Close,
}

impl EventType {
    /// Every type, in the protocol document's order.
    pub const ALL: [EventType; 4] = [
        EventType::Open,
        EventType::Message,
        EventType::Error,
        EventType::Close,
    ];

    /// The event type an `on*` or `off*` method name is about
    /// (`onSocketOpen`, `offOpen`, … → `Open`), or `None` for other methods.
    pub fn of_method(method: &str) -> Option<EventType> {
        let rest = method
            .strip_prefix("on")
            .or_else(|| method.strip_prefix("off"))?;
        let rest = rest.strip_prefix("Socket").unwrap_or(rest);
        match rest {
            "Open" => Some(EventType::Open),
            "Message" => Some(EventType::Message),
            "Error" => Some(EventType::Error),
            "Close" => Some(EventType::Close),
            _ => None,
        }
    }

    /// The wire name (`"open"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Open => "open",
            EventType::Message => "message",
            EventType::Error => "error",
            EventType::Close => "close",
        }
    }
}

/// What a method is called on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodTarget {
    /// The global object (`my`, `wx`, …: the face's [`Face::name`]).
    Global,
    /// A SocketTask that `connectSocket` returned.
    Task,
}

/// What a method does with its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodKind {
    /// An action whose object argument carries `success`, `fail` and
    /// `complete` (`connectSocket`, `send`, `close`, …).
    WithCallbacks,
    /// `on*`: adds a listener of this event type.
    AddListener(EventType),
    /// `off*`: removes one listener of this type, or all of them when no
    /// listener is given.
    RemoveListener(EventType),
}

/// One method of the API, on the global object or on a SocketTask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `my.connectSocket`
    ConnectSocket,
    /// `my.sendSocketMessage`
    SendSocketMessage,
    /// `my.closeSocket`
    CloseSocket,
    /// `my.onSocketOpen`, `my.onSocketMessage`, … (`on` and the type)
    OnSocket(EventType),
    /// `my.offSocketOpen`, … (`off` and the type)
    OffSocket(EventType),
    /// `task.send`
    Send,
    /// `task.close`
    Close,
    /// `task.onOpen`, `task.onMessage`, …
    On(EventType),
    /// `task.offOpen`, …
    Off(EventType),
}

impl Method {
    /// Every method, global ones first, in the protocol document's order.
    pub fn all() -> impl Iterator<Item = Method> {
        let global = [
            Method::ConnectSocket,
            Method::SendSocketMessage,
            Method::CloseSocket,
        ]
        .into_iter()
        .chain(
            EventType::ALL
                .into_iter()
                .flat_map(|t| [Method::OnSocket(t), Method::OffSocket(t)]),
        );
        let task = [Method::Send, Method::Close].into_iter().chain(
            EventType::ALL
                .into_iter()
                .flat_map(|t| [Method::On(t), Method::Off(t)]),
        );
        global.chain(task)
    }

    /// The method of that wire name on that target, if there is one (on
    /// any face; see [`Method::parse_in`] for one face's).
    pub fn parse(target: MethodTarget, name: &str) -> Option<Method> {
        Method::all().find(|m| m.target() == target && m.name() == name)
    }

    /// Every method of `face`, in the order of [`Method::all`].
    pub fn all_in(face: Face) -> impl Iterator<Item = Method> {
        Method::all().filter(move |m| m.exists_in(face))
    }

    /// The method of that wire name on that target of `face`.
    pub fn parse_in(face: Face, target: MethodTarget, name: &str) -> Option<Method> {
        Method::parse(target, name).filter(|m| m.exists_in(face))
    }

    /// Whether `face` has this method ([`Face::has_method`]).
    pub fn exists_in(self, face: Face) -> bool {
        face.has_method(self)
    }

    /// The global method a task method stands for (`send` →
    /// `sendSocketMessage`, `onOpen` → `onSocketOpen`); a global method is
    /// its own twin. Under a face with `{errMsg}` payloads, the twin's name
    /// is what a result's `errMsg` names before its colon (`"sendSocketMessage:ok"` for a
    /// task's `send`).
    pub fn global_twin(self) -> Method {
        match self {
            Method::Send => Method::SendSocketMessage,
            Method::Close => Method::CloseSocket,
            Method::On(t) => Method::OnSocket(t),
            Method::Off(t) => Method::OffSocket(t),
            global => global,
        }
    }

    /// The method of that wire name on either target (the two sets of names
    /// do not overlap).
    pub fn from_name(name: &str) -> Option<Method> {
        Method::all().find(|m| m.name() == name)
    }

    /// The JavaScript name, as on the wire (`"connectSocket"`, `"offOpen"`).
    pub fn name(self) -> &'static str {
        use EventType::{Close, Error, Message, Open};
        match self {
            Method::ConnectSocket => "connectSocket",
            Method::SendSocketMessage => "sendSocketMessage",
            Method::CloseSocket => "closeSocket",
            Method::OnSocket(Open) => "onSocketOpen",
            Method::OnSocket(Message) => "onSocketMessage",
            Method::OnSocket(Error) => "onSocketError",
            Method::OnSocket(Close) => "onSocketClose",
            Method::OffSocket(Open) => "offSocketOpen",
            Method::OffSocket(Message) => "offSocketMessage",
            Method::OffSocket(Error) => "offSocketError",
            Method::OffSocket(Close) => "offSocketClose",
            Method::Send => "send",
            Method::Close => "close",
            Method::On(Open) => "onOpen",
            Method::On(Message) => "onMessage",
            Method::On(Error) => "onError",
            Method::On(Close) => "onClose",
            Method::Off(Open) => "offOpen",
            Method::Off(Message) => "offMessage",
            Method::Off(Error) => "offError",
            Method::Off(Close) => "offClose",
        }
    }

    /// What the method is called on.
    pub fn target(self) -> MethodTarget {
        match self {
            Method::ConnectSocket
            | Method::SendSocketMessage
            | Method::CloseSocket
            | Method::OnSocket(_)
            | Method::OffSocket(_) => MethodTarget::Global,
            Method::Send | Method::Close | Method::On(_) | Method::Off(_) => MethodTarget::Task,
        }
    }

    /// What the method does with its argument.
    pub fn kind(self) -> MethodKind {
        match self {
            Method::ConnectSocket
            | Method::SendSocketMessage
            | Method::CloseSocket
            | Method::Send
            | Method::Close => MethodKind::WithCallbacks,
            Method::OnSocket(t) | Method::On(t) => MethodKind::AddListener(t),
            Method::OffSocket(t) | Method::Off(t) => MethodKind::RemoveListener(t),
        }
    }

    /// Whether the object argument carries `success` / `fail` / `complete`.
    pub fn takes_callbacks(self) -> bool {
        self.kind() == MethodKind::WithCallbacks
    }

    /// The event type of an `on*` or `off*` method.
    pub fn event_type(self) -> Option<EventType> {
        match self.kind() {
            MethodKind::AddListener(t) | MethodKind::RemoveListener(t) => Some(t),
            MethodKind::WithCallbacks => None,
        }
    }

    /// Whether this is an `on*` method.
    pub fn adds_listener(self) -> bool {
        matches!(self.kind(), MethodKind::AddListener(_))
    }

    /// Whether this is an `off*` method.
    pub fn removes_listener(self) -> bool {
        matches!(self.kind(), MethodKind::RemoveListener(_))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_method() {
        let all: Vec<Method> = Method::all().collect();
        assert_eq!(all.len(), 21);
        for m in all {
            assert_eq!(Method::parse(m.target(), m.name()), Some(m));
            assert_eq!(Method::from_name(m.name()), Some(m));
        }
    }

    #[test]
    fn names_belong_to_one_target() {
        assert_eq!(Method::parse(MethodTarget::Task, "connectSocket"), None);
        assert_eq!(Method::parse(MethodTarget::Global, "send"), None);
        assert_eq!(
            Method::parse(MethodTarget::Task, "offError"),
            Some(Method::Off(EventType::Error))
        );
    }

    #[test]
    fn the_wx_face_has_no_off_methods() {
        let wx: Vec<Method> = Method::all_in(Face::WX).collect();
        assert_eq!(wx.len(), 13);
        assert!(wx.iter().all(|m| !m.removes_listener()));
        assert_eq!(Method::all_in(Face::MY).count(), 21);
        assert_eq!(
            Method::parse_in(Face::WX, MethodTarget::Global, "onSocketOpen"),
            Some(Method::OnSocket(EventType::Open))
        );
        assert_eq!(
            Method::parse_in(Face::WX, MethodTarget::Task, "offOpen"),
            None
        );
        assert_eq!(
            Method::parse_in(Face::WX, MethodTarget::Global, "offSocketClose"),
            None
        );
        assert_eq!(
            Method::parse_in(Face::MY, MethodTarget::Task, "offOpen"),
            Some(Method::Off(EventType::Open))
        );
    }

    #[test]
    fn task_methods_have_global_twins() {
        assert_eq!(Method::Send.global_twin(), Method::SendSocketMessage);
        assert_eq!(Method::Close.global_twin().name(), "closeSocket");
        assert_eq!(
            Method::On(EventType::Error).global_twin(),
            Method::OnSocket(EventType::Error)
        );
        assert_eq!(Method::ConnectSocket.global_twin(), Method::ConnectSocket);
        for m in Method::all() {
            assert_eq!(m.global_twin().target(), MethodTarget::Global);
            assert_eq!(m.global_twin().event_type(), m.event_type());
        }
    }

    #[test]
    fn kinds_say_callbacks_or_listener() {
        assert!(Method::Close.takes_callbacks());
        assert!(Method::OnSocket(EventType::Open).adds_listener());
        assert!(Method::Off(EventType::Close).removes_listener());
        assert_eq!(Method::Send.event_type(), None);
    }

    #[test]
    fn listener_methods_name_their_event_type() {
        assert_eq!(EventType::of_method("onSocketOpen"), Some(EventType::Open));
        assert_eq!(EventType::of_method("offMessage"), Some(EventType::Message));
        assert_eq!(
            EventType::of_method("offSocketClose"),
            Some(EventType::Close)
        );
        assert_eq!(EventType::of_method("onError"), Some(EventType::Error));
        assert_eq!(EventType::of_method("send"), None);
        assert_eq!(EventType::of_method("connectSocket"), None);
    }
}
