//! What a profile (`docs/profiles.md`) changes in a scenario: whether the
//! scenario applies, and how its inline expectations and call arguments
//! read under the profile's face of the API. (Which options of its
//! [impl-defined] rules the profile fixes is [`Profile::fixed_option`].)
//! The server side never changes.
//!
//! Each answer follows from the profile's and its face's fields (the
//! `spec` crate's [`Profile`] and [`Face`]), never from which profile it is.
//!
//! A scenario applies to a profile unless it says otherwise
//! (`profiles: { <name>: { notApplicable: <reason> } }`), it uses what
//! the profile's face does not have (under `wechat`: an `off*` method, an
//! `isBuffer` that is not a boolean), or it checks a rule about what the
//! face has not (under `wechat`: `connect.data`, since `wx` ignores
//! `multiple` and `data`; `listeners.scope`, since `wx` has no global
//! socket apart from its tasks): then the reason is generated. (`tt`
//! ignores `multiple` as `wx` does, and has no global functions but
//! `connectSocket`.)

use adapter_protocol::{Method, MethodTarget};
use serde_json::{Map, Value};
use spec::{Argument, Binary, Face, Payload};

use crate::scenario::loader::LoadedScenario;
use crate::scenario::model::{CallStep, Scenario};

pub use adapter_protocol::Profile;

/// Why `scenario` does not apply under `profile`, or `None` when it does.
pub fn not_applicable(scenario: &Scenario, profile: Profile) -> Option<String> {
    if let Some(reason) = scenario
        .profiles
        .get(profile.name())
        .and_then(|marks| marks.not_applicable.clone())
    {
        return Some(format!("not in profile {profile}: {reason}"));
    }
    let face = profile.face;
    for (name, call) in scenario.calls() {
        if let Some(what) = missing_in(face, call) {
            return Some(format!(
                "not in profile {profile}: call `{name}` {what}, which {face} has not"
            ));
        }
    }
    // A rule about what the face has not (the rule of an argument it
    // ignores; listeners.scope where there is no global socket of its own).
    for (rule, what) in face.rules_it_has_not() {
        if scenario.spec.iter().any(|r| r.as_str() == rule) {
            return Some(format!(
                "not in profile {profile}: it checks `{rule}`, about {what}"
            ));
        }
    }
    None
}

/// The lines that open and close the generated list of `docs/profiles.md`
/// ([`not_applicable_markdown`]).
pub const PROFILES_DOC_MARKERS: (&str, &str) = (
    "<!-- not-applicable: generated from scenario::profile::not_applicable; do not edit -->",
    "<!-- not-applicable: end -->",
);

/// The scenarios that do not apply under each profile, with the reason,
/// as the Markdown of `docs/profiles.md` between [`PROFILES_DOC_MARKERS`]:
/// per profile a heading with the count and a table `scenario | why`.
pub fn not_applicable_markdown(scenarios: &[LoadedScenario]) -> String {
    use std::fmt::Write as _;
    let mut md = String::new();
    for profile in Profile::ALL {
        let rows: Vec<(String, String)> = scenarios
            .iter()
            .filter_map(|s| {
                let reason = not_applicable(&s.scenario, profile)?;
                let why = reason
                    .strip_prefix(&format!("not in profile {profile}: "))
                    .unwrap_or(&reason)
                    .replace('|', "\\|");
                Some((s.trial_name(), why))
            })
            .collect();
        let _ = writeln!(
            md,
            "\n#### `{profile}`: {} of {} scenarios do not apply\n",
            rows.len(),
            scenarios.len()
        );
        if rows.is_empty() {
            md.push_str("(none)\n");
            continue;
        }
        md.push_str("| scenario | why |\n| --- | --- |\n");
        for (name, why) in rows {
            let _ = writeln!(md, "| `{name}` | {why} |");
        }
    }
    md.push('\n');
    md
}

/// What a call uses that `face` does not have, in words.
fn missing_in(face: Face, call: &CallStep) -> Option<String> {
    let args = call.args.as_ref().and_then(Value::as_object);
    let has = |key: &str| args.is_some_and(|a| a.contains_key(key));
    let target = if call.target == adapter_protocol::TARGET_MY {
        MethodTarget::Global
    } else {
        MethodTarget::Task
    };
    if let Some(method) = Method::parse(target, &call.method) {
        if !face.has_method(method) {
            return Some(format!("uses `{}`", call.method));
        }
        if method == Method::ConnectSocket {
            for argument in Argument::ALL {
                let lacks = !face.has_argument(argument) && !face.ignores_argument(argument);
                if lacks && has(argument.name()) {
                    return Some(format!("uses connectSocket's `{}`", argument.name()));
                }
            }
        }
        if face.binary == Binary::ArrayBuffer
            && matches!(method, Method::Send | Method::SendSocketMessage)
            && has("isBuffer")
            && args.is_none_or(|a| array_buffer_send_args(a).is_none())
        {
            return Some("uses an `isBuffer` that is not a boolean with string `data`".into());
        }
    }
    None
}

