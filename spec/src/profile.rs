//! Profiles: the editions of the socket API a run can check
//! (`docs/profiles.md`), each a face of the API and a named set of
//! differences from the default rules, as data. Code that depends on the
//! profile asks its fields (a code, an argument, an option it fixes),
//! never which profile it is, so that a profile is added by writing its
//! entry in [`Profile::ALL`].

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use crate::{Argument, ErrorCode, Face};

/// A named edition of the socket API that a run checks (`--profile`,
/// `hello.profile`): a handle to its [`ProfileFacts`], whose fields it
/// dereferences to (`profile.face`, `profile.wrong_type_code`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile(&'static ProfileFacts);

/// What a [`Profile`] is: its name, its face and its differences from the
/// default rules.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ProfileFacts {
    /// The profile's name, as `--profile` and `hello.profile` write it.
    pub name: &'static str,
    /// What it rests on, in a few words (`docs/behaviour.md`'s source tags
    /// or the vendor's pages).
    pub source: &'static str,
    /// The face of the API it is written against.
    pub face: Face,
    /// Arguments of the face's `connectSocket` that this edition's source
    /// does not have: an implementation of it ignores them (and does not
    /// check their type).
    pub absent_arguments: &'static [Argument],
    /// The code of an argument of the wrong type (`url: 42`, a `timeout`
    /// that is not a number): `connect.url.format`.
    pub wrong_type_code: ErrorCode,
    /// The code of a global connect while the global socket is not CLOSED:
    /// `connect.single.exists`.
    pub single_exists_code: ErrorCode,
    /// The codes of the default profile that this one gives another
    /// meaning or replaces (under a face with `{error, errorMessage}`
    /// payloads): an inline `expect` of one of them, written in the
    /// default's form, is left to the profile's golden trace.
    pub changed_codes: &'static [u32],
    /// Options of [impl-defined] rules that the profile's source decides,
    /// `(rule, option)`: an implementation serving the profile takes them
    /// (the reference does, whatever its variants), and a scenario that
    /// names the rule has only that option's golden.
    pub decided_options: &'static [(&'static str, &'static str)],
    /// Options of [impl-defined] rules of which the profile compares only
    /// this one's golden, `(rule, option)`, without deciding what an
    /// implementation does (a variant of the reference still answers its
    /// own way, and fails where its trace shows it): where the profile's
    /// traces cannot tell the options apart, or its source names no other.
    pub compared_options: &'static [(&'static str, &'static str)],
}

impl Profile {
    /// `alipay-2022-09`: the seed and its companion pages of 2022-09-23
    /// (`docs/behaviour.md` as written). The default.
    pub const ALIPAY_2022_09: Profile = Profile(&ProfileFacts {
        name: "alipay-2022-09",
        source: "[seed] and its companion pages of 2022-09-23",
        face: Face::MY,
        absent_arguments: &[Argument::Timeout],
        wrong_type_code: ErrorCode::UrlFormat,
        single_exists_code: ErrorCode::AlreadyConnected,
        changed_codes: &[],
        decided_options: &[],
        // The seed names no code but 1 for a network failure. The global
        // functions drive the global socket alone (`listeners.scope`), so
        // no trace shows what they would do with several connections.
        compared_options: &[
            ("error.1.network.code", "1"),
            ("connect.several.global-target", "newest"),
        ],
    });

    /// `alipay-current`: the vendor's revision of 2022-11-24 (codes 3, 2
    /// and 20, `protocols` honoured, a `timeout` argument).
    pub const ALIPAY_CURRENT: Profile = Profile(&ProfileFacts {
        name: "alipay-current",
        source: "[rev 2022-11]: my.connectSocket of 2022-11-24 and the pages beside it",
        face: Face::MY,
        absent_arguments: &[],
        // [rev 2022-11] my.connectSocket, code 2 (invalid argument).
        wrong_type_code: ErrorCode::InvalidArgument,
        // [rev 2022-11] my.connectSocket, code 3.
        single_exists_code: ErrorCode::SocketExists,
        // 2 (now an invalid argument, no longer an existing connection), 4
        // (a wrong type is 2 now) and 8 (`ws://` under wss-only is 20).
        changed_codes: &[2, 4, 8],
        // [rev 2022-11] my.connectSocket, code 20; the typings of that
        // revision have `protocols`.
        decided_options: &[
            ("connect.wss-only.code", "20"),
            ("connect.protocols", "honoured"),
        ],
        // The global functions drive the global socket alone
        // (`listeners.scope`).
        compared_options: &[("connect.several.global-target", "newest")],
    });

