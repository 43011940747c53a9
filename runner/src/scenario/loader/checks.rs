//! What the loader checks beyond the types: names, targets, methods and
//! patterns ([`validate`]), and what would otherwise only fail at run time
//! and be blamed on the implementation ([`check_runnable`]).

use std::collections::HashSet;

use adapter_protocol::{Method, MethodTarget, TARGET_MY, TARGET_RETURNED};

use crate::scenario::model::{default_call_name, CallStep, Expectation, Pattern, Scenario, Step};
use crate::scenario::template;

/// The shortest `deadlineMs` of a scenario: below it no scenario can
/// connect, exchange and close, and the implementation would be blamed.
pub const MIN_SCENARIO_DEADLINE_MS: u64 = 1_000;

/// Checks what would otherwise only fail at run time and be blamed on the
/// implementation: every `{{…}}` template of every call's arguments
/// against the mock server's catalogue, and deadlines that leave time to
/// run. On error: a piece of text to locate in the file, and the message.
pub(super) fn check_runnable(s: &Scenario) -> Result<(), (String, String)> {
    if let Some(ms) = s.deadline_ms.filter(|ms| *ms < MIN_SCENARIO_DEADLINE_MS) {
        return Err((
            "deadlineMs".into(),
            format!(
                "deadlineMs: {ms} ms leaves no time to run: at least {MIN_SCENARIO_DEADLINE_MS} ms"
            ),
        ));
    }
    for (index, step) in s.steps.iter().enumerate() {
        if let Step::Await(a) = step {
            let zero_item = a.items().0.iter().any(|d| d.within_ms == Some(0));
            if zero_item || a.items().1 == 0 {
                return Err((
                    "withinMs".into(),
                    format!(
                        "steps[{}].await: withinMs: 0 waits for nothing: give at least 1 ms",
                        index + 1
                    ),
                ));
            }
        }
    }
    for (name, call) in s.calls() {
        let Some(args) = &call.args else { continue };
        let mut strings = Vec::new();
        collect_strings(args, &mut strings);
        for string in strings {
            if let Err((offset, message)) = template::check(string) {
                let bad = &string[offset..];
                let needle = bad.split("}}").next().unwrap_or(bad).to_string();
                return Err((needle, format!("call `{name}` args: {message}")));
            }
        }
    }
    Ok(())
}

/// Every string of `value`, object keys included.
fn collect_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

type Invalid = (String, String);

/// Checks what the types cannot: names, targets, methods, patterns.
pub(super) fn validate(s: &Scenario) -> Result<(), Invalid> {
    let top = |m: String| ("scenario".to_string(), m);
    if s.id.is_empty()
        || !s
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Err(top(format!(
            "id `{}`: expected lowercase letters, digits, `-` and `.` (it names the snapshot file)",
            s.id
        )));
    }
    if s.spec.is_empty() {
        return Err(top(
            "`spec` names no rule: expected at least one rule id".into()
        ));
    }
    for (k, rule) in s.options.iter().enumerate() {
        if s.options[..k].contains(rule) {
            return Err(top(format!("options: `{rule}` is named twice")));
        }
    }
    for (name, marks) in &s.profiles {
        let at = format!("profiles.{name}");
        name.parse::<adapter_protocol::Profile>()
            .map_err(|e| (at.clone(), e.to_string()))?;
        match &marks.not_applicable {
            Some(reason) if reason.trim().is_empty() => {
                return Err((at, "notApplicable: give the reason".into()))
            }
            None => {
                return Err((
                    at,
                    "says nothing: expected `notApplicable: <reason>`".into(),
                ))
            }
            Some(_) => {}
        }
    }
    let mut names = Names::default();
    for (index, step) in s.steps.iter().enumerate() {
        let at = format!("steps[{}]", index + 1);
        match step {
            Step::Call(call) => {
                let name = call.name_or(default_call_name(index));
                names.call(call, name, false, &format!("{at}.call"))?;
            }
            Step::Await(a) => {
                for item in a.items().0 {
                    names.pattern(&item.event, &format!("{at}.await"))?;
                    if item.count == Some(0) {
                        return Err((
                            format!("{at}.await"),
                            "count 0: use `expect: absent`".into(),
                        ));
                    }
                }
            }
            Step::Expect(items) => {
                for (k, e) in items.iter().enumerate() {
                    let at = format!("{at}.expect[{}]", k + 1);
                    match e {
                        Expectation::Present { event, .. } | Expectation::Absent { event, .. } => {
                            names.pattern(event, &at)?
                        }
                        Expectation::Order(ps) => {
                            for p in ps {
                                names.pattern(p, &at)?;
                            }
                        }
                        Expectation::Settle(_) | Expectation::Server(_) => {}
                    }
                }
            }
            Step::Server(_) => {}
        }
    }
    Ok(())
}

