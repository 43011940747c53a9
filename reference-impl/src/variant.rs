//! Conforming variants of the reference implementation: each takes another
//! option of one [impl-defined] rule of behaviour.md (its table "[impl-defined]
//! rules and their options", whose first option is the reference's).
//!
//! Where a [`Mutant`](crate::Mutant) breaks a rule, a [`Variant`] answers a
//! question the rules leave open in another conforming way, so that the
//! suite can show it infers each rule's option from the traces and passes
//! every option. A variant is written `rule=option` (`connect.outcome=settled`);
//! [`Variants`] is a set of them, at most one option per rule.
//!
//! The options the reference cannot honour (`connect.data.nested=other`,
//! which names no behaviour) have no variant.

use std::fmt;
use std::str::FromStr;

/// Another conforming option of one [impl-defined] rule. See
/// [`Variant::ALL`] and [`Variant::rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Variant {
    /// `connect.outcome=settled`: `success` + `complete` right before
    /// `onOpen`; on a failure before open, `fail` + `complete` with the
    /// error's code right before that `onError`; a connection abandoned by
    /// `close` while CONNECTING fails with 1 before that close's `success`.
    ConnectOutcomeSettled,
    /// `connect.failure-close=silent`: no `onClose` after the `onError` of
    /// a failed handshake.
    ConnectFailureCloseSilent,
    /// `connect.check-order=single-first`: `connect.single.exists` (2) is
    /// checked before the URL checks.
    ConnectCheckOrderSingleFirst,
    /// `connect.url.blank=4`: a URL of white space only fails with 4.
    ConnectUrlBlank4,
    /// `connect.url.relative=5`: a relative URL fails with 5.
    ConnectUrlRelative5,
    /// `connect.url.scheme-case=sensitive`: `WS://` fails with 5.
    ConnectUrlSchemeCaseSensitive,
    /// `connect.wss-only.code=20`: `ws://` under `wssOnly` fails with 20.
    ConnectWssOnlyCode20,
    /// `connect.multiple.limit.code=2`: a connect over the limit fails with 2.
    ConnectMultipleLimitCode2,
    /// `connect.multiple.limit.global=separate`: the global socket is not
    /// one of the `maxTasks`.
    ConnectMultipleLimitGlobalSeparate,
    /// `connect.several.global-target=oldest`: where every connection is a
    /// SocketTask (`wx`), the global functions and listeners act on the
    /// oldest connection not CLOSED, not on the newest.
    ConnectSeveralGlobalTargetOldest,
    /// `connect.protocols=ignored`: the `protocols` argument is ignored.
    ConnectProtocolsIgnored,
    /// `connect.no-subprotocol=open`: a 101 that selects none of the
    /// offered subprotocols opens the socket.
    ConnectNoSubprotocolOpen,
    /// `error.9.code=8`: an unrequested subprotocol is error 8.
    Error9Code8,
    /// `send.invalid.code=1`: invalid `send` data fails with 1.
    SendInvalidCode1,
    /// `send.invalid.code=2`: invalid `send` data fails with 2.
    SendInvalidCode2,
    /// `error.12.close=1006`: after error 12 the connection is dropped and
    /// `onClose` reports 1006.
    Error12Close1006,
    /// `error.12.close=other-code`: after error 12 the client closes with a
    /// close handshake whose code is not 1009 (1000, the one code below 3000
    /// a page's `WebSocket.close()` accepts), and `onClose` reports the code
    /// of the server's answering close frame (RFC 6455 7.1.5: the mock
    /// server echoes 1000).
    Error12CloseOtherCode,
    /// `close.not-open.code=1`: closing a socket that is not open fails with 1.
    CloseNotOpenCode1,
    /// `close.invalid-code.code=2`: an invalid close code or reason fails with 2.
    CloseInvalidCodeCode2,
    /// `close.drop-error=close-only`: a dropped connection gives `onClose`
    /// 1006 without `onError`.
    CloseDropErrorCloseOnly,
    /// `close.data-after-close=error-then-close`: a frame the server sends
    /// behind its close frame is a protocol error (RFC 6455 7.1.7, 10.7):
    /// `onError` 1, then `onClose` with the code and reason of the close
    /// frame received (7.1.5); nothing is delivered.
    CloseDataAfterCloseErrorThenClose,
    /// `listeners.during-dispatch=live`: a listener removed during a
    /// dispatch is not called by it (an addition counts from the next event).
    ListenersDuringDispatchLive,
    /// `connect.header.reserved=refused`: a handshake header in `header`
    /// fails the connect with 2 (invalid argument).
    ConnectHeaderReservedRefused,
    /// `connect.domain.report=event-65`: a host not in `allowedHosts` gives
    /// `success`, then `onError` 65 and `onClose` 1006, with no traffic.
    ConnectDomainReportEvent65,
    /// `connect.domain.report=event-1`: the same with error 1.
    ConnectDomainReportEvent1,
    /// `error.1.network.code=50`: a network failure before open is error 50
    /// (a network fault, [rev 2022-11] my.onSocketError), not 1.
    Error1NetworkCode50,
}