/// A `send`'s arguments where binary is an ArrayBuffer: `isBuffer: true`
/// with string `data` becomes `data: {$binary: <that base64>}`,
/// `isBuffer: false` is dropped. `None` when `isBuffer` cannot be
/// expressed so.
fn array_buffer_send_args(args: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut out = args.clone();
    match (out.remove("isBuffer"), args.get("data")) {
        (None, _) | (Some(Value::Bool(false)), _) => Some(out),
        (Some(Value::Bool(true)), Some(Value::String(base64))) => {
            out.insert("data".into(), array_buffer(base64));
            Some(out)
        }
        _ => None,
    }
}

/// The adapter protocol's form of an ArrayBuffer of these base64 bytes.
fn array_buffer(base64: &str) -> Value {
    let mut binary = Map::new();
    binary.insert(
        adapter_protocol::BINARY_KEY.to_string(),
        Value::String(base64.to_owned()),
    );
    Value::Object(binary)
}

/// A call's arguments as sent under `profile` (after templates): a
/// `send`'s base64 with `isBuffer` becomes an ArrayBuffer where the face's
/// binary form is one.
pub fn call_args(profile: Profile, method: &str, args: Value) -> Value {
    if profile.face.binary != Binary::ArrayBuffer || !matches!(method, "send" | "sendSocketMessage")
    {
        return args;
    }
    match &args {
        Value::Object(map) => array_buffer_send_args(map)
            .map(Value::Object)
            .unwrap_or(args),
        _ => args,
    }
}

