//! What a profile (`docs/profiles.md`) changes in a scenario: whether the
//! scenario applies, which options of its [impl-defined] rules the profile
//! fixes, and how its inline expectations and call arguments read under
//! the profile's face of the API. The server side never changes.
//!
//! A scenario applies to a profile unless it says otherwise
//! (`profiles: { <name>: { notApplicable: <reason> } }`) or, under
//! `wechat`, it uses what `wx` does not have (`multiple`, connectSocket's
//! `data`, an `off*` method, an `isBuffer` that is not a boolean): then
//! the reason is generated.

use adapter_protocol::{Api, Method, MethodTarget};
use serde_json::{Map, Value};

use crate::scenario::model::{CallStep, Scenario};

pub use adapter_protocol::Profile;

/// The options a profile's source decides: `(rule, option)`. Under the
/// profile, a scenario that names the rule has only that option's golden.
pub fn fixed_options(profile: Profile) -> &'static [(&'static str, &'static str)] {
    match profile {
        // The seed names no code but 1 for a network failure.
        Profile::Alipay202209 => &[("error.1.network.code", "1")],
        // [rev 2022-11] my.connectSocket, code 20; the typings of that
        // revision have `protocols`.
        Profile::AlipayCurrent => &[
            ("connect.wss-only.code", "20"),
            ("connect.protocols", "honoured"),
        ],
        // wx.connectSocket has `protocols`; a `wx` trace shows no numeric
        // code, so the rules that only choose a code cannot be told apart:
        // each keeps the reference's option (its golden stands for all).
        Profile::Wechat => &[
            ("connect.protocols", "honoured"),
            ("connect.url.blank", "3"),
            ("connect.url.relative", "4"),
            ("connect.wss-only.code", "8"),
            ("connect.multiple.limit.code", "1"),
            ("error.9.code", "9"),
            ("send.invalid.code", "11"),
            ("close.not-open.code", "10"),
            ("close.invalid-code.code", "1"),
            ("error.1.network.code", "1"),
        ],
    }
}

/// The option `profile` fixes for `rule`, if it fixes one.
pub fn fixed_option(profile: Profile, rule: &str) -> Option<&'static str> {
    fixed_options(profile)
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, option)| *option)
}

/// Why `scenario` does not apply under `profile`, or `None` when it does.
pub fn not_applicable(scenario: &Scenario, profile: Profile) -> Option<String> {
    if let Some(reason) = scenario
        .profiles
        .get(profile.name())
        .and_then(|marks| marks.not_applicable.clone())
    {
        return Some(format!("not in profile {profile}: {reason}"));
    }
    if profile.api() == Api::Wx {
        for (name, call) in scenario.calls() {
            if let Some(what) = missing_in_wx(call) {
                return Some(format!(
                    "not in profile {profile}: call `{name}` {what}, which wx has not"
                ));
            }
        }
    }
    None
}

/// What a call uses that the `wx` face does not have, in words.
fn missing_in_wx(call: &CallStep) -> Option<String> {
    let args = call.args.as_ref().and_then(Value::as_object);
    let has = |key: &str| args.is_some_and(|a| a.contains_key(key));
    let target = if call.target == adapter_protocol::TARGET_MY {
        MethodTarget::Global
    } else {
        MethodTarget::Task
    };
    if let Some(method) = Method::parse(target, &call.method) {
        if !method.exists_in(Api::Wx) {
            return Some(format!("uses `{}`", call.method));
        }
        if method == Method::ConnectSocket {
            if has("multiple") {
                return Some("uses connectSocket's `multiple`".into());
            }
            if has("data") {
                return Some("uses connectSocket's `data`".into());
            }
        }
        if matches!(method, Method::Send | Method::SendSocketMessage)
            && has("isBuffer")
            && args.is_none_or(|a| wx_send_args(a).is_none())
        {
            return Some("uses an `isBuffer` that is not a boolean with string `data`".into());
        }
    }
    None
}

/// A `send`'s arguments under `wx`: `isBuffer: true` with string `data`
/// becomes `data: {$binary: <that base64>}`, `isBuffer: false` is dropped.
/// `None` when `isBuffer` cannot be expressed so.
fn wx_send_args(args: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut out = args.clone();
    match (out.remove("isBuffer"), args.get("data")) {
        (None, _) | (Some(Value::Bool(false)), _) => Some(out),
        (Some(Value::Bool(true)), Some(Value::String(base64))) => {
            let mut binary = Map::new();
            binary.insert(
                adapter_protocol::BINARY_KEY.to_string(),
                Value::String(base64.clone()),
            );
            out.insert("data".into(), Value::Object(binary));
            Some(out)
        }
        _ => None,
    }
}

/// A call's arguments as sent under `profile` (after templates).
pub fn call_args(profile: Profile, method: &str, args: Value) -> Value {
    if profile.api() != Api::Wx || !matches!(method, "send" | "sendSocketMessage") {
        return args;
    }
    match &args {
        Value::Object(map) => wx_send_args(map).map(Value::Object).unwrap_or(args),
        _ => args,
    }
}

