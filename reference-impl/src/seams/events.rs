//! The seams of what follows a connect: callbacks and their order,
//! sending, receiving, closing and listeners.

use adapter_protocol::EventType;
use spec::ErrorCode;

use super::{AfterError12, DataAfterClose, Removal, Scope, Seams};
use crate::mutant::Mutant;
use crate::variant::Variant;

impl Seams {
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

    /// `close.invalid-code`: the length of a close reason held against the
    /// limit of 123: its UTF-8 bytes.
    pub(crate) fn close_reason_length(&self, reason: &str) -> usize {
        if self.runs(Mutant::CloseReasonCountsChars) {
            return reason.chars().count();
        }
        reason.len()
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

    /// `close.nothing-after`: whether a close event is dispatched twice.
    pub(crate) fn close_dispatched_twice(&self) -> bool {
        self.runs(Mutant::CloseFiredTwice)
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
            true if self.runs(Mutant::TaskOffAllClearsEveryTask) && scope == Scope::Task => {
                Removal::AllOfEveryTask
            }
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