#[derive(Default)]
struct Names {
    calls: HashSet<String>,
    tasks: HashSet<String>,
}

impl Names {
    fn call(
        &mut self,
        call: &CallStep,
        name: String,
        nested: bool,
        at: &str,
    ) -> Result<(), Invalid> {
        let err = |m: String| Err((at.to_string(), m));
        if name == "server" || name == TARGET_MY || name.contains('.') {
            return err(format!("call name `{name}` is reserved or contains `.`"));
        }
        if !self.calls.insert(name.clone()) || self.tasks.contains(&name) {
            return err(format!("call name `{name}` is used twice"));
        }
        let is_my = call.target == TARGET_MY;
        if call.target == TARGET_RETURNED {
            if !nested {
                return err("target `$returned` only works in `then` / `within`".into());
            }
        } else if !is_my && !self.tasks.contains(&call.target) {
            return err(format!(
                "target `{}`: expected `my` or a task named earlier with `as`",
                call.target
            ));
        }
        let target = if is_my {
            MethodTarget::Global
        } else {
            MethodTarget::Task
        };
        let Some(method) = Method::parse(target, &call.method) else {
            let names: Vec<&str> = Method::all()
                .filter(|m| m.target() == target)
                .map(Method::name)
                .collect();
            return err(format!(
                "method `{}` on `{}`: expected one of {}",
                call.method,
                call.target,
                names.join(", ")
            ));
        };
        let is_listener_method = method.event_type().is_some();
        if call.listener.is_some() && !is_listener_method {
            return err(format!(
                "`listener` only goes with on*/off* methods, not `{method}`"
            ));
        }
        if method.adds_listener() && call.listener.is_none() {
            return err(format!("`{method}` needs a `listener` name"));
        }
        if is_listener_method && call.args.is_some() {
            return err(format!("`{method}` takes a `listener`, not `args`"));
        }
        if let Some(task) = &call.as_name {
            if method != Method::ConnectSocket {
                return err(format!(
                    "`as` names a task returned by connectSocket, not by `{method}`"
                ));
            }
            if task == TARGET_MY
                || task == "server"
                || task.contains('.')
                || !self.tasks.insert(task.clone())
                || self.calls.contains(task)
            {
                return err(format!(
                    "task name `{task}` is reserved, contains `.` or is used twice"
                ));
            }
        }
        if !call.within.listener.is_empty() && (!method.adds_listener() || call.listener.is_none())
        {
            return err(format!(
                "`within.listener` needs an `on*` method with a `listener` (this call is `{method}`)"
            ));
        }
        for nested in call.nested(&name) {
            let at = format!("{at}.{}[{}]", nested.slot.yaml_key(), nested.index);
            self.call(nested.call, nested.name(), true, &at)?;
        }
        Ok(())
    }

    fn pattern(&self, p: &Pattern, at: &str) -> Result<(), Invalid> {
        match p {
            Pattern::Callback { call, .. } if !self.calls.contains(call) => Err((
                at.to_string(),
                format!("`{p}`: no call named `{call}` before this step"),
            )),
            Pattern::Listener { target, .. }
                if target != TARGET_MY && !self.tasks.contains(target) =>
            {
                Err((
                    at.to_string(),
                    format!("`{p}`: expected `my` or a task named with `as` before this step"),
                ))
            }
            _ => Ok(()),
        }
    }
}