/// The codes whose meaning the 2022-11 revision changed (2, 4 and 8 under
/// the wss-only policy): an inline check of one of them is left to the
/// profile's golden trace.
const CODES_CHANGED_IN_ALIPAY_CURRENT: [u64; 3] = [2, 4, 8];

/// An inline expectation's `res` as it reads under `profile`: the default
/// profile's form, with what the profile changes left to its golden trace
/// (`alipay-current`: the codes it changed; `wechat`: `error` and
/// `errorMessage`, whose place `errMsg` takes, and `isBuffer`, a binary
/// `data` being an ArrayBuffer).
pub fn expected_res(profile: Profile, res: &Value) -> Value {
    let Value::Object(map) = res else {
        return res.clone();
    };
    let mut out = map.clone();
    match profile {
        Profile::Alipay202209 => {}
        Profile::AlipayCurrent => {
            if out
                .get("error")
                .and_then(Value::as_u64)
                .is_some_and(|c| CODES_CHANGED_IN_ALIPAY_CURRENT.contains(&c))
            {
                out.remove("error");
            }
        }
        Profile::Wechat => {
            out.remove("error");
            out.remove("errorMessage");
            if let (Some(Value::Bool(true)), Some(Value::String(base64))) =
                (out.remove("isBuffer"), map.get("data"))
            {
                let mut binary = Map::new();
                binary.insert(
                    adapter_protocol::BINARY_KEY.to_string(),
                    Value::String(base64.clone()),
                );
                out.insert("data".into(), Value::Object(binary));
            }
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
            not_applicable(&s, Profile::Alipay202209).as_deref(),
            Some("not in profile alipay-2022-09: the seed has no timeout")
        );
        assert_eq!(not_applicable(&s, Profile::AlipayCurrent), None);
        assert_eq!(not_applicable(&s, Profile::Wechat), None);
    }

    #[test]
    fn what_wx_has_not_makes_a_scenario_not_applicable_to_wechat_with_the_reason() {
        let multiple = scenario(
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\", multiple: true }, as: T }\n",
            "",
        );
        assert_eq!(
            not_applicable(&multiple, Profile::Wechat).as_deref(),
            Some("not in profile wechat: call `c1` uses connectSocket's `multiple`, which wx has not")
        );
        assert_eq!(not_applicable(&multiple, Profile::AlipayCurrent), None);
        let off = scenario("  - call: { method: offSocketOpen }\n", "");
        assert!(not_applicable(&off, Profile::Wechat)
            .unwrap()
            .contains("uses `offSocketOpen`"));
        let binary = scenario(
            "  - call: { method: sendSocketMessage, args: { data: aGk=, isBuffer: true } }\n",
            "",
        );
        assert_eq!(not_applicable(&binary, Profile::Wechat), None);
        let odd = scenario(
            "  - call: { method: sendSocketMessage, args: { data: aGk=, isBuffer: 1 } }\n",
            "",
        );
        assert!(not_applicable(&odd, Profile::Wechat).is_some());
    }

    #[test]
    fn a_binary_send_is_an_array_buffer_under_wx() {
        let args = json!({"data": "aGk=", "isBuffer": true});
        assert_eq!(
            call_args(Profile::Wechat, "send", args.clone()),
            json!({"data": {"$binary": "aGk="}})
        );
        assert_eq!(
            call_args(Profile::AlipayCurrent, "send", args.clone()),
            args
        );
        assert_eq!(
            call_args(
                Profile::Wechat,
                "send",
                json!({"data": "x", "isBuffer": false})
            ),
            json!({"data": "x"})
        );
    }

    #[test]
    fn inline_checks_leave_what_a_profile_changes_to_its_golden() {
        let fail = json!({"error": 2, "errorMessage": "<string>"});
        assert_eq!(expected_res(Profile::Alipay202209, &fail), fail);
        assert_eq!(
            expected_res(Profile::AlipayCurrent, &fail),
            json!({"errorMessage": "<string>"})
        );
        let five = json!({"error": 5});
        assert_eq!(expected_res(Profile::AlipayCurrent, &five), five);
        assert_eq!(expected_res(Profile::Wechat, &fail), json!({}));
        assert_eq!(
            expected_res(Profile::Wechat, &json!({"data": "aGk=", "isBuffer": true})),
            json!({"data": {"$binary": "aGk="}})
        );
        assert_eq!(
            expected_res(Profile::Wechat, &json!({"data": "hi", "isBuffer": false})),
            json!({"data": "hi"})
        );
    }

    #[test]
    fn fixed_options_name_real_rules_and_options() {
        for profile in Profile::ALL {
            for (rule, option) in fixed_options(profile) {
                let r = report::option_rule(rule).unwrap_or_else(|| panic!("{rule}"));
                assert!(r.options.contains(option), "{rule}={option}");
            }
        }
    }
}
