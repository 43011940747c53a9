//! Profiles end to end: an implementation of the 2022-11 revision fails
//! the default profile where its codes differ, naming them; an adapter
//! whose face of the API does not fit the profile is refused before any
//! scenario runs; a scenario a profile does not cover is not applicable
//! with the reason.

use mock_server::{MockServer, Options};
use runner::execute::reference::{run_on_reference_in, Behaviour};
use runner::{
    judge, load_dir, scenarios_dir, AdapterSpec, LoadedScenario, Profile, Status, Suite,
    SuiteError, SuiteOptions,
};

fn scenario(id: &str) -> LoadedScenario {
    load_dir(&scenarios_dir())
        .expect("the scenarios load")
        .into_iter()
        .find(|s| s.scenario.id == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Whether a failure message names error code `code` (an inline check
/// quotes JSON, a golden difference YAML).
fn names_code(message: &str, code: u32) -> bool {
    message.contains(&format!("\"error\":{code}")) || message.contains(&format!("error: {code}"))
}

#[test]
fn the_2022_11_revision_fails_the_default_profile_naming_the_codes() {
    let rt = runtime();
    let server = rt
        .block_on(MockServer::start(Options::default()))
        .expect("the mock server starts");
    // The reference serving alipay-current, run under the default profile
    // (whose hello names no profile, so it keeps serving its own).
    let revision = Behaviour::reference().with_profile(Profile::ALIPAY_CURRENT);
    for (id, default_code, revision_code) in [
        ("connect-single-exists-open", 2, 3),
        ("connect-single-exists-connecting", 2, 3),
        ("url-not-a-string", 4, 2),
    ] {
        let s = scenario(id);
        let execution = rt.block_on(run_on_reference_in(
            &s.scenario,
            &server,
            revision.clone(),
            Profile::default(),
        ));
        let result = judge(&s, &execution);
        assert_eq!(result.status, Status::Fail, "{id}: {result:?}");
        let message = result.message.unwrap_or_default();
        assert!(
            names_code(&message, default_code) && names_code(&message, revision_code),
            "{id}: the message names both codes: {message}"
        );
        // The same implementation passes its own profile.
        let own = rt.block_on(run_on_reference_in(
            &s.scenario,
            &server,
            revision.clone(),
            Profile::ALIPAY_CURRENT,
        ));
        assert_eq!(
            judge(&s, &own).status,
            Status::Pass,
            "{id} under alipay-current"
        );
    }
}

#[test]
fn a_scenario_a_profile_does_not_cover_is_not_applicable_with_the_reason() {
    let rt = runtime();
    let server = rt
        .block_on(MockServer::start(Options::default()))
        .expect("the mock server starts");
    for (id, profile, words) in [
        (
            "connect-timeout-argument",
            Profile::ALIPAY_2022_09,
            "no `timeout` argument",
        ),
        (
            "connect-single-exists-open",
            Profile::WECHAT,
            "always makes a new SocketTask",
        ),
        (
            "listeners-off-removes-that-function",
            Profile::WECHAT,
            "which wx has not",
        ),
    ] {
        let s = scenario(id);
        let execution = rt.block_on(run_on_reference_in(
            &s.scenario,
            &server,
            Behaviour::reference().with_profile(profile),
            profile,
        ));
        let result = judge(&s, &execution);
        assert_eq!(result.status, Status::NotApplicable, "{id}");
        let message = result.message.unwrap_or_default();
        assert!(
            message.contains(profile.name()) && message.contains(words),
            "{id}: {message}"
        );
    }
}

#[test]
fn an_adapter_of_another_face_is_refused_at_start() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("a workspace")
        .to_path_buf();
    let script = adapter_host::ensure_node_adapter(&root).expect("the node adapter runs");
    let wx = format!("node '{}' --api wx", script.display());
    let rt = runtime();
    // Under the default profile, hello names no profile: the adapter keeps
    // the wx face of its command line, which the profile cannot check.
    let refused = rt.block_on(Suite::start(SuiteOptions::new(AdapterSpec::Command(
        wx.clone(),
    ))));
    match refused {
        Err(e @ SuiteError::WrongFace { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("`wx`") && text.contains("alipay-2022-09"),
                "{text}"
            );
        }
        other => panic!("expected WrongFace, got {other:?}"),
    }
    // Under wechat it fits.
    let suite = rt
        .block_on(Suite::start(
            SuiteOptions::new(AdapterSpec::Command(wx)).with_profile(Profile::WECHAT),
        ))
        .expect("the wx face fits wechat");
    rt.block_on(suite.finish());
}
