//! Root-cause triage: the scenarios that did not pass, grouped by their
//! first difference with what varies between scenarios taken out (step
//! numbers, call names, task names, paths, durations), largest group first.
//!
//! Eighty scenarios that fail because `my.onSocketOpen` never fires are one
//! finding, not eighty: the group says so, and lists them.

use serde::{Deserialize, Serialize};

use crate::model::{ScenarioReport, Status};

/// One group of scenarios that did not pass for what looks like one cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootCause {
    /// The shared first difference, normalised (`await my.open: not seen`).
    pub cause: String,
    /// The ids of the scenarios in the group, in run order.
    pub scenarios: Vec<String>,
}

/// The root causes of the scenarios that failed or errored, largest group
/// first (ties in order of first appearance).
pub fn root_causes(scenarios: &[ScenarioReport]) -> Vec<RootCause> {
    let mut groups: Vec<RootCause> = Vec::new();
    for s in scenarios
        .iter()
        .filter(|s| matches!(s.status, Status::Fail | Status::Error))
    {
        // A step that failed says more than the golden diff it left behind.
        let step_failure = s.message.as_deref().filter(|m| m.starts_with("step "));
        let text = step_failure
            .or(s.first_difference.as_deref())
            .or(s.message.as_deref())
            .unwrap_or(s.status.label());
        let cause = normalise_cause(text);
        match groups.iter_mut().find(|g| g.cause == cause) {
            Some(group) => group.scenarios.push(s.id.clone()),
            None => groups.push(RootCause {
                cause,
                scenarios: vec![s.id.clone()],
            }),
        }
    }
    // A stable sort keeps first appearance among groups of one size.
    groups.sort_by_key(|g| std::cmp::Reverse(g.scenarios.len()));
    groups
}

/// A first difference without what varies from scenario to scenario.
pub fn normalise_cause(text: &str) -> String {
    let mut line = text.lines().next().unwrap_or("").to_string();
    // What a scenario's lane held so far, and the values seen instead,
    // differ from scenario to scenario.
    for cut in [
        "; client lane so far",
        "; server lane",
        " (events of that kind had",
        " (cut short",
    ] {
        if let Some(at) = line.find(cut) {
            line.truncate(at);
        }
    }
    let words: Vec<String> = line.split(' ').map(normalise_word).collect();
    let mut out = words.join(" ");
    // "step 5: " and "expect[2]: " prefixes.
    while let Some(rest) = out.strip_prefix("step N: ") {
        out = rest.to_string();
    }
    out.replace("expect[N]", "expect")
}

/// One word with its scenario-specific parts replaced: numbers by `N`,
/// call names by `<call>`, task names by `<task>`, paths by `<path>`.
fn normalise_word(word: &str) -> String {
    if word.len() > 1
        && word.contains('/')
        && (word.starts_with('/') || word.contains(".snap") || word.contains(".yaml"))
    {
        return "<path>".to_string();
    }
    // Listener names (`my.open@O1`) are the scenario's own.
    let word = match word.find('@') {
        Some(at) => {
            let end = word[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '@' || c == '_' || c == '-'))
                .map_or(word.len(), |e| at + e);
            format!("{}{}", &word[..at], &word[end..])
        }
        None => word.to_string(),
    };
    // Quotes and brackets before a name stay as they are.
    let name_at = word
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(word.len());
    let (lead, word) = word.split_at(name_at);
    let (head, tail) = match word.find(['.', '@']) {
        Some(at) => (&word[..at], &word[at..]),
        None => (word, ""),
    };
    let head_is_call =
        tail.starts_with(".success") || tail.starts_with(".fail") || tail.starts_with(".complete");
    let head_is_task =
        head.len() > 1 && head.starts_with('t') && head[1..].chars().all(|c| c.is_ascii_digit());
    let head = if head_is_call {
        "<call>".to_string()
    } else if head_is_task {
        "<task>".to_string()
    } else {
        mask_numbers(head)
    };
    format!("{lead}{head}{}", mask_numbers(tail))
}

/// Runs of digits become `N`.
fn mask_numbers(text: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(id: &str, first: &str) -> ScenarioReport {
        ScenarioReport {
            id: id.into(),
            area: "a".into(),
            title: String::new(),
            rules: Vec::new(),
            tags: Vec::new(),
            status: Status::Fail,
            duration_ms: 0,
            message: None,
            first_difference: Some(first.into()),
            golden_diff: None,
            trace: serde_json::Value::Null,
            adapter_stderr: None,
            options: Vec::new(),
            path: None,
            adapter_fault: None,
            broken_rule: None,
        }
    }

    #[test]
    fn one_missing_event_in_many_scenarios_is_one_cause() {
        let scenarios = vec![
            failed("a::x", "step 3: await c3.complete, my.open: not seen within 5000 ms; client lane so far: c1 returned"),
            failed("a::y", "step 5: await c2.complete, my.open: not seen within 5000 ms; client lane so far: c2 returned; c2.success {}"),
            failed("a::z", "step 2: expect[1]: expected `c4.fail` with res ⊇ {\"error\":5}, found none (events of that kind had res: {\"error\":4})"),
            failed("a::w", "step 7: await t1.open: not seen within 5000 ms; client lane so far: "),
        ];
        let causes = root_causes(&scenarios);
        assert_eq!(causes[0].scenarios, ["a::x", "a::y"]);
        assert_eq!(
            causes[0].cause,
            "await <call>.complete, my.open: not seen within N ms"
        );
        assert_eq!(causes.len(), 3);
        assert_eq!(
            causes[1].cause,
            "expect: expected `<call>.fail` with res ⊇ {\"error\":N}, found none"
        );
        assert_eq!(causes[2].cause, "await <task>.open: not seen within N ms");
    }

    #[test]
    fn passing_scenarios_have_no_cause() {
        let mut s = failed("a::x", "anything");
        s.status = Status::Pass;
        assert!(root_causes(&[s]).is_empty());
    }
}
