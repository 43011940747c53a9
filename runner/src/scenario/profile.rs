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
//! (`profiles: { <name>: { notApplicable: <reason> } }`) or it uses what
//! the profile's face does not have (under `wechat`: `multiple`,
//! connectSocket's `data`, an `off*` method, an `isBuffer` that is not a
//! boolean): then the reason is generated.

use adapter_protocol::{Method, MethodTarget};
use serde_json::{Map, Value};
use spec::{Argument, Binary, Face, Payload};

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
    None
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
                if !face.has_argument(argument) && has(argument.name()) {
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
        let multiple = scenario(
            "  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\", multiple: true }, as: T }\n",
            "",
        );
        assert_eq!(
            not_applicable(&multiple, Profile::WECHAT).as_deref(),
            Some("not in profile wechat: call `c1` uses connectSocket's `multiple`, which wx has not")
        );
        assert_eq!(not_applicable(&multiple, Profile::ALIPAY_CURRENT), None);
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
