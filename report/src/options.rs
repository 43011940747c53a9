//! The profile of an implementation: which option of each [impl-defined]
//! rule of `docs/behaviour.md` (the `spec` crate's [`OPTION_RULES`]) its
//! run showed, in which scenarios, and whether two scenarios showed two
//! options of one rule (`options.consistent`).
//!
//! A scenario whose trace depends on an [impl-defined] rule names the rule;
//! the runner accepts a trace that matches the golden of any option (or
//! combination of options) and records which options it matched. This
//! module folds those observations into a profile.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use spec::{option_rule, OPTION_RULES};

/// One rule's option as a pair, `rule=option` in text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OptionChoice {
    /// The [impl-defined] rule's id.
    pub rule: String,
    /// The option's name.
    pub option: String,
}

impl OptionChoice {
    /// Reads `rule=option`, checking both against [`OPTION_RULES`]; the
    /// error names what is allowed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (rule, option) = text.split_once('=').ok_or_else(|| {
            format!("`{text}`: expected RULE=OPTION, e.g. connect.outcome=settled")
        })?;
        let known = option_rule(rule).ok_or_else(|| {
            let ids: Vec<&str> = OPTION_RULES.iter().map(|r| r.id).collect();
            format!(
                "`{rule}` is not an [impl-defined] rule; expected one of: {}",
                ids.join(", ")
            )
        })?;
        if !known.options.contains(&option) {
            return Err(format!(
                "`{option}` is not an option of `{rule}`; expected one of: {}",
                known.options.join(", ")
            ));
        }
        Ok(OptionChoice {
            rule: rule.to_string(),
            option: option.to_string(),
        })
    }
}

impl std::fmt::Display for OptionChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.rule, self.option)
    }
}

/// What one run showed of one [impl-defined] rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileEntry {
    /// The rule's id.
    pub rule: String,
    /// Each option the run showed, with the scenarios that showed it, in
    /// the rule's option order. Empty: not observed. More than one: the
    /// implementation broke `options.consistent`.
    pub observed: Vec<ObservedOption>,
}

/// One option of a rule and the scenarios whose traces matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedOption {
    /// The option's name.
    pub option: String,
    /// The ids of the scenarios that showed it, sorted.
    pub scenarios: Vec<String>,
}

impl ProfileEntry {
    /// The one option the run showed, if it showed exactly one.
    pub fn option(&self) -> Option<&str> {
        match self.observed.as_slice() {
            [one] => Some(&one.option),
            _ => None,
        }
    }

    /// Whether two scenarios showed two options of this rule.
    pub fn is_inconsistent(&self) -> bool {
        self.observed.len() > 1
    }

    /// `connect.outcome = settled`, `… = not observed`, or `… = accepted
    /// (a, b) and settled (c)` for an inconsistent rule.
    pub fn describe(&self) -> String {
        match self.observed.as_slice() {
            [] => format!("{} = not observed", self.rule),
            [one] => format!("{} = {}", self.rule, one.option),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|o| format!("{} ({})", o.option, o.scenarios.join(", ")))
                    .collect();
                format!("{} = {}", self.rule, parts.join(" and "))
            }
        }
    }
}

/// Folds each scenario's observed options into the run's profile: one entry
/// per [impl-defined] rule, in the table's order (rules of no scenario are
/// "not observed"), then any rule the table does not know.
pub fn profile<'a>(
    observations: impl IntoIterator<Item = (&'a str, &'a [OptionChoice])>,
) -> Vec<ProfileEntry> {
    let mut seen: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for (scenario, choices) in observations {
        for choice in choices {
            seen.entry(&choice.rule)
                .or_default()
                .entry(&choice.option)
                .or_default()
                .push(scenario.to_string());
        }
    }
    let order = |rule: &str, option: &str| {
        option_rule(rule)
            .and_then(|r| r.options.iter().position(|o| *o == option))
            .unwrap_or(usize::MAX)
    };
    let entry = |rule: &str, options: Option<&BTreeMap<&str, Vec<String>>>| {
        let mut observed: Vec<ObservedOption> = options
            .into_iter()
            .flatten()
            .map(|(option, scenarios)| {
                let mut scenarios = scenarios.clone();
                scenarios.sort();
                scenarios.dedup();
                ObservedOption {
                    option: option.to_string(),
                    scenarios,
                }
            })
            .collect();
        observed.sort_by_key(|o| order(rule, &o.option));
        ProfileEntry {
            rule: rule.to_string(),
            observed,
        }
    };
    let mut out: Vec<ProfileEntry> = OPTION_RULES
        .iter()
        .map(|r| entry(r.id, seen.get(r.id)))
        .collect();
    for (rule, options) in &seen {
        if option_rule(rule).is_none() {
            out.push(entry(rule, Some(options)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(text: &str) -> OptionChoice {
        OptionChoice::parse(text).unwrap()
    }

    #[test]
    fn a_choice_is_checked_against_the_table() {
        assert_eq!(
            choice("connect.outcome=settled").to_string(),
            "connect.outcome=settled"
        );
        let e = OptionChoice::parse("connect.outcome=maybe").unwrap_err();
        assert!(e.contains("accepted, settled"), "{e}");
        let e = OptionChoice::parse("connect.bogus=x").unwrap_err();
        assert!(e.contains("connect.outcome"), "{e}");
        assert!(OptionChoice::parse("no-equals").is_err());
    }

    #[test]
    fn the_profile_names_each_rule_its_option_or_not_observed() {
        let a = [choice("connect.outcome=settled")];
        let b = [choice("connect.outcome=settled"), choice("error.9.code=8")];
        let p = profile([("s1", &a[..]), ("s2", &b[..])]);
        let outcome = p.iter().find(|e| e.rule == "connect.outcome").unwrap();
        assert_eq!(outcome.option(), Some("settled"));
        assert_eq!(outcome.observed[0].scenarios, ["s1", "s2"]);
        let drop = p.iter().find(|e| e.rule == "close.drop-error").unwrap();
        assert_eq!(drop.describe(), "close.drop-error = not observed");
        assert_eq!(p.len(), OPTION_RULES.len());
    }

    #[test]
    fn two_options_of_one_rule_make_it_inconsistent() {
        let a = [choice("connect.outcome=settled")];
        let b = [choice("connect.outcome=accepted")];
        let p = profile([("late", &a[..]), ("early", &b[..])]);
        let outcome = p.iter().find(|e| e.rule == "connect.outcome").unwrap();
        assert!(outcome.is_inconsistent());
        assert_eq!(
            outcome.describe(),
            "connect.outcome = accepted (early) and settled (late)"
        );
    }
}