impl Variant {
    /// Every variant, in the order of behaviour.md's options table.
    pub const ALL: &'static [Variant] = &[
        Variant::ConnectOutcomeSettled,
        Variant::ConnectFailureCloseSilent,
        Variant::ConnectCheckOrderSingleFirst,
        Variant::ConnectUrlBlank4,
        Variant::ConnectUrlRelative5,
        Variant::ConnectUrlSchemeCaseSensitive,
        Variant::ConnectWssOnlyCode20,
        Variant::ConnectMultipleLimitCode2,
        Variant::ConnectMultipleLimitGlobalSeparate,
        Variant::ConnectSeveralGlobalTargetOldest,
        Variant::ConnectProtocolsIgnored,
        Variant::ConnectNoSubprotocolOpen,
        Variant::Error9Code8,
        Variant::SendInvalidCode1,
        Variant::SendInvalidCode2,
        Variant::Error12Close1006,
        Variant::Error12CloseOtherCode,
        Variant::CloseNotOpenCode1,
        Variant::CloseInvalidCodeCode2,
        Variant::CloseDropErrorCloseOnly,
        Variant::CloseDataAfterCloseErrorThenClose,
        Variant::ListenersDuringDispatchLive,
        Variant::ConnectHeaderReservedRefused,
        Variant::ConnectDomainReportEvent65,
        Variant::ConnectDomainReportEvent1,
        Variant::Error1NetworkCode50,
    ];

    /// Every rule that has variants, in the order of [`Variant::ALL`],
    /// with its options as `spec` lists them: the reference's first, then
    /// the ones a [`Variant`] takes.
    pub fn rules() -> Vec<&'static spec::OptionRule> {
        let mut rules: Vec<&'static spec::OptionRule> = Vec::new();
        for variant in Variant::ALL {
            let rule = spec::option_rule(variant.rule())
                .expect("every variant's rule is an [impl-defined] rule of spec");
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        rules
    }

    /// The id of the [impl-defined] rule whose option the variant takes.
    pub fn rule(self) -> &'static str {
        self.rule_and_option().0
    }

    /// The option it takes, as behaviour.md names it.
    pub fn option(self) -> &'static str {
        self.rule_and_option().1
    }

    fn rule_and_option(self) -> (&'static str, &'static str) {
        match self {
            Variant::ConnectOutcomeSettled => ("connect.outcome", "settled"),
            Variant::ConnectFailureCloseSilent => ("connect.failure-close", "silent"),
            Variant::ConnectCheckOrderSingleFirst => ("connect.check-order", "single-first"),
            Variant::ConnectUrlBlank4 => ("connect.url.blank", "4"),
            Variant::ConnectUrlRelative5 => ("connect.url.relative", "5"),
            Variant::ConnectUrlSchemeCaseSensitive => ("connect.url.scheme-case", "sensitive"),
            Variant::ConnectWssOnlyCode20 => ("connect.wss-only.code", "20"),
            Variant::ConnectMultipleLimitCode2 => ("connect.multiple.limit.code", "2"),
            Variant::ConnectMultipleLimitGlobalSeparate => {
                ("connect.multiple.limit.global", "separate")
            }
            Variant::ConnectSeveralGlobalTargetOldest => {
                ("connect.several.global-target", "oldest")
            }
            Variant::ConnectProtocolsIgnored => ("connect.protocols", "ignored"),
            Variant::ConnectNoSubprotocolOpen => ("connect.no-subprotocol", "open"),
            Variant::Error9Code8 => ("error.9.code", "8"),
            Variant::SendInvalidCode1 => ("send.invalid.code", "1"),
            Variant::SendInvalidCode2 => ("send.invalid.code", "2"),
            Variant::Error12Close1006 => ("error.12.close", "1006"),
            Variant::Error12CloseOtherCode => ("error.12.close", "other-code"),
            Variant::CloseNotOpenCode1 => ("close.not-open.code", "1"),
            Variant::CloseInvalidCodeCode2 => ("close.invalid-code.code", "2"),
            Variant::CloseDropErrorCloseOnly => ("close.drop-error", "close-only"),
            Variant::CloseDataAfterCloseErrorThenClose => {
                ("close.data-after-close", "error-then-close")
            }
            Variant::ListenersDuringDispatchLive => ("listeners.during-dispatch", "live"),
            Variant::ConnectHeaderReservedRefused => ("connect.header.reserved", "refused"),
            Variant::ConnectDomainReportEvent65 => ("connect.domain.report", "event-65"),
            Variant::ConnectDomainReportEvent1 => ("connect.domain.report", "event-1"),
            Variant::Error1NetworkCode50 => ("error.1.network.code", "50"),
        }
    }
}

impl fmt::Display for Variant {
    /// `rule=option`, as [`FromStr`] reads it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.rule(), self.option())
    }
}

