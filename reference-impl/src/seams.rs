//! The named seams of the reference implementation: one decision function
//! per rule of behaviour.md that a [`Mutant`] breaks or a variant answers
//! otherwise. The code paths ask these questions and never name a mutant;
//! each function holds the conforming answer and every other answer to its
//! question, in one place.
//!
//! Reading a seam's body gives the rule (its first, conforming arm) and
//! every deviation from it that this crate can run.

use adapter_protocol::{Config, EventType};

use crate::codes::ErrorCode;
use crate::mutant::Mutant;

/// Which socket a decision is about: the global one or a SocketTask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    /// The global socket, driven by `my.*`.
    Global,
    /// A SocketTask.
    Task,
}

/// When `connectSocket`'s `success` / `fail` and `complete` run
/// (`connect.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectOutcome {
    /// `accepted`: inside the call's turn, once the request is accepted; the
    /// handshake's result comes as events.
    Accepted,
    /// [`Mutant::SuccessAfterOpen`]: `success` once the handshake is over,
    /// after the open event, or before the error event when it fails.
    SuccessAfterOpen,
}

impl ConnectOutcome {
    /// The call's callbacks are queued by the call itself.
    pub(crate) fn reported_by_the_call(self) -> bool {
        self == ConnectOutcome::Accepted
    }

    /// The outcome reported right before the open event, if any.
    pub(crate) fn before_open(self) -> Option<Result<(), ErrorCode>> {
        None
    }

    /// The outcome reported right after the open event, if any.
    pub(crate) fn after_open(self) -> Option<Result<(), ErrorCode>> {
        match self {
            ConnectOutcome::SuccessAfterOpen => Some(Ok(())),
            ConnectOutcome::Accepted => None,
        }
    }

    /// The outcome reported right before the error event of a handshake
    /// that failed with `code`, if any.
    pub(crate) fn before_failure(self, _code: ErrorCode) -> Option<Result<(), ErrorCode>> {
        match self {
            ConnectOutcome::SuccessAfterOpen => Some(Ok(())),
            ConnectOutcome::Accepted => None,
        }
    }

    /// The outcome reported when `close` abandons the handshake, right
    /// before that close's own callbacks, if any.
    pub(crate) fn on_abandon(self) -> Option<Result<(), ErrorCode>> {
        None
    }
}

/// What `off*` removes (`listeners.off-one`, `listeners.off-all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Removal {
    /// Every occurrence of the named function.
    EveryOccurrence,
    /// Every listener of the type.
    All,
    /// Only the first listener of the type.
    FirstOnly,
    /// Nothing.
    Nothing,
}

/// The answers of one context to every rule that can be answered otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Seams {
    mutant: Option<Mutant>,
}

impl Seams {
    /// The seams of a context running `mutant` (`None`: conforming).
    pub(crate) fn new(mutant: Option<Mutant>) -> Seams {
        Seams { mutant }
    }

    /// The mutant these seams run, if any.
    pub(crate) fn mutant(&self) -> Option<Mutant> {
        self.mutant
    }

    fn runs(&self, mutant: Mutant) -> bool {
        self.mutant == Some(mutant)
    }

    // ------------------------------------------------------ connectSocket

    /// `connect.url.empty`: the code for a `url` of "" (absent and null are
    /// always 3).
    pub(crate) fn code_for_empty_url(&self) -> ErrorCode {
        if self.runs(Mutant::UrlEmptyCode) {
            return ErrorCode::UrlFormat;
        }
        ErrorCode::UrlEmpty
    }

    /// `connect.url.empty` and [impl-defined] `connect.url.blank`: the code
    /// for a `url` of white space only.
    pub(crate) fn code_for_blank_url(&self) -> ErrorCode {
        if self.runs(Mutant::UrlEmptyCode) {
            return ErrorCode::UrlFormat;
        }
        ErrorCode::UrlEmpty
    }

    /// `connect.url.scheme`: the code for a scheme other than ws or wss.
    pub(crate) fn code_for_bad_scheme(&self) -> ErrorCode {
        if self.runs(Mutant::UrlSchemeCode) {
            return ErrorCode::UrlFormat;
        }
        ErrorCode::UrlScheme
    }

    /// `connect.wss-only`: whether `ws://` is refused under this config.
    pub(crate) fn refuses_ws(&self, config: &Config) -> bool {
        config.wss_only && !self.runs(Mutant::WssOnlyIgnored)
    }

    /// `connect.wss-only` [impl-defined `connect.wss-only.code`]: the code.
    pub(crate) fn code_for_ws_under_wss_only(&self) -> ErrorCode {
        ErrorCode::InvalidHandshake
    }

