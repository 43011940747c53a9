//! The named seams of the reference implementation: one decision function
//! per rule of behaviour.md that a [`Mutant`] breaks or a [`Variant`] answers
//! otherwise. The code paths ask these questions and never name a mutant;
//! each function holds the conforming answer and every other answer to its
//! question, in one place.
//!
//! Reading a seam's body gives the rule (its first, conforming arm) and
//! every deviation from it that this crate can run.

use std::time::Duration;

use adapter_protocol::{Config, EventType, Method, Profile};
use serde_json::{json, Value};
use spec::{Argument, Binary, ErrorCode, Face, Payload};

use crate::mutant::Mutant;
use crate::types::ReadyState;
use crate::variant::{Variant, Variants};

/// What a reference context runs: the rules of one profile, the
/// reference's own option of every [impl-defined] rule except those
/// `variants` take, and at most one deliberate bug.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// A deliberate bug (see [`Mutant`]); `None` conforms.
    pub mutant: Option<Mutant>,
    /// Other conforming options of [impl-defined] rules (see [`Variant`]).
    pub variants: Variants,
    /// The edition of the API served (default `alipay-2022-09`): where a
    /// profile's source decides a point, its rule wins over a variant.
    pub profile: Profile,
}

impl Behaviour {
    /// The reference itself: conforming, every rule's first option.
    pub fn reference() -> Behaviour {
        Behaviour::default()
    }

    /// The reference running `mutant` (`None`: the reference itself).
    pub fn mutant(mutant: Option<Mutant>) -> Behaviour {
        Behaviour {
            mutant,
            variants: Variants::none(),
            profile: Profile::default(),
        }
    }

    /// The same behaviour serving `profile` instead.
    pub fn with_profile(self, profile: Profile) -> Behaviour {
        Behaviour { profile, ..self }
    }

    /// The same behaviour with these variants instead.
    pub fn with_variants(self, variants: Variants) -> Behaviour {
        Behaviour { variants, ..self }
    }

    /// The adapter's name in its `hello` answer: `reference-impl`, then
    /// `+profile:NAME` (other than the default), `+mutant:NAME` and
    /// `+variant:rule=option,…` when they apply.
    pub fn adapter_name(&self) -> String {
        let mut name = String::from("reference-impl");
        if !self.profile.is_default() {
            name.push_str(&format!("+profile:{}", self.profile));
        }
        if let Some(mutant) = self.mutant {
            name.push_str(&format!("+mutant:{mutant}"));
        }
        if !self.variants.is_empty() {
            name.push_str(&format!("+variant:{}", self.variants));
        }
        name
    }
}

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
    /// `settled`: `success` right before the open event; `fail` with the
    /// error's code right before the error event of a failed handshake;
    /// `fail` 1 when `close` abandons the handshake.
    Settled,
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
        (self == ConnectOutcome::Settled).then_some(Ok(()))
    }

    /// The outcome reported right after the open event, if any.
    pub(crate) fn after_open(self) -> Option<Result<(), ErrorCode>> {
        match self {
            ConnectOutcome::SuccessAfterOpen => Some(Ok(())),
            ConnectOutcome::Accepted | ConnectOutcome::Settled => None,
        }
    }

    /// The outcome reported right before the error event of a handshake
    /// that failed with `code`, if any.
    pub(crate) fn before_failure(self, code: ErrorCode) -> Option<Result<(), ErrorCode>> {
        match self {
            ConnectOutcome::Settled => Some(Err(code)),
            ConnectOutcome::SuccessAfterOpen => Some(Ok(())),
            ConnectOutcome::Accepted => None,
        }
    }

    /// The outcome reported when `close` abandons the handshake, right
    /// before that close's own callbacks, if any.
    pub(crate) fn on_abandon(self) -> Option<Result<(), ErrorCode>> {
        (self == ConnectOutcome::Settled).then_some(Err(ErrorCode::Unknown))
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
    behaviour: Behaviour,
}

/// How a connect to a host missing from `allowedHosts` is reported
/// (`connect.domain.report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DomainReport {
    /// The call fails with this code, before any traffic.
    CallFails(ErrorCode),
    /// The call succeeds; `onError` with this code and `onClose` 1006 follow,
    /// with no traffic.
    Events(ErrorCode),
}

/// How the socket ends after error 12 (`error.12.close`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterError12 {
    /// A close handshake with 1009; `onClose` 1009.
    CloseHandshake,
    /// A close handshake with another code (1000); `onClose` 1000, the code
    /// the server's answer echoes.
    CloseHandshakeOtherCode,
    /// The connection is dropped; `onClose` 1006.
    Drop,
}