/// Why a text is not a [`Variant`], or a list of them not a [`Variants`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VariantError {
    /// Not of the form `rule=option`.
    #[error("`{0}` is not RULE=OPTION (for example connect.outcome=settled)")]
    Syntax(String),
    /// No rule of that name has variants.
    #[error("unknown rule `{rule}`; the rules with variants are: {allowed}")]
    UnknownRule {
        /// The rule asked for.
        rule: String,
        /// Every rule with variants, comma-separated.
        allowed: String,
    },
    /// The rule has no such option, or it is the reference's own.
    #[error("`{option}` is not a variant of `{rule}`; its variants are: {allowed} (`{reference}` is the reference's own option)")]
    UnknownOption {
        /// The rule.
        rule: String,
        /// The option asked for.
        option: String,
        /// The options a variant takes, comma-separated.
        allowed: String,
        /// The reference's option.
        reference: String,
    },
    /// Two variants take two options of one rule.
    #[error(
        "`{first}` and `{second}` are two options of one rule: an implementation keeps to one"
    )]
    Conflict {
        /// The first variant.
        first: Variant,
        /// The second.
        second: Variant,
    },
}

impl FromStr for Variant {
    type Err = VariantError;

    /// The variant written `rule=option`.
    fn from_str(text: &str) -> Result<Variant, VariantError> {
        let (rule, option) = text
            .split_once('=')
            .map(|(r, o)| (r.trim(), o.trim()))
            .ok_or_else(|| VariantError::Syntax(text.to_owned()))?;
        let rules = Variant::rules();
        let Some(options) = rules.iter().find(|r| r.id == rule).map(|r| r.options) else {
            let allowed: Vec<&str> = rules.iter().map(|r| r.id).collect();
            return Err(VariantError::UnknownRule {
                rule: rule.to_owned(),
                allowed: allowed.join(", "),
            });
        };
        Variant::ALL
            .iter()
            .copied()
            .find(|v| v.rule() == rule && v.option() == option)
            .ok_or_else(|| VariantError::UnknownOption {
                rule: rule.to_owned(),
                option: option.to_owned(),
                allowed: options[1..].join(", "),
                reference: options[0].to_owned(),
            })
    }
}

/// A set of variants, at most one option of each rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variants(Vec<Variant>);

impl Variants {
    /// The set of these variants; two options of one rule are refused
    /// (the same variant twice is kept once).
    pub fn new(variants: impl IntoIterator<Item = Variant>) -> Result<Variants, VariantError> {
        let mut set: Vec<Variant> = Vec::new();
        for variant in variants {
            match set.iter().find(|v| v.rule() == variant.rule()) {
                Some(&same) if same == variant => {}
                Some(&first) => {
                    return Err(VariantError::Conflict {
                        first,
                        second: variant,
                    })
                }
                None => set.push(variant),
            }
        }
        Ok(Variants(set))
    }

    /// No variant: every rule takes the reference's option.
    pub fn none() -> Variants {
        Variants::default()
    }

    /// Whether the set holds `variant`.
    pub fn contains(&self, variant: Variant) -> bool {
        self.0.contains(&variant)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The variants, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = Variant> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Variants {
    /// `rule=option,rule=option`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<String> = self.0.iter().map(Variant::to_string).collect();
        f.write_str(&texts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips_and_belongs_to_a_listed_rule() {
        for v in Variant::ALL {
            assert_eq!(v.to_string().parse::<Variant>(), Ok(*v));
            let rule = Variant::rules()
                .into_iter()
                .find(|r| r.id == v.rule())
                .expect("listed rule");
            assert!(rule.options[1..].contains(&v.option()), "{v}");
        }
        let listed: usize = Variant::rules().iter().map(|r| r.options.len() - 1).sum();
        assert_eq!(listed, Variant::ALL.len());
    }

    #[test]
    fn unknown_rules_and_options_name_what_is_allowed() {
        let e = "connect.bogus=x".parse::<Variant>().unwrap_err();
        assert!(e.to_string().contains("connect.outcome"), "{e}");
        let e = "send.invalid.code=7".parse::<Variant>().unwrap_err();
        assert!(e.to_string().contains("1, 2"), "{e}");
        assert!(e.to_string().contains("`11`"), "{e}");
        let e = "connect.outcome=accepted".parse::<Variant>().unwrap_err();
        assert!(matches!(e, VariantError::UnknownOption { .. }));
        assert!(matches!(
            "settled".parse::<Variant>(),
            Err(VariantError::Syntax(_))
        ));
    }

    #[test]
    fn a_set_holds_one_option_per_rule() {
        let both = Variants::new([Variant::SendInvalidCode1, Variant::SendInvalidCode2]);
        assert!(matches!(both, Err(VariantError::Conflict { .. })));
        let set = Variants::new([
            Variant::ConnectOutcomeSettled,
            Variant::Error9Code8,
            Variant::ConnectOutcomeSettled,
        ])
        .unwrap();
        assert_eq!(set.to_string(), "connect.outcome=settled,error.9.code=8");
        assert!(set.contains(Variant::Error9Code8));
    }
}