    /// `wechat`: `wx.connectSocket` and its SocketTask.
    pub const WECHAT: Profile = Profile(&ProfileFacts {
        name: "wechat",
        source: "the WeChat mini-program API reference: wx.connectSocket, SocketTask, wx.sendSocketMessage, wx.onSocket*",
        face: Face::WX,
        absent_arguments: &[],
        // WeChat checks the type of each parameter.
        wrong_type_code: ErrorCode::InvalidArgument,
        single_exists_code: ErrorCode::AlreadyConnected,
        changed_codes: &[],
        // wx.connectSocket has `protocols`; "at most 5 WebSocket
        // connections at once" (并发数), each a SocketTask: every one counts.
        decided_options: &[
            ("connect.protocols", "honoured"),
            ("connect.multiple.limit.global", "counts"),
        ],
        // A `wx` trace shows no numeric code, so the rules that only choose
        // a code cannot be told apart: each keeps the reference's option
        // (its golden stands for all).
        compared_options: &[
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
    });

    /// `douyin`: ByteDance's `tt.connectSocket` and its SocketTask (the
    /// Douyin mini-app reference on developer.open-douyin.com).
    pub const DOUYIN: Profile = Profile(&ProfileFacts {
        name: "douyin",
        source: "the Douyin mini-app API reference (developer.open-douyin.com): tt.connectSocket, SocketTask",
        face: Face::TT,
        absent_arguments: &[],
        // No numeric code reaches an application under `{errMsg}`: the
        // reason text is informational ("parameter error", as WeChat's).
        wrong_type_code: ErrorCode::InvalidArgument,
        // Never reported: every connect returns a SocketTask.
        single_exists_code: ErrorCode::AlreadyConnected,
        changed_codes: &[],
        // tt.connectSocket has `protocols`; "if protocols is not empty,
        // make sure the server returns one of them, or creating the
        // WebSocket fails".
        decided_options: &[
            ("connect.protocols", "honoured"),
            ("connect.no-subprotocol", "fail-8"),
        ],
        // As under `wechat`: a trace shows no numeric code, so the rules
        // that only choose a code keep the reference's option.
        compared_options: &[
            ("connect.url.blank", "3"),
            ("connect.url.relative", "4"),
            ("connect.wss-only.code", "8"),
            ("connect.multiple.limit.code", "1"),
            ("error.9.code", "9"),
            ("send.invalid.code", "11"),
            ("close.not-open.code", "10"),
            ("close.invalid-code.code", "1"),
            ("error.1.network.code", "1"),
            // `tt` has no global function but `connectSocket`.
            ("connect.several.global-target", "newest"),
        ],
    });

    /// Every profile, the default first.
    pub const ALL: [Profile; 4] = [
        Profile::ALIPAY_2022_09,
        Profile::ALIPAY_CURRENT,
        Profile::WECHAT,
        Profile::DOUYIN,
    ];

    /// The profile's name, as `--profile` and `hello.profile` write it.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The face of the API the profile is written against.
    pub fn face(self) -> Face {
        self.0.face
    }

    /// Whether this is the default profile.
    pub fn is_default(self) -> bool {
        self == Profile::default()
    }

    /// Whether an implementation serving the profile reads `argument` of
    /// `connectSocket`: the face has it and the edition's source does too.
    pub fn has_argument(self, argument: Argument) -> bool {
        self.face.has_argument(argument) && !self.absent_arguments.contains(&argument)
    }

    /// The options the profile fixes, `(rule, option)`: those it decides,
    /// then those it compares alone. Under the profile, a scenario that
    /// names the rule has only that option's golden.
    pub fn fixed_options(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.0
            .decided_options
            .iter()
            .chain(self.0.compared_options)
            .copied()
    }

    /// The option the profile fixes for `rule`, if it fixes one.
    pub fn fixed_option(self, rule: &str) -> Option<&'static str> {
        self.fixed_options()
            .find(|(r, _)| *r == rule)
            .map(|(_, option)| option)
    }

    /// The option the profile's source decides for `rule`, if it decides one.
    pub fn decided_option(self, rule: &str) -> Option<&'static str> {
        self.decided_options
            .iter()
            .find(|(r, _)| *r == rule)
            .map(|(_, option)| *option)
    }
}

impl Deref for Profile {
    type Target = ProfileFacts;

    fn deref(&self) -> &ProfileFacts {
        self.0
    }
}

impl Default for Profile {
    /// `alipay-2022-09`.
    fn default() -> Profile {
        Profile::ALIPAY_2022_09
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A profile name that names no [`Profile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name).collect();
        write!(
            f,
            "unknown profile `{}`; the profiles are: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownProfile {}

impl FromStr for Profile {
    type Err = UnknownProfile;

    /// The profile of that name (exactly as [`Profile::name`] writes it).
    fn from_str(name: &str) -> Result<Profile, UnknownProfile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| UnknownProfile(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_name_parses_back() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
        }
        let e = "wx".parse::<Profile>().unwrap_err();
        assert!(e.to_string().contains("alipay-current"), "{e}");
        assert_eq!(Profile::default().name, "alipay-2022-09");
    }

    #[test]
    fn profiles_name_their_face() {
        let faces: Vec<(&str, &str)> = Profile::ALL.iter().map(|p| (p.name, p.face.name)).collect();
        assert_eq!(
            faces,
            [
                ("alipay-2022-09", "my"),
                ("alipay-current", "my"),
                ("wechat", "wx"),
                ("douyin", "tt")
            ]
        );
    }

    #[test]
    fn fixed_options_name_real_rules_and_options_once() {
        for profile in Profile::ALL {
            let mut rules = Vec::new();
            for (rule, option) in profile.fixed_options() {
                let r = crate::option_rule(rule).unwrap_or_else(|| panic!("{profile}: {rule}"));
                assert!(r.options.contains(&option), "{profile}: {rule}={option}");
                rules.push(rule);
            }
            let count = rules.len();
            rules.sort();
            rules.dedup();
            assert_eq!(rules.len(), count, "{profile}: a rule fixed twice");
        }
    }

    #[test]
    fn absent_arguments_are_arguments_of_the_face() {
        for profile in Profile::ALL {
            for argument in profile.absent_arguments {
                assert!(profile.face.has_argument(*argument), "{profile}");
                assert!(!profile.has_argument(*argument), "{profile}");
            }
        }
        assert!(!Profile::ALIPAY_2022_09.has_argument(Argument::Timeout));
        assert!(Profile::ALIPAY_CURRENT.has_argument(Argument::Timeout));
    }

    #[test]
    fn the_default_profile_changes_nothing_of_itself() {
        let default = Profile::default();
        assert!(default.changed_codes.is_empty());
        assert!(default.decided_options.is_empty());
        assert_eq!(default.wrong_type_code, ErrorCode::UrlFormat);
        assert_eq!(default.single_exists_code, ErrorCode::AlreadyConnected);
    }
}
