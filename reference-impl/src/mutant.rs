//! Deliberately non-conforming variants of the reference implementation
//! ("mutants"): the suite catches these.
//!
//! A conformance suite is worth what it catches. Each [`Mutant`] is one
//! realistic bug an implementer could ship, planted at the one place of the
//! reference implementation where that bug would live; everything else
//! behaves as the conforming implementation does. Running the scenarios
//! against every mutant shows that each bug is caught by at least one of
//! them.
//!
//! | mutant | rule of behaviour.md it breaks | the bug |
//! | --- | --- | --- |
//! | `url-empty-code` | `connect.url.empty` | an empty (or blank) URL fails with 4 instead of 3 |
//! | `url-scheme-code` | `connect.url.scheme` | a scheme other than ws/wss fails with 4 instead of 5 |
//! | `complete-before-success` | `callbacks.complete-once` | every call runs `complete` before `success` / `fail` |
//! | `callback-inside-call` | `order.async` | `success` / `fail` / `complete` decided inside a call run synchronously, before it returns |
//! | `success-after-open` | `connect.success` | `connectSocket`'s `success` / `complete` run after the open event |
//! | `no-task-limit` | `connect.multiple.limit` | any number of sockets may be open at once |
//! | `task-place-not-freed` | `task.limit` | a SocketTask keeps its place against `maxTasks` after it closed |
//! | `off-fn-not-removing` | `listeners.off-one` | `off*(fn)` removes nothing |
//! | `off-all-removes-one` | `listeners.off-all` | `off*()` removes only the first listener of that type |
//! | `binary-without-isbuffer` | `receive.binary` | a binary message is delivered without `isBuffer` |
//! | `close-code-1006` | `close.server` | `onClose` reports 1006 instead of the code the server sent |
//! | `expired-cert-accepted` | `error.7.cert` | an expired certificate is accepted (chain and name still checked) |
//! | `unrequested-subprotocol-accepted` | `error.9.protocol-unrequested` | a subprotocol selected although none was requested opens the socket |
//! | `no-error-12` | `error.12.memory` | a message over `maxMessageBytes` is delivered, without error 12 |
//! | `close-code-not-validated` | `close.invalid-code` | any close code and reason is sent |
//! | `data-not-on-query` | `connect.data` | the `data` argument of `connectSocket` is ignored |
//! | `wss-only-ignored` | `connect.wss-only` | `ws://` connects under `wssOnly` |
//! | `listener-scope-leak` | `listeners.scope` | listeners on `my` also hear every SocketTask |
//! | `listener-added-once` | `listeners.twice` | adding the same function twice makes it run once |
//! | `send-size-not-checked` | `send.too-large` | a message over `maxMessageBytes` is sent |
//! | `connect-timer-not-cleared` | `close.nothing-after` | after a handshake that failed fast, the connect timer still fires: `onError` 6 comes `connectTimeoutMs` after the start, behind `onClose` |
//! | `task-off-all-clears-every-task` | `listeners.off-all` | a task's `off*()` removes that type's listeners of every task |
//! | `close-reason-counts-chars` | `close.invalid-code` | the 123-byte limit of a close reason is counted in characters |
//! | `failed-global-kept` | `connect.single.reopen` | a global socket whose handshake failed is kept: the next global connect fails with 2 |
//! | `concurrency-unlimited` | `connect.concurrency` | where every connect makes a SocketTask (`wx`), no limit on connections at once (caught under the `wechat` profile: [`Mutant::profile`]) |
//!
//! Each of the last five is caught by one scenario written for it:
//! `handshake-failure-no-late-timeout`, `task-off-all-other-task-keeps-listeners`,
//! `close-reason-bytes-not-characters`, `connect-single-reopen-after-failure`
//! and `connect-concurrency-sixth-fails`.
//!
//! Added with the options (every one caught: the runner's kill test runs
//! [`Mutant::every`]; [`Mutant::AWAITING_SCENARIOS`] keeps its name for callers):
//!
//! | mutant | rule of behaviour.md it breaks | the bug |
//! | --- | --- | --- |
//! | `task-error-heard-by-my` | `listeners.scope` | `my.onSocketError` also hears a SocketTask's errors |
//! | `global-call-reaches-task` | `listeners.scope` | with only tasks open, `my.sendSocketMessage` / `my.closeSocket` act on the newest task |
//! | `task-handshake-error-silent` | `task.api` | a task's `onError` is not told of its failed handshake |
//! | `task-off-ignored` | `task.api` | a task's `offOpen` / `offClose` / `offError` remove nothing |
//! | `send-in-open-fails` | `task.send-in-open` | `send` inside an open listener fails with 10 |
//! | `connect-while-closing` | `connect.single.exists` | a global connect while the global socket is CLOSING succeeds |
//! | `allowed-hosts-ignored` | `connect.domain` | a host missing from `allowedHosts` is connected to |
//! | `data-after-close-delivered` | `close.nothing-after` | data the server pushes right behind its close frame is delivered as `onMessage` |
//! | `outcome-settled-for-tasks-only` | `options.consistent` | `connect.outcome` is `settled` for SocketTasks but `accepted` for the global socket |
//!
//! Added with the rules every trace keeps (each failure they cause is
//! reported under the rule the mutant breaks; the runner's
//! `invariants` test checks it):
//!
//! | mutant | rule of behaviour.md it breaks | the bug |
//! | --- | --- | --- |
//! | `close-fired-twice` | `close.nothing-after` | every close event is dispatched twice, so each close listener runs twice |
//!
//! A mutant is selected with [`Behaviour::mutant`](crate::Behaviour::mutant)
//! (for [`My::new`](crate::My::new) or
//! [`spawn_in_process`](crate::spawn_in_process)), or the
//! `reference-adapter` binary's `--mutant NAME` (`--list-mutants` lists
//! them); the adapter then calls itself `reference-impl+mutant:NAME` in its
//! `hello` answer, so reports show which one ran.