/// What becomes of a frame the server sends behind its close frame
/// (`close.nothing-after`, `close.data-after-close`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataAfterClose {
    /// Discarded: `onClose` alone, as the close frame said.
    Ignored,
    /// A protocol error: `onError` 1, then `onClose` as the close frame said.
    ErrorThenClose,
    /// Delivered as a message before `onClose` (a mutant: it breaks
    /// `close.nothing-after`).
    Delivered,
}

impl Seams {
    /// The seams of a context that runs `behaviour`.
    pub(crate) fn new(behaviour: Behaviour) -> Seams {
        Seams { behaviour }
    }

    /// What these seams run.
    pub(crate) fn behaviour(&self) -> &Behaviour {
        &self.behaviour
    }

    fn runs(&self, mutant: Mutant) -> bool {
        self.behaviour.mutant == Some(mutant)
    }

    /// Whether the context takes `variant`'s option: where the profile's
    /// source decides the variant's rule, the profile's option, whatever
    /// the variants; elsewhere, whether the variants hold it.
    fn takes(&self, variant: Variant) -> bool {
        match self.profile().decided_option(variant.rule()) {
            Some(option) => option == variant.option(),
            None => self.behaviour.variants.contains(variant),
        }
    }

    fn profile(&self) -> Profile {
        self.behaviour.profile
    }

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
        if self.runs(Mutant::UrlEmptyCode) || self.takes(Variant::ConnectUrlBlank4) {
            return ErrorCode::UrlFormat;
        }
        ErrorCode::UrlEmpty
    }

    /// `connect.url.format` and [impl-defined] `connect.url.relative`: the
    /// code for a relative URL (`example.com/x`).
    pub(crate) fn code_for_relative_url(&self) -> ErrorCode {
        if self.takes(Variant::ConnectUrlRelative5) {
            return ErrorCode::UrlScheme;
        }
        ErrorCode::UrlFormat
    }

    /// `connect.url.format`: the code for an argument of the wrong type
    /// (`url` not a string, `timeout` not a number), the profile's: 4 by
    /// default; `alipay-current` and `wechat` have 2, invalid argument
    /// ([rev 2022-11] my.connectSocket, code 2; WeChat's parameter check).
    pub(crate) fn code_for_wrong_type(&self) -> ErrorCode {
        self.profile().wrong_type_code
    }

    /// The `timeout` argument (ms): its deadline replaces `connectTimeoutMs`
    /// for that connect (error 6 after it) where the profile has the
    /// argument (`alipay-current`, `wechat`; the seed has none).
    pub(crate) fn connect_deadline(&self, config: &Config, timeout_ms: Option<u64>) -> Duration {
        let configured = Duration::from_millis(config.connect_timeout_ms);
        match timeout_ms {
            Some(ms) if ms > 0 && self.reads_timeout_argument() => Duration::from_millis(ms),
            _ => configured,
        }
    }

    /// Whether a `timeout` argument is read (and so its type checked).
    pub(crate) fn reads_timeout_argument(&self) -> bool {
        self.profile().has_argument(Argument::Timeout)
    }

    /// `connect.url.scheme` [impl-defined `connect.url.scheme-case`]:
    /// whether the scheme must be written in lower case.
    pub(crate) fn scheme_is_case_sensitive(&self) -> bool {
        self.takes(Variant::ConnectUrlSchemeCaseSensitive)
    }

    /// [impl-defined] `connect.check-order`: whether `connect.single.exists`
    /// is checked before the URL.
    pub(crate) fn single_exists_checked_first(&self) -> bool {
        self.takes(Variant::ConnectCheckOrderSingleFirst)
    }

    /// `connect.single.exists`: the profile's code: 2 by default, 3 under
    /// `alipay-current` ([rev 2022-11] my.connectSocket, code 3).
    pub(crate) fn code_for_existing_single(&self) -> ErrorCode {
        self.profile().single_exists_code
    }

    /// `connect.single.exists`: whether a global socket in `state` refuses
    /// a new global connect.
    pub(crate) fn global_refuses_connect(&self, state: ReadyState) -> bool {
        match state {
            ReadyState::Closing if self.runs(Mutant::ConnectWhileClosing) => false,
            ReadyState::Connecting | ReadyState::Open | ReadyState::Closing => true,
            ReadyState::Closed => false,
        }
    }

    /// `connect.domain`: whether `allowedHosts` is looked at.
    pub(crate) fn honours_allowed_hosts(&self) -> bool {
        !self.runs(Mutant::AllowedHostsIgnored)
    }

    /// [impl-defined] `connect.domain.report`.
    pub(crate) fn domain_report(&self) -> DomainReport {
        if self.takes(Variant::ConnectDomainReportEvent65) {
            return DomainReport::Events(ErrorCode::DomainNotAllowed);
        }
        if self.takes(Variant::ConnectDomainReportEvent1) {
            return DomainReport::Events(ErrorCode::Unknown);
        }
        DomainReport::CallFails(ErrorCode::Unknown)
    }

    /// [impl-defined] `connect.header.reserved`: the code of a connect whose
    /// `header` names a handshake header, or `None` when such an entry is
    /// dropped.
    pub(crate) fn code_for_reserved_header(&self) -> Option<ErrorCode> {
        self.takes(Variant::ConnectHeaderReservedRefused)
            .then_some(ErrorCode::InvalidArgument)
    }

    /// [impl-defined] `connect.protocols`: whether the `protocols` argument
    /// offers subprotocols.
    /// `alipay-current` and `wechat` decide `honoured`: their sources have it.
    pub(crate) fn honours_protocols_argument(&self) -> bool {
        !self.takes(Variant::ConnectProtocolsIgnored)
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

    /// `connect.wss-only` [impl-defined `connect.wss-only.code`]: the code;
    /// `alipay-current` decides 20 ([rev 2022-11] my.connectSocket, code 20).
    pub(crate) fn code_for_ws_under_wss_only(&self) -> ErrorCode {
        if self.takes(Variant::ConnectWssOnlyCode20) {
            return ErrorCode::WssRequired;
        }
        ErrorCode::InvalidHandshake
    }

    /// `connect.data`: whether `data` is put on the query string (where
    /// the profile has the argument: `wx` has no `data`).
    pub(crate) fn data_on_query(&self) -> bool {
        !self.runs(Mutant::DataNotOnQuery) && self.profile().has_argument(Argument::Data)
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
        if self.takes(Variant::ConnectMultipleLimitCode2) {
            return ErrorCode::AlreadyConnected;
        }
        ErrorCode::Unknown
    }

    /// [impl-defined] `connect.multiple.limit.global`: whether the global
    /// socket is one of the `maxTasks`.
    pub(crate) fn global_counts_against_limit(&self) -> bool {
        !self.takes(Variant::ConnectMultipleLimitGlobalSeparate)
    }

    /// `task.limit`: whether a SocketTask that closed still holds its place.
    pub(crate) fn closed_task_keeps_place(&self) -> bool {
        self.runs(Mutant::TaskPlaceNotFreed)
    }

    /// `connect.success` and `connect.outcome`: when a connect's callbacks run.
    pub(crate) fn connect_outcome(&self, scope: Scope) -> ConnectOutcome {
        if self.runs(Mutant::SuccessAfterOpen) {
            return ConnectOutcome::SuccessAfterOpen;
        }
        if self.runs(Mutant::OutcomeSettledForTasksOnly) {
            return match scope {
                Scope::Task => ConnectOutcome::Settled,
                Scope::Global => ConnectOutcome::Accepted,
            };
        }
        if self.takes(Variant::ConnectOutcomeSettled) {
            return ConnectOutcome::Settled;
        }
        ConnectOutcome::Accepted
    }

    /// [impl-defined] `connect.failure-close`: whether `onClose` 1006
    /// follows the `onError` of a failed handshake.
    pub(crate) fn close_follows_failed_handshake(&self) -> bool {
        !self.takes(Variant::ConnectFailureCloseSilent)
    }

    /// `task.api`: whether a SocketTask's listeners hear the error event of
    /// its failed handshake.
    pub(crate) fn task_hears_handshake_error(&self) -> bool {
        !self.runs(Mutant::TaskHandshakeErrorSilent)
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

    /// `error.9.protocol-unrequested` [impl-defined `error.9.code`]: the code.
    pub(crate) fn code_for_unrequested_subprotocol(&self) -> ErrorCode {
        if self.takes(Variant::Error9Code8) {
            return ErrorCode::InvalidHandshake;
        }
        ErrorCode::ProtocolUnrequested
    }

    /// [impl-defined] `connect.no-subprotocol`: whether a 101 that selects
    /// none of the offered subprotocols fails (with 8).
    pub(crate) fn fails_without_selected_subprotocol(&self) -> bool {
        !self.takes(Variant::ConnectNoSubprotocolOpen)
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

    /// `send.invalid` [impl-defined `send.invalid.code`]: the code.
    pub(crate) fn code_for_invalid_send(&self) -> ErrorCode {
        if self.takes(Variant::SendInvalidCode1) {
            return ErrorCode::Unknown;
        }
        if self.takes(Variant::SendInvalidCode2) {
            return ErrorCode::InvalidArgument;
        }
        ErrorCode::SendFailed
    }

    /// `task.send-in-open`: whether `send` works inside an open listener.
    pub(crate) fn sends_inside_open_listener(&self) -> bool {
        !self.runs(Mutant::SendInOpenFails)
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

    /// [impl-defined] `error.12.close`: how the socket ends after error 12.
    pub(crate) fn after_error_12(&self) -> AfterError12 {
        if self.takes(Variant::Error12Close1006) {
            return AfterError12::Drop;
        }
        if self.takes(Variant::Error12CloseOtherCode) {
            return AfterError12::CloseHandshakeOtherCode;
        }
        AfterError12::CloseHandshake
    }

    // -------------------------------------------------------------- closing

    /// `close.invalid-code`: whether code and reason are checked.
    pub(crate) fn validates_close_frame(&self) -> bool {
        !self.runs(Mutant::CloseCodeNotValidated)
    }

    /// `error.1.network` [impl-defined `error.1.network.code`, open only
    /// under the profile `alipay-current`]: the code of a network failure
    /// before open.
    pub(crate) fn code_for_network_failure(&self) -> ErrorCode {
        if self.takes(Variant::Error1NetworkCode50) {
            return ErrorCode::NetworkFault;
        }
        ErrorCode::Unknown
    }

    /// `close.invalid-code` [impl-defined `close.invalid-code.code`]: the code.
    pub(crate) fn code_for_invalid_close(&self) -> ErrorCode {
        if self.takes(Variant::CloseInvalidCodeCode2) {
            return ErrorCode::InvalidArgument;
        }
        ErrorCode::Unknown
    }

    /// `close.not-open` [impl-defined `close.not-open.code`]: the code.
    pub(crate) fn code_for_close_not_open(&self) -> ErrorCode {
        if self.takes(Variant::CloseNotOpenCode1) {
            return ErrorCode::Unknown;
        }
        ErrorCode::NotOpen
    }

    /// `close.drop` [impl-defined `close.drop-error`]: whether `onError` 1
    /// comes before the `onClose` 1006 of a dropped connection.
    pub(crate) fn error_before_drop_close(&self) -> bool {
        !self.takes(Variant::CloseDropErrorCloseOnly)
    }

    /// `close.nothing-after` [impl-defined `close.data-after-close`]: what
    /// becomes of a frame the server sends behind its close frame.
    pub(crate) fn data_after_close(&self) -> DataAfterClose {
        if self.runs(Mutant::DataAfterCloseDelivered) {
            return DataAfterClose::Delivered;
        }
        if self.takes(Variant::CloseDataAfterCloseErrorThenClose) {
            return DataAfterClose::ErrorThenClose;
        }
        DataAfterClose::Ignored
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
    pub(crate) fn removal(&self, scope: Scope, event_type: EventType, all: bool) -> Removal {
        let task_api_broken = self.runs(Mutant::TaskOffIgnored)
            && scope == Scope::Task
            && event_type != EventType::Message;
        if task_api_broken {
            return Removal::Nothing;
        }
        match all {
            false if self.runs(Mutant::OffFnNotRemoving) => Removal::Nothing,
            false => Removal::EveryOccurrence,
            true if self.runs(Mutant::OffAllRemovesOne) => Removal::FirstOnly,
            true => Removal::All,
        }
    }

    /// `listeners.scope`: whether the listeners on `my` also hear an event
    /// of type `event_type` of a SocketTask.
    pub(crate) fn my_hears_task_event(&self, event_type: EventType) -> bool {
        self.runs(Mutant::ListenerScopeLeak)
            || (self.runs(Mutant::TaskErrorHeardByMy) && event_type == EventType::Error)
    }

    /// `listeners.scope`: whether `my.sendSocketMessage` and `my.closeSocket`
    /// act on the newest SocketTask when the global socket is absent or CLOSED.
    pub(crate) fn global_calls_reach_tasks(&self) -> bool {
        self.runs(Mutant::GlobalCallReachesTask)
    }

    /// [impl-defined] `listeners.during-dispatch`: whether a removal takes
    /// effect in the dispatch under way (`live`), not from the next event.
    pub(crate) fn removal_is_live(&self) -> bool {
        self.takes(Variant::ListenersDuringDispatchLive)
    }
}
