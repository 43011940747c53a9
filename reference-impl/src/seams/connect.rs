//! The seams of `connectSocket`: argument validation, limits, when the
//! outcome is reported, and the handshake.

use std::time::Duration;

use adapter_protocol::Config;
use spec::{Argument, ErrorCode};

use super::{ConnectOutcome, DomainReport, Scope, Seams};
use crate::mutant::Mutant;
use crate::types::ReadyState;
use crate::variant::Variant;

impl Seams {
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

    /// `connect.single.exists` and `connect.single.reopen`: whether a
    /// global socket in `state` refuses a new global connect (`failed`: its
    /// handshake failed).
    pub(crate) fn global_refuses_connect(&self, state: ReadyState, failed: bool) -> bool {
        match state {
            ReadyState::Closing if self.runs(Mutant::ConnectWhileClosing) => false,
            ReadyState::Connecting | ReadyState::Open | ReadyState::Closing => true,
            ReadyState::Closed if failed && self.runs(Mutant::FailedGlobalKept) => true,
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

    /// `connect.multiple.limit` and `connect.concurrency`: how many sockets
    /// may be not CLOSED at once.
    pub(crate) fn socket_limit(&self, config: &Config) -> Option<usize> {
        if self.runs(Mutant::NoTaskLimit) {
            return None;
        }
        if self.runs(Mutant::ConcurrencyUnlimited) && self.face().connect_always_returns_task {
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

    /// `close.nothing-after`: whether the connect timer outlives a
    /// handshake that failed before it ran out (it then reports error 6,
    /// after the failure's close event).
    pub(crate) fn connect_timer_outlives_failure(&self) -> bool {
        self.runs(Mutant::ConnectTimerNotCleared)
    }

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
}
