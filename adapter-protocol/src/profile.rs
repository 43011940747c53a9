//! Profiles and API faces: which edition of the socket API a run checks
//! (`hello.profile`), and which global object an adapter serves
//! (`hello` result's `api`).
//!
//! A profile is a named set of differences from the default rules
//! (`profiles.md` in the design material); its [`Api`] says what the calls
//! look like on the wire: `my` with `{error, errorMessage}` payloads, or
//! `wx` with `{errMsg}` payloads.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The target name of the global socket API of the `wx` face.
pub const TARGET_WX: &str = "wx";

/// The face of the API an adapter serves: the global object's name, the
/// method names, and the payload forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// The Alipay `my` API: `my.connectSocket`, `off*` methods, payloads
    /// `{error, errorMessage}`, binary as base64 with `isBuffer`. The
    /// default, also when a `hello` result has no `api`.
    #[default]
    My,
    /// WeChat's `wx` API: `wx.connectSocket` always returns a SocketTask,
    /// no `off*` methods, payloads `{errMsg}`, binary as ArrayBuffer.
    Wx,
}

impl Api {
    /// The `target` of calls on the global object: `"my"` or `"wx"`.
    pub fn global_target(self) -> &'static str {
        match self {
            Api::My => crate::TARGET_MY,
            Api::Wx => TARGET_WX,
        }
    }

    /// The wire name (`"my"`, `"wx"`).
    pub fn as_str(self) -> &'static str {
        self.global_target()
    }

    /// Whether this is the default face (`my`).
    pub fn is_my(&self) -> bool {
        *self == Api::My
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named edition of the socket API that a run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// `alipay-2022-09`: the seed and its companion pages of 2022-09-23
    /// (behaviour.md as written). The default.
    #[default]
    Alipay202209,
    /// `alipay-current`: the vendor's revision of 2022-11-24.
    AlipayCurrent,
    /// `wechat`: `wx.connectSocket` and its SocketTask.
    Wechat,
}

impl Profile {
    /// Every profile, the default first.
    pub const ALL: [Profile; 3] = [
        Profile::Alipay202209,
        Profile::AlipayCurrent,
        Profile::Wechat,
    ];

    /// The profile's name, as `--profile` and `hello.profile` write it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Alipay202209 => "alipay-2022-09",
            Profile::AlipayCurrent => "alipay-current",
            Profile::Wechat => "wechat",
        }
    }

    /// The face of the API the profile is written against.
    pub fn api(self) -> Api {
        match self {
            Profile::Alipay202209 | Profile::AlipayCurrent => Api::My,
            Profile::Wechat => Api::Wx,
        }
    }

    /// Whether this is the default profile.
    pub fn is_default(self) -> bool {
        self == Profile::default()
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile name that names no [`Profile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
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
            .find(|p| p.name() == name)
            .ok_or_else(|| UnknownProfile(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_profile_name_parses_back() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
        }
        let e = "wx".parse::<Profile>().unwrap_err();
        assert!(e.to_string().contains("alipay-current"), "{e}");
        assert_eq!(Profile::default(), Profile::Alipay202209);
    }

    #[test]
    fn profiles_name_their_face() {
        assert_eq!(Profile::Alipay202209.api(), Api::My);
        assert_eq!(Profile::AlipayCurrent.api(), Api::My);
        assert_eq!(Profile::Wechat.api(), Api::Wx);
        assert_eq!(Api::Wx.global_target(), "wx");
        assert_eq!(Api::My.global_target(), "my");
    }

    #[test]
    fn api_is_written_in_lower_case() {
        assert_eq!(serde_json::to_value(Api::Wx).unwrap(), json!("wx"));
        assert_eq!(serde_json::from_value::<Api>(json!("my")).unwrap(), Api::My);
        assert!(serde_json::from_value::<Api>(json!("tt")).is_err());
    }
}
