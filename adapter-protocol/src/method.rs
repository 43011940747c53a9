//! The API's methods as one enum: each method's wire name, the object it
//! is called on, and what its argument carries (callbacks, or a listener).
//!
//! Every crate that needs to know what a method name means asks [`Method`];
//! no other place lists method names.

use crate::{Api, EventType};

/// What a method is called on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodTarget {
    /// The global object (`my`, or `wx` under [`Api::Wx`]).
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

    /// The method of that wire name on that target, if there is one (the
    /// `my` face; see [`Method::parse_in`] for another).
    pub fn parse(target: MethodTarget, name: &str) -> Option<Method> {
        Method::all().find(|m| m.target() == target && m.name() == name)
    }

    /// Every method of the `api` face, in the order of [`Method::all`]:
    /// under `wx`, every method but the `off*` ones.
    pub fn all_in(api: Api) -> impl Iterator<Item = Method> {
        Method::all().filter(move |m| m.exists_in(api))
    }

    /// The method of that wire name on that target of the `api` face.
    pub fn parse_in(api: Api, target: MethodTarget, name: &str) -> Option<Method> {
        Method::parse(target, name).filter(|m| m.exists_in(api))
    }

    /// Whether the `api` face has this method: `my` has every one; `wx`
    /// has no `off*` method (WeChat's SocketTask has none, nor has `wx`).
    pub fn exists_in(self, api: Api) -> bool {
        match api {
            Api::My => true,
            Api::Wx => !self.removes_listener(),
        }
    }

    /// The global method a task method stands for (`send` →
    /// `sendSocketMessage`, `onOpen` → `onSocketOpen`); a global method is
    /// its own twin. Under `wx`, the twin's name is what a result's
    /// `errMsg` names before its colon (`"sendSocketMessage:ok"` for a
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

/// The text of an error and every cause below it, joined by `": "`, as the
/// workspace's binaries print errors and as the reference writes the
/// `error` of a response.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        // thiserror's `#[error(transparent)]` and `{0}` messages repeat
        // their source: print each text once.
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
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
        let wx: Vec<Method> = Method::all_in(Api::Wx).collect();
        assert_eq!(wx.len(), 13);
        assert!(wx.iter().all(|m| !m.removes_listener()));
        assert_eq!(Method::all_in(Api::My).count(), 21);
        assert_eq!(
            Method::parse_in(Api::Wx, MethodTarget::Global, "onSocketOpen"),
            Some(Method::OnSocket(EventType::Open))
        );
        assert_eq!(
            Method::parse_in(Api::Wx, MethodTarget::Task, "offOpen"),
            None
        );
        assert_eq!(
            Method::parse_in(Api::Wx, MethodTarget::Global, "offSocketClose"),
            None
        );
        assert_eq!(
            Method::parse_in(Api::My, MethodTarget::Task, "offOpen"),
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

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("cannot start")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_chain_names_every_cause_once() {
        let e = Outer(std::io::Error::other("no such file"));
        assert_eq!(error_chain(&e), "cannot start: no such file");
    }
}