use std::fmt;
use std::str::FromStr;

use adapter_protocol::Profile;

/// A deliberately non-conforming variant of the reference implementation:
/// one realistic bug, named after what it gets wrong. See the
/// [module documentation](crate::mutant) for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mutant {
    /// Breaks `connect.url.empty`: a URL that is empty after trimming fails
    /// with 4 (format) instead of 3, as if it were handed to the URL parser.
    UrlEmptyCode,
    /// Breaks `connect.url.scheme`: a scheme other than `ws` or `wss` fails
    /// with 4 (format) instead of 5.
    UrlSchemeCode,
    /// Breaks `callbacks.complete-once` (the order "`success` or `fail`
    /// before `complete`"), and so `connect.success`: every call runs
    /// `complete` first.
    CompleteBeforeSuccess,
    /// Breaks `order.async`: callbacks decided inside a call (validation
    /// failures, `connectSocket`'s success, failures of `send` and `close`)
    /// run synchronously, before the call returns; the adapter writes them
    /// before the call's response with `sync: true`.
    CallbackInsideCall,
    /// Breaks `connect.success`: `connectSocket`'s `success` and `complete`
    /// run once the handshake is over, after the open event (or before the
    /// error event when it fails).
    SuccessAfterOpen,
    /// Breaks `connect.multiple.limit`: no limit on sockets open at once.
    NoTaskLimit,
    /// Breaks `task.limit`: a SocketTask that closed still holds its place
    /// against `maxTasks` (a counter never decremented).
    TaskPlaceNotFreed,
    /// Breaks `listeners.off-one`: `off*(fn)` removes nothing.
    OffFnNotRemoving,
    /// Breaks `listeners.off-all`: `off*()` without an argument removes only
    /// the first listener of that type.
    OffAllRemovesOne,
    /// Breaks `receive.binary`: a binary message is delivered as base64
    /// without `isBuffer`.
    BinaryWithoutIsBuffer,
    /// Breaks `close.server` and `close.open`: `onClose` reports code 1006
    /// instead of the code of the close frame the server sent.
    CloseCode1006,
    /// Breaks `error.7.cert`: an expired server certificate is accepted; the
    /// chain and the host name are still verified (a certificate verifier
    /// that treats "expired" as valid, a classic clock bug).
    ExpiredCertAccepted,
    /// Breaks `error.9.protocol-unrequested`: when no subprotocol was
    /// requested, the response's `Sec-WebSocket-Protocol` is not looked at,
    /// so a server that selects one opens the socket.
    UnrequestedSubprotocolAccepted,
    /// Breaks `error.12.memory`: a received message over `maxMessageBytes`
    /// is delivered, with no error 12 and no close.
    NoError12,
    /// Breaks `close.invalid-code`: any integer code (taken modulo 2^16) and
    /// any reason string is sent in the close frame.
    CloseCodeNotValidated,
    /// Breaks `connect.data`: the `data` argument of `connectSocket` never
    /// reaches the query string.
    DataNotOnQuery,
    /// Breaks `connect.wss-only`: `ws://` URLs connect although the config
    /// says `wssOnly`.
    WssOnlyIgnored,
    /// Breaks `listeners.scope`: listeners on `my` also hear the events of
    /// every SocketTask (after the task's own listeners).
    ListenerScopeLeak,
    /// Breaks `listeners.twice`: adding a function that is already a
    /// listener of that type does nothing, as `addEventListener` does.
    ListenerAddedOnce,
    /// Breaks `send.too-large`: a message over `maxMessageBytes` is sent
    /// instead of failing with 11.
    SendSizeNotChecked,
    /// Breaks `listeners.scope`: `my.onSocketError` listeners also hear the
    /// error events of every SocketTask (a router that sends every error
    /// to the global listeners too).
    TaskErrorHeardByMy,
    /// Breaks `listeners.scope`: when the global socket is absent or CLOSED,
    /// `my.sendSocketMessage` and `my.closeSocket` act on the newest
    /// SocketTask that is not CLOSED.
    GlobalCallReachesTask,
    /// Breaks `task.api`: the error event of a SocketTask's failed
    /// handshake reaches no listener of the task (its close still does).
    TaskHandshakeErrorSilent,
    /// Breaks `task.api`: a SocketTask's `offOpen`, `offClose` and
    /// `offError` remove nothing (`offMessage` works).
    TaskOffIgnored,
    /// Breaks `task.send-in-open`: `send` (and `sendSocketMessage`) called
    /// while the socket's open event is being dispatched fails with 10.
    SendInOpenFails,
    /// Breaks `connect.single.exists`: a global connect while the global
    /// socket is CLOSING succeeds (CONNECTING and OPEN still fail with 2).
    ConnectWhileClosing,
    /// Breaks `connect.domain`: the config's `allowedHosts` is not looked at.
    AllowedHostsIgnored,
    /// Breaks `close.nothing-after`: text and binary frames that the server
    /// sends right behind its close frame are delivered as message events
    /// (before the close event).
    DataAfterCloseDelivered,
    /// Breaks `options.consistent`: `connect.outcome` takes option `settled`
    /// for SocketTasks but `accepted` for the global socket.
    OutcomeSettledForTasksOnly,
    /// Breaks `close.nothing-after`: the connect timer is not cleared when a
    /// handshake fails before it runs out, so `onError` 6 follows the
    /// failure's `onClose` once `connectTimeoutMs` has passed.
    ConnectTimerNotCleared,
    /// Breaks `listeners.off-all`: a SocketTask's `off*()` without an
    /// argument removes the listeners of that type of every task (a
    /// listener table keyed by type alone).
    TaskOffAllClearsEveryTask,
    /// Breaks `close.invalid-code`: a close reason's limit of 123 is counted
    /// in characters, so 42 characters of three bytes (126 bytes) pass.
    CloseReasonCountsChars,
    /// Breaks `connect.single.reopen`: the global socket of a failed
    /// handshake is kept, so the next global connect fails with 2 (a
    /// normal close still frees it).
    FailedGlobalKept,
    /// Breaks `connect.concurrency`: where every connect makes a SocketTask
    /// (`wx`), connections are not limited (the limit is checked only for
    /// `multiple`).
    ConcurrencyUnlimited,
    /// Breaks `close.nothing-after`: a socket's close event is dispatched
    /// twice (the close-frame handler and the end of the stream each
    /// report it), so every close listener runs twice.
    CloseFiredTwice,
}

