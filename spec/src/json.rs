//! `spec.json`: the facts of this crate in one JSON document, for
//! implementations and tools in other languages (the format is in the
//! crate's documentation).

use serde_json::{json, Map, Value};

use crate::{
    option_code, option_rule, rule_ids, rule_source, source_tags, ErrorCode, Face, Method,
    MethodKind, MethodTarget, OptionRule, Profile, ERROR_CODES, OPTION_RULES, RUN_LEVEL_RULES,
};

/// The version of the format of `spec.json`: it changes when a key changes
/// meaning or goes away (a new key does not change it).
pub const SPEC_JSON_VERSION: u32 = 1;

/// Where `spec.json` is checked in, from the repository's root.
pub const SPEC_JSON_PATH: &str = "spec/spec.json";

/// The text of `spec.json`: [`spec_json_value`], pretty-printed, with a
/// final newline.
pub fn spec_json() -> String {
    let mut text =
        serde_json::to_string_pretty(&spec_json_value()).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// The document `spec.json` holds.
pub fn spec_json_value() -> Value {
    json!({
        "specJsonVersion": SPEC_JSON_VERSION,
        "generatedBy": "cargo test -p spec (spec::spec_json); do not edit",
        "defaultProfile": Profile::default().name,
        "profiles": object(Profile::ALL.iter().map(|p| (p.name, profile(*p)))),
        "faces": object(Face::ALL.iter().map(|f| (f.name, face(*f)))),
        "methods": object(Method::all().map(|m| (m.name(), method(m)))),
        "errorCodes": object(ErrorCode::ALL.iter().map(|c| (c.name(), code(*c)))),
        "seedErrorCodes": ERROR_CODES.iter().map(|c| c.name()).collect::<Vec<_>>(),
        "rules": object(rule_ids().iter().map(|id| (*id, rule(id)))),
        "runLevelRules": RUN_LEVEL_RULES,
        "optionRules": object(OPTION_RULES.iter().map(|r| (r.id, option_rule_entry(r)))),
    })
}

fn object<'a>(entries: impl Iterator<Item = (&'a str, Value)>) -> Value {
    Value::Object(
        entries
            .map(|(key, value)| (key.to_owned(), value))
            .collect::<Map<String, Value>>(),
    )
}

fn options(pairs: &[(&str, &str)]) -> Value {
    object(pairs.iter().map(|(rule, option)| (*rule, json!(option))))
}

fn option_rule_entry(r: &OptionRule) -> Value {
    let mut entry = json!({ "options": r.options, "whyOpen": r.why_open });
    let codes: Vec<(&str, Value)> = r
        .options
        .iter()
        .filter_map(|o| option_code(r.id, o).map(|c| (*o, json!(c.name()))))
        .collect();
    if let (Value::Object(map), false) = (&mut entry, codes.is_empty()) {
        map.insert("codes".into(), object(codes.into_iter()));
    }
    entry
}

fn profile(p: Profile) -> Value {
    json!({
        "source": p.source,
        "face": p.face.name,
        "absentArguments": p.absent_arguments.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "wrongTypeCode": p.wrong_type_code.name(),
        "singleExistsCode": p.single_exists_code.name(),
        "changedCodes": p.changed_codes,
        "decidedOptions": options(p.decided_options),
        "comparedOptions": options(p.compared_options),
    })
}

fn face(f: Face) -> Value {
    json!({
        "global": f.name,
        "vendor": f.vendor,
        "payload": f.payload.name(),
        "binary": f.binary.name(),
        "offMethods": f.has_off,
        "connectAlwaysReturnsTask": f.connect_always_returns_task,
        "globalsFollowNewestTask": f.globals_follow_newest_task(),
        "unsettableHeaders": f.unsettable_headers,
        "limits": { "maxSockets": f.limits.max_sockets },
        "connectArguments": f.connect_arguments.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "ignoredArguments": f.ignored_arguments.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "methods": Method::all_in(f).map(Method::name).collect::<Vec<_>>(),
    })
}

fn method(m: Method) -> Value {
    let (kind, event) = match m.kind() {
        MethodKind::WithCallbacks => ("callbacks", Value::Null),
        MethodKind::AddListener(t) => ("addListener", json!(t.as_str())),
        MethodKind::RemoveListener(t) => ("removeListener", json!(t.as_str())),
    };
    let target = match m.target() {
        MethodTarget::Global => "global",
        MethodTarget::Task => "task",
    };
    let mut entry = json!({ "target": target, "kind": kind, "globalTwin": m.global_twin().name() });
    if let (Value::Object(map), false) = (&mut entry, event.is_null()) {
        map.insert("event".into(), event);
    }
    entry
}

fn code(c: ErrorCode) -> Value {
    json!({
        "code": c.code(),
        "message": c.message(),
        "reason": c.reason(),
        "meaning": c.meaning(),
        "source": c.source(),
        "rules": c.rules(),
    })
}

fn rule(id: &str) -> Value {
    let mut entry = json!({
        "source": rule_source(id),
        "sourceTags": source_tags(id),
    });
    if let (Value::Object(map), Some(_)) = (&mut entry, option_rule(id)) {
        map.insert("implDefined".into(), json!(true));
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_every_fact_once_by_name() {
        let spec = spec_json_value();
        assert_eq!(spec["defaultProfile"], "alipay-2022-09");
        assert_eq!(spec["profiles"]["wechat"]["face"], "wx");
        assert_eq!(spec["faces"]["wx"]["payload"], "errMsg");
        assert_eq!(spec["faces"]["my"]["methods"].as_array().unwrap().len(), 21);
        assert_eq!(spec["methods"]["offOpen"]["event"], "open");
        assert_eq!(spec["methods"]["send"]["globalTwin"], "sendSocketMessage");
        assert!(spec["methods"]["send"].get("event").is_none());
        assert_eq!(spec["errorCodes"]["urlEmpty"]["code"], 3);
        assert_eq!(spec["errorCodes"]["socketExists"]["code"], 3);
        assert_eq!(spec["seedErrorCodes"].as_array().unwrap().len(), 12);
        assert_eq!(
            spec["rules"].as_object().unwrap().len(),
            crate::RULE_IDS.len()
        );
        assert_eq!(
            spec["optionRules"]["connect.outcome"]["options"][0],
            "accepted"
        );
        assert!(spec["optionRules"]["connect.outcome"]
            .get("codes")
            .is_none());
        assert_eq!(
            spec["optionRules"]["connect.wss-only.code"]["codes"]["20"],
            "wssRequired"
        );
    }
}
