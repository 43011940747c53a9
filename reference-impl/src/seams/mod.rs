//! The named seams of the reference implementation: one decision function
//! per rule of behaviour.md that a [`Mutant`] breaks or a [`Variant`] answers
//! otherwise. The code paths ask these questions and never name a mutant;
//! each function holds the conforming answer and every other answer to its
//! question, in one place.
//!
//! Reading a seam's body gives the rule (its first, conforming arm) and
//! every deviation from it that this crate can run.
//!
//! The answers are grouped by what they are about: [`face`] (the API's
//! face: payload forms, what a connect returns), [`connect`] (validation
//! of `connectSocket` and the handshake), [`events`] (callbacks, sending,
//! receiving, closing, listeners).

mod connect;
mod events;
mod face;

use adapter_protocol::Profile;
use spec::ErrorCode;

use crate::mutant::Mutant;
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
    /// Every listener of the type, of every SocketTask (a mutant: it breaks
    /// `listeners.off-all`).
    AllOfEveryTask,
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
}
