//! The normative facts of the socket API as data, in one place: the rule
//! ids of `docs/behaviour.md` with their sources ([`rule_ids`],
//! [`rule_source`]), the [impl-defined] rules with their options
//! ([`OPTION_RULES`]), the error codes ([`ErrorCode`]), the methods
//! ([`Method`], [`EventType`]), the faces of the API ([`Face`]: `my`,
//! `wx`, `tt`) and the profiles a run checks ([`Profile`]).
//!
//! Every other crate takes these facts from here: the adapter protocol
//! re-exports what its wire types carry, the reference implementation and
//! the runner ask a face's or a profile's fields instead of asking which
//! face or profile it is, and the reports list rules and codes from here.
//! Adding a face or a profile is adding an entry to [`Face::ALL`] or
//! [`Profile::ALL`].
//!
//! The crate holds data and small functions over it: no I/O. The one
//! document it reads, `docs/behaviour.md` (for each rule's `Source:`
//! line), is compiled in.
//!
//! # `spec.json`
//!
//! [`spec_json`] renders the same facts as JSON for implementations and
//! tools in other languages (a JavaScript adapter takes its faces, method
//! tables and error messages from it). It is checked in at
//! `spec/spec.json`; a test fails when it is stale and names the command
//! that rewrites it (`UPDATE_SPEC_JSON=1 cargo test -p spec --test spec_json`).
//! Its keys are camelCase; maps keep the order given here; every name is
//! the one this crate uses.
//!
//! ```text
//! {
//!   "specJsonVersion": 1,              // SPEC_JSON_VERSION
//!   "generatedBy": "…",                // a note: do not edit by hand
//!   "defaultProfile": "alipay-2022-09",
//!   "profiles": {                      // by name, the default first
//!     "<name>": {
//!       "source": "<what it rests on>",
//!       "face": "<a key of faces>",
//!       "absentArguments": ["timeout"],  // of the face's connectArguments
//!       "wrongTypeCode": "<a key of errorCodes>",    // connect.url.format
//!       "singleExistsCode": "<a key of errorCodes>", // connect.single.exists
//!       "changedCodes": [2, 4, 8],     // default codes an inline check leaves to the golden
//!       "decidedOptions": { "<rule>": "<option>" },  // the source decides
//!       "comparedOptions": { "<rule>": "<option>" }  // only this golden is compared
//!     }
//!   },
//!   "faces": {                         // by global object name, the default first
//!     "<name>": {
//!       "global": "my",                // the global object; hello's `api`
//!       "vendor": "Alipay",
//!       "payload": "errorCode" | "errMsg",
//!       "binary": "base64" | "arrayBuffer",
//!       "offMethods": true,
//!       "connectAlwaysReturnsTask": false,
//!       "globalsFollowNewestTask": false,
//!       "unsettableHeaders": ["referer"], // names `header` cannot set (dropped)
//!       "limits": { "maxSockets": 5 },
//!       "connectArguments": ["url", "data", "header", "multiple", "protocols", "timeout"],
//!       "ignoredArguments": ["multiple", "data"], // not had, but passed over without a word
//!       "methods": ["connectSocket", …] // keys of methods this face has
//!     }
//!   },
//!   "methods": {                       // by wire name, global ones first
//!     "<name>": {
//!       "target": "global" | "task",
//!       "kind": "callbacks" | "addListener" | "removeListener",
//!       "globalTwin": "<a key of methods>", // the name an errMsg carries
//!       "event": "open" | "message" | "error" | "close" // listener methods only
//!     }
//!   },
//!   "errorCodes": {                    // by name: a number can have two meanings
//!     "<name>": {
//!       "code": 3,                     // `error` of an errorCode payload
//!       "message": "URL 参数为空。",   // its `errorMessage`
//!       "reason": "url is empty",      // after "<method>:fail " in an errMsg
//!       "meaning": "URL empty",        // in English, for reports
//!       "source": "[seed] error-code table",
//!       "rules": ["connect.url.empty"]
//!     }
//!   },
//!   "seedErrorCodes": ["unknown", …],  // the seed's table, codes 1 to 12
//!   "rules": {                         // behaviour.md's rule ids, in the reports' order
//!     "<id>": { "source": "<its Source: text>", "sourceTags": ["[seed]"], "implDefined": true }
//!   },                                 // implDefined only when the whole rule is an option
//!   "runLevelRules": ["options.consistent"],
//!   "optionRules": {                   // the [impl-defined] rules
//!     "<id>": {
//!       "options": ["<reference's>", "…"], "whyOpen": "…",
//!       "codes": { "<option>": "<a key of errorCodes>" } // rules that only choose a code
//!     }
//!   }
//! }
//! ```
//!
//! The payload forms: under `"errorCode"`, `success` gets `{}`, `fail` and
//! error events `{error: code, errorMessage: message}`; under `"errMsg"`,
//! `success` gets `{errMsg: "<globalTwin>:ok"}`, `fail`
//! `{errMsg: "<globalTwin>:fail <reason>"}` and error events
//! `{errMsg: reason}`. The binary forms: under `"base64"`, binary data is
//! base64 text with `isBuffer: true` (text messages carry `isBuffer:
//! false`); under `"arrayBuffer"`, an ArrayBuffer (`{"$binary": base64}` in
//! the adapter protocol) and no `isBuffer`.

mod code;
mod face;
mod json;
mod method;
mod options;
mod profile;
mod rules;

pub use code::{ErrorCode, ERROR_CODES};
pub use face::{Argument, Binary, Face, Limits, Payload};
pub use json::{spec_json, spec_json_value, SPEC_JSON_PATH, SPEC_JSON_VERSION};
pub use method::{EventType, Method, MethodKind, MethodTarget};
pub use options::{option_code, option_rule, OptionRule, OPTION_CODES, OPTION_RULES};
pub use profile::{Profile, ProfileFacts, UnknownProfile};
pub use rules::{is_rule_id, rule_ids, rule_source, source_tags, RULE_IDS, RUN_LEVEL_RULES};