/// An inline expectation's `res` as it reads under `profile`: the default
/// profile's form, with what the profile changes left to its golden trace
/// (a code of the profile's `changed_codes`; under `{errMsg}` payloads,
/// `error` and `errorMessage`, whose place `errMsg` takes; where binary is
/// an ArrayBuffer, `isBuffer`, a binary `data` being an ArrayBuffer).
pub fn expected_res(profile: Profile, res: &Value) -> Value {
    let Value::Object(map) = res else {
        return res.clone();
    };
    let mut out = map.clone();
    match profile.face.payload {
        Payload::ErrorCode => {
            if out.get("error").and_then(Value::as_u64).is_some_and(|c| {
                profile
                    .changed_codes
                    .iter()
                    .any(|&changed| changed as u64 == c)
            }) {
                out.remove("error");
            }
        }
        Payload::ErrMsg => {
            out.remove("error");
            out.remove("errorMessage");
        }
    }
    if profile.face.binary == Binary::ArrayBuffer {
        if let (Some(Value::Bool(true)), Some(Value::String(base64))) =
            (out.remove("isBuffer"), map.get("data"))
        {
            out.insert("data".into(), array_buffer(base64));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::loader::parse_scenario;
    use serde_json::json;

    fn scenario(steps: &str, extra: &str) -> Scenario {
        let text =
            format!("id: x\ntitle: t\nspec: [connect.single.exists]\n{extra}steps:\n{steps}");
        parse_scenario(std::path::Path::new("x.yaml"), &text).unwrap()
    }

    #[test]
    fn a_scenario_says_which_profile_it_does_not_apply_to() {
        let s = scenario(
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\" } }\n",
            "profiles:\n  alipay-2022-09: { notApplicable: the seed has no timeout }\n",
        );
        assert_eq!(
            not_applicable(&s, Profile::ALIPAY_2022_09).as_deref(),
            Some("not in profile alipay-2022-09: the seed has no timeout")
        );
        assert_eq!(not_applicable(&s, Profile::ALIPAY_CURRENT), None);
        assert_eq!(not_applicable(&s, Profile::WECHAT), None);
    }

    #[test]
    fn what_wx_has_not_makes_a_scenario_not_applicable_to_wechat_with_the_reason() {
        let data = scenario(
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\", data: { a: 1 } } }\n",
            "",
        );
        assert_eq!(
            not_applicable(&data, Profile::DOUYIN).as_deref(),
            Some("not in profile douyin: call `c1` uses connectSocket's `data`, which tt has not")
        );
        assert_eq!(not_applicable(&data, Profile::ALIPAY_CURRENT), None);
        // Every tt connect returns a task, which is what `multiple` asks for.
        let multiple = scenario(
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\", multiple: true }, as: T }\n",
            "",
        );
        assert_eq!(not_applicable(&multiple, Profile::DOUYIN), None);
        let global = scenario("  - call: { method: onSocketOpen, listener: G }\n", "");
        assert_eq!(
            not_applicable(&global, Profile::DOUYIN).as_deref(),
            Some("not in profile douyin: call `c1` uses `onSocketOpen`, which tt has not")
        );
        let off = scenario("  - call: { method: offSocketOpen }\n", "");
        assert!(not_applicable(&off, Profile::WECHAT)
            .unwrap()
            .contains("uses `offSocketOpen`"));
        let binary = scenario(
            "  - call: { method: sendSocketMessage, args: { data: aGk=, isBuffer: true } }\n",
            "",
        );
        assert_eq!(not_applicable(&binary, Profile::WECHAT), None);
        let odd = scenario(
            "  - call: { method: sendSocketMessage, args: { data: aGk=, isBuffer: 1 } }\n",
            "",
        );
        assert!(not_applicable(&odd, Profile::WECHAT).is_some());
    }

    #[test]
    fn a_scenario_about_what_wx_ignores_or_has_not_does_not_apply_to_wechat() {
        let multiple = scenario(
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\", multiple: true, data: {} }, as: T }\n",
            "",
        );
        assert_eq!(not_applicable(&multiple, Profile::WECHAT), None);
        let data =
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\", data: { a: 1 } } }\n";
        assert_eq!(not_applicable(&scenario(data, ""), Profile::WECHAT), None);
        let text = format!("id: x\ntitle: t\nspec: [connect.data]\nsteps:\n{data}");
        let about_data = parse_scenario(std::path::Path::new("x.yaml"), &text).unwrap();
        assert_eq!(
            not_applicable(&about_data, Profile::WECHAT).as_deref(),
            Some("not in profile wechat: it checks `connect.data`, about connectSocket's `data`, which wx ignores")
        );
        assert_eq!(not_applicable(&about_data, Profile::ALIPAY_CURRENT), None);
        let text = "id: x\ntitle: t\nspec: [listeners.scope]\nsteps:\n  - call: { method: onSocketOpen, listener: G }\n";
        let scope = parse_scenario(std::path::Path::new("x.yaml"), text).unwrap();
        assert!(not_applicable(&scope, Profile::WECHAT)
            .unwrap()
            .contains("it checks `listeners.scope`"));
    }

    #[test]
    fn the_profiles_document_lists_the_scenarios_that_do_not_apply() {
        use crate::scenario::loader::{load_dir, scenarios_dir};
        let loaded = load_dir(&scenarios_dir()).unwrap_or_else(|e| panic!("{e}"));
        let path = scenarios_dir().join("../docs/profiles.md");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let (begin, end) = PROFILES_DOC_MARKERS;
        let (Some(start), Some(stop)) = (text.find(begin), text.find(end)) else {
            panic!("{} has no lines {begin} and {end}", path.display());
        };
        let head = &text[..start + begin.len()];
        let fresh = format!(
            "{head}\n{}{}",
            not_applicable_markdown(&loaded),
            &text[stop..]
        );
        if std::env::var_os("UPDATE_PROFILES_DOC").is_some_and(|v| v != "0" && !v.is_empty()) {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{}: the list of scenarios that do not apply is stale: regenerate with `UPDATE_PROFILES_DOC=1 cargo test -p runner --lib profiles_document`",
            path.display()
        );
    }

    #[test]
    fn a_binary_send_is_an_array_buffer_under_wx() {
        let args = json!({"data": "aGk=", "isBuffer": true});
        assert_eq!(
            call_args(Profile::WECHAT, "send", args.clone()),
            json!({"data": {"$binary": "aGk="}})
        );
        assert_eq!(
            call_args(Profile::ALIPAY_CURRENT, "send", args.clone()),
            args
        );
        assert_eq!(
            call_args(
                Profile::WECHAT,
                "send",
                json!({"data": "x", "isBuffer": false})
            ),
            json!({"data": "x"})
        );
    }

    #[test]
    fn inline_checks_leave_what_a_profile_changes_to_its_golden() {
        let fail = json!({"error": 2, "errorMessage": "<string>"});
        assert_eq!(expected_res(Profile::ALIPAY_2022_09, &fail), fail);
        assert_eq!(
            expected_res(Profile::ALIPAY_CURRENT, &fail),
            json!({"errorMessage": "<string>"})
        );
        let five = json!({"error": 5});
        assert_eq!(expected_res(Profile::ALIPAY_CURRENT, &five), five);
        assert_eq!(expected_res(Profile::WECHAT, &fail), json!({}));
        assert_eq!(
            expected_res(Profile::WECHAT, &json!({"data": "aGk=", "isBuffer": true})),
            json!({"data": {"$binary": "aGk="}})
        );
        assert_eq!(
            expected_res(Profile::WECHAT, &json!({"data": "hi", "isBuffer": false})),
            json!({"data": "hi"})
        );
    }
}