impl Mutant {
    /// Every mutant that the current scenarios must catch, in the order of
    /// the module documentation's table (see [`Mutant::every`] for all).
    pub const ALL: &'static [Mutant] = &[
        Mutant::UrlEmptyCode,
        Mutant::UrlSchemeCode,
        Mutant::CompleteBeforeSuccess,
        Mutant::CallbackInsideCall,
        Mutant::SuccessAfterOpen,
        Mutant::NoTaskLimit,
        Mutant::TaskPlaceNotFreed,
        Mutant::OffFnNotRemoving,
        Mutant::OffAllRemovesOne,
        Mutant::BinaryWithoutIsBuffer,
        Mutant::CloseCode1006,
        Mutant::ExpiredCertAccepted,
        Mutant::UnrequestedSubprotocolAccepted,
        Mutant::NoError12,
        Mutant::CloseCodeNotValidated,
        Mutant::DataNotOnQuery,
        Mutant::WssOnlyIgnored,
        Mutant::ListenerScopeLeak,
        Mutant::ListenerAddedOnce,
        Mutant::SendSizeNotChecked,
        Mutant::ConnectTimerNotCleared,
        Mutant::TaskOffAllClearsEveryTask,
        Mutant::CloseReasonCountsChars,
        Mutant::FailedGlobalKept,
        Mutant::ConcurrencyUnlimited,
    ];

    /// The mutants added with the options issue, for rules its scenarios
    /// check (the scope of listeners, a task's `off*` and `onError`, `send`
    /// in an open listener, `allowedHosts`, data behind a close frame) and
    /// for `options.consistent`. The runner's kill test runs them with
    /// [`Mutant::ALL`] through [`Mutant::every`].
    pub const AWAITING_SCENARIOS: &'static [Mutant] = &[
        Mutant::TaskErrorHeardByMy,
        Mutant::GlobalCallReachesTask,
        Mutant::TaskHandshakeErrorSilent,
        Mutant::TaskOffIgnored,
        Mutant::SendInOpenFails,
        Mutant::ConnectWhileClosing,
        Mutant::AllowedHostsIgnored,
        Mutant::DataAfterCloseDelivered,
        Mutant::OutcomeSettledForTasksOnly,
    ];

    /// The mutants added with the rules every trace keeps: each breaks
    /// one of them, and every scenario it fails is reported under that rule.
    pub const BREAKING_TRACE_RULES: &'static [Mutant] = &[Mutant::CloseFiredTwice];

    /// Every mutant: [`Mutant::ALL`], then [`Mutant::AWAITING_SCENARIOS`],
    /// then [`Mutant::BREAKING_TRACE_RULES`].
    pub fn every() -> impl Iterator<Item = Mutant> {
        Mutant::ALL
            .iter()
            .chain(Mutant::AWAITING_SCENARIOS)
            .chain(Mutant::BREAKING_TRACE_RULES)
            .copied()
    }

    /// The mutant's kebab-case name, as `--mutant` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::UrlEmptyCode => "url-empty-code",
            Mutant::UrlSchemeCode => "url-scheme-code",
            Mutant::CompleteBeforeSuccess => "complete-before-success",
            Mutant::CallbackInsideCall => "callback-inside-call",
            Mutant::SuccessAfterOpen => "success-after-open",
            Mutant::NoTaskLimit => "no-task-limit",
            Mutant::TaskPlaceNotFreed => "task-place-not-freed",
            Mutant::OffFnNotRemoving => "off-fn-not-removing",
            Mutant::OffAllRemovesOne => "off-all-removes-one",
            Mutant::BinaryWithoutIsBuffer => "binary-without-isbuffer",
            Mutant::CloseCode1006 => "close-code-1006",
            Mutant::ExpiredCertAccepted => "expired-cert-accepted",
            Mutant::UnrequestedSubprotocolAccepted => "unrequested-subprotocol-accepted",
            Mutant::NoError12 => "no-error-12",
            Mutant::CloseCodeNotValidated => "close-code-not-validated",
            Mutant::DataNotOnQuery => "data-not-on-query",
            Mutant::WssOnlyIgnored => "wss-only-ignored",
            Mutant::ListenerScopeLeak => "listener-scope-leak",
            Mutant::ListenerAddedOnce => "listener-added-once",
            Mutant::SendSizeNotChecked => "send-size-not-checked",
            Mutant::TaskErrorHeardByMy => "task-error-heard-by-my",
            Mutant::GlobalCallReachesTask => "global-call-reaches-task",
            Mutant::TaskHandshakeErrorSilent => "task-handshake-error-silent",
            Mutant::TaskOffIgnored => "task-off-ignored",
            Mutant::SendInOpenFails => "send-in-open-fails",
            Mutant::ConnectWhileClosing => "connect-while-closing",
            Mutant::AllowedHostsIgnored => "allowed-hosts-ignored",
            Mutant::DataAfterCloseDelivered => "data-after-close-delivered",
            Mutant::OutcomeSettledForTasksOnly => "outcome-settled-for-tasks-only",
            Mutant::ConnectTimerNotCleared => "connect-timer-not-cleared",
            Mutant::TaskOffAllClearsEveryTask => "task-off-all-clears-every-task",
            Mutant::CloseReasonCountsChars => "close-reason-counts-chars",
            Mutant::FailedGlobalKept => "failed-global-kept",
            Mutant::ConcurrencyUnlimited => "concurrency-unlimited",
            Mutant::CloseFiredTwice => "close-fired-twice",
        }
    }

    /// The id of the behaviour.md rule the mutant breaks.
    pub fn rule(self) -> &'static str {
        match self {
            Mutant::UrlEmptyCode => "connect.url.empty",
            Mutant::UrlSchemeCode => "connect.url.scheme",
            Mutant::CompleteBeforeSuccess => "callbacks.complete-once",
            Mutant::SuccessAfterOpen => "connect.success",
            Mutant::CallbackInsideCall => "order.async",
            Mutant::NoTaskLimit => "connect.multiple.limit",
            Mutant::TaskPlaceNotFreed => "task.limit",
            Mutant::OffFnNotRemoving => "listeners.off-one",
            Mutant::OffAllRemovesOne => "listeners.off-all",
            Mutant::BinaryWithoutIsBuffer => "receive.binary",
            Mutant::CloseCode1006 => "close.server",
            Mutant::ExpiredCertAccepted => "error.7.cert",
            Mutant::UnrequestedSubprotocolAccepted => "error.9.protocol-unrequested",
            Mutant::NoError12 => "error.12.memory",
            Mutant::CloseCodeNotValidated => "close.invalid-code",
            Mutant::DataNotOnQuery => "connect.data",
            Mutant::WssOnlyIgnored => "connect.wss-only",
            Mutant::ListenerScopeLeak => "listeners.scope",
            Mutant::ListenerAddedOnce => "listeners.twice",
            Mutant::SendSizeNotChecked => "send.too-large",
            Mutant::TaskErrorHeardByMy | Mutant::GlobalCallReachesTask => "listeners.scope",
            Mutant::TaskHandshakeErrorSilent | Mutant::TaskOffIgnored => "task.api",
            Mutant::SendInOpenFails => "task.send-in-open",
            Mutant::ConnectWhileClosing => "connect.single.exists",
            Mutant::AllowedHostsIgnored => "connect.domain",
            Mutant::DataAfterCloseDelivered => "close.nothing-after",
            Mutant::OutcomeSettledForTasksOnly => "options.consistent",
            Mutant::ConnectTimerNotCleared => "close.nothing-after",
            Mutant::TaskOffAllClearsEveryTask => "listeners.off-all",
            Mutant::CloseReasonCountsChars => "close.invalid-code",
            Mutant::FailedGlobalKept => "connect.single.reopen",
            Mutant::ConcurrencyUnlimited => "connect.concurrency",
            Mutant::CloseFiredTwice => "close.nothing-after",
        }
    }

    /// One line on what the mutant gets wrong.
    pub fn summary(self) -> &'static str {
        match self {
            Mutant::UrlEmptyCode => "an empty URL fails with 4 instead of 3",
            Mutant::UrlSchemeCode => "a scheme other than ws/wss fails with 4 instead of 5",
            Mutant::CompleteBeforeSuccess => "complete runs before success / fail",
            Mutant::CallbackInsideCall => "callbacks run synchronously inside the call",
            Mutant::SuccessAfterOpen => "connectSocket's success / complete run after onOpen",
            Mutant::NoTaskLimit => "no limit on open sockets",
            Mutant::TaskPlaceNotFreed => "a closed SocketTask keeps its place against maxTasks",
            Mutant::OffFnNotRemoving => "off*(fn) removes nothing",
            Mutant::OffAllRemovesOne => "off*() removes only the first listener",
            Mutant::BinaryWithoutIsBuffer => "binary messages are delivered without isBuffer",
            Mutant::CloseCode1006 => "onClose reports 1006 instead of the server's code",
            Mutant::ExpiredCertAccepted => "an expired certificate is accepted",
            Mutant::UnrequestedSubprotocolAccepted => {
                "a subprotocol selected though none was requested opens"
            }
            Mutant::NoError12 => "an oversize message is delivered without error 12",
            Mutant::CloseCodeNotValidated => "any close code and reason is sent",
            Mutant::DataNotOnQuery => "connectSocket's data is not put on the query string",
            Mutant::WssOnlyIgnored => "ws:// connects under wssOnly",
            Mutant::ListenerScopeLeak => "listeners on my also hear SocketTasks",
            Mutant::ListenerAddedOnce => "a listener added twice runs once",
            Mutant::SendSizeNotChecked => "an oversize message is sent instead of failing with 11",
            Mutant::TaskErrorHeardByMy => "my.onSocketError also hears SocketTask errors",
            Mutant::GlobalCallReachesTask => {
                "with only tasks open, my.sendSocketMessage / my.closeSocket act on a task"
            }
            Mutant::TaskHandshakeErrorSilent => "a task's onError misses its failed handshake",
            Mutant::TaskOffIgnored => "a task's offOpen / offClose / offError remove nothing",
            Mutant::SendInOpenFails => "send inside an open listener fails with 10",
            Mutant::ConnectWhileClosing => "connect while the global socket is CLOSING succeeds",
            Mutant::AllowedHostsIgnored => "allowedHosts is ignored",
            Mutant::DataAfterCloseDelivered => "data behind the server's close frame is delivered",
            Mutant::OutcomeSettledForTasksOnly => {
                "connect.outcome is settled for tasks, accepted for the global socket"
            }
            Mutant::ConnectTimerNotCleared => {
                "after a fast handshake failure, error 6 comes at connectTimeoutMs, after onClose"
            }
            Mutant::TaskOffAllClearsEveryTask => {
                "a task's off*() removes that type's listeners of every task"
            }
            Mutant::CloseReasonCountsChars => "a close reason's 123-byte limit counts characters",
            Mutant::FailedGlobalKept => {
                "after a failed handshake the next global connect fails with 2"
            }
            Mutant::ConcurrencyUnlimited => {
                "no limit on connections where every connect makes a SocketTask (wx)"
            }
            Mutant::CloseFiredTwice => "every close listener runs twice",
        }
    }

    /// The profile under which the suite catches the mutant: the first of
    /// [`Profile::ALL`] (the default first) whose face has what the mutant
    /// breaks (for `concurrency-unlimited`, a connect that always returns a
    /// SocketTask: `wechat`). The runner's kill test runs each mutant under it.
    pub fn profile(self) -> Profile {
        let needs_connect_returning_tasks = self == Mutant::ConcurrencyUnlimited;
        Profile::ALL
            .into_iter()
            .find(|p| !needs_connect_returning_tasks || p.face.connect_always_returns_task)
            .unwrap_or_default()
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a [`Mutant`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mutant `{0}` (`reference-adapter --list-mutants` lists them)")]
pub struct UnknownMutant(pub String);

impl FromStr for Mutant {
    type Err = UnknownMutant;

    /// The mutant of this kebab-case [`name`](Mutant::name).
    fn from_str(name: &str) -> Result<Mutant, UnknownMutant> {
        Mutant::every()
            .find(|m| m.name() == name)
            .ok_or_else(|| UnknownMutant(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Mutant::every().map(|m| m.name()).collect();
        for m in Mutant::every() {
            assert_eq!(m.name().parse::<Mutant>(), Ok(m));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Mutant::every().count());
        assert_eq!(
            "bogus".parse::<Mutant>(),
            Err(UnknownMutant("bogus".into()))
        );
    }
}