    /// `connect.data`: whether `data` is put on the query string.
    pub(crate) fn data_on_query(&self) -> bool {
        !self.runs(Mutant::DataNotOnQuery)
    }

    /// `connect.multiple.limit`: how many sockets may be not CLOSED at once.
    pub(crate) fn socket_limit(&self, config: &Config) -> Option<usize> {
        if self.runs(Mutant::NoTaskLimit) {
            return None;
        }
        Some(config.max_tasks as usize)
    }

    /// `connect.multiple.limit` [impl-defined `connect.multiple.limit.code`]:
    /// the code of a connect over the limit.
    pub(crate) fn code_for_socket_limit(&self) -> ErrorCode {
        ErrorCode::Unknown
    }

    /// `task.limit`: whether a SocketTask that closed still holds its place.
    pub(crate) fn closed_task_keeps_place(&self) -> bool {
        self.runs(Mutant::TaskPlaceNotFreed)
    }

    /// `connect.success` and `connect.outcome`: when a connect's callbacks run.
    pub(crate) fn connect_outcome(&self, _scope: Scope) -> ConnectOutcome {
        if self.runs(Mutant::SuccessAfterOpen) {
            return ConnectOutcome::SuccessAfterOpen;
        }
        ConnectOutcome::Accepted
    }

    // -------------------------------------------------------- the handshake

    /// `error.7.cert`: whether an expired certificate is accepted.
    pub(crate) fn accepts_expired_certificate(&self) -> bool {
        self.runs(Mutant::ExpiredCertAccepted)
    }

    /// `error.9.protocol-unrequested`: whether the response's subprotocol is
    /// looked at when none was offered.
    pub(crate) fn checks_unrequested_subprotocol(&self) -> bool {
        !self.runs(Mutant::UnrequestedSubprotocolAccepted)
    }

    // ---------------------------------------------------- callbacks, order

    /// The order "`success` or `fail` before `complete`": `true` when
    /// `complete` runs first.
    pub(crate) fn complete_before_outcome(&self) -> bool {
        self.runs(Mutant::CompleteBeforeSuccess)
    }

    /// `order.async`: whether callbacks decided inside a call run before it
    /// returns.
    pub(crate) fn callbacks_inside_call(&self) -> bool {
        self.runs(Mutant::CallbackInsideCall)
    }

    // -------------------------------------------------------------- sending

    /// `send.too-large`: whether a message over `maxMessageBytes` is refused.
    pub(crate) fn checks_send_size(&self) -> bool {
        !self.runs(Mutant::SendSizeNotChecked)
    }

    // ------------------------------------------------------------ receiving

    /// `receive.binary`: whether a binary message carries `isBuffer: true`.
    pub(crate) fn binary_has_is_buffer(&self) -> bool {
        !self.runs(Mutant::BinaryWithoutIsBuffer)
    }

    /// `error.12.memory`: whether a received message over `maxMessageBytes`
    /// is refused.
    pub(crate) fn limits_received_messages(&self) -> bool {
        !self.runs(Mutant::NoError12)
    }

    // -------------------------------------------------------------- closing

    /// `close.invalid-code`: whether code and reason are checked.
    pub(crate) fn validates_close_frame(&self) -> bool {
        !self.runs(Mutant::CloseCodeNotValidated)
    }

    /// `close.server`: the code `onClose` reports for a close frame that
    /// carried `sent`.
    pub(crate) fn reported_close_code(&self, sent: u16) -> u16 {
        if self.runs(Mutant::CloseCode1006) {
            return 1006;
        }
        sent
    }

    // ------------------------------------------------------------ listeners

    /// `listeners.twice`: whether a function already listening is added again.
    pub(crate) fn adds_listener_again(&self) -> bool {
        !self.runs(Mutant::ListenerAddedOnce)
    }

    /// `listeners.off-one` (`all` false) and `listeners.off-all` (`all` true):
    /// what `off*` removes.
    pub(crate) fn removal(&self, all: bool) -> Removal {
        match all {
            false if self.runs(Mutant::OffFnNotRemoving) => Removal::Nothing,
            false => Removal::EveryOccurrence,
            true if self.runs(Mutant::OffAllRemovesOne) => Removal::FirstOnly,
            true => Removal::All,
        }
    }

    /// `listeners.scope`: whether the listeners on `my` also hear an event
    /// of type `event_type` of a SocketTask.
    pub(crate) fn my_hears_task_event(&self, _event_type: EventType) -> bool {
        self.runs(Mutant::ListenerScopeLeak)
    }
}
