//! The conformance runner for the mini-program socket API
//! (`my.connectSocket`, its SocketTask and the `my.*Socket*` family).
//!
//! Four folders, in the order a scenario goes through them, and a fifth,
//! [`record`], for what the run recorded, which both `execute` and
//! `verdict` use (`docs/architecture.md` tells the whole path):
//!
//! - [`scenario`]: reads YAML scenarios ([`scenario::loader`]) into the
//!   typed model ([`scenario::model`]);
//! - [`execute`]: runs each against an implementation through an
//!   [`Adapter`] and a mock-server [`ServerSession`] ([`run_scenario`]),
//!   recording a two-lane [`Trace`];
//! - [`verdict`]: checks inline expectations, normalises the trace
//!   ([`verdict::normalise`]), compares it with the golden snapshot beside
//!   the scenario ([`verdict::golden`]) and decides its status ([`judge`]);
//! - [`cli`]: the command line, its progress and summary, and the reports.
//!
//! [`run_suite`] (and [`Suite`], for harnesses that run one scenario per
//! trial) is the whole run: the in-process reference or an adapter process
//! (`adapter_host::ProcessAdapter`, which implements [`Adapter`]) started
//! from a command line, restarted after faults, the embedded mock server,
//! and one [`SuiteEvent`] stream that the command line's [`PlainReporter`]
//! (or, on a terminal, its [`ProgressBarReporter`]) consume, ending in the
//! run's `report::RunReport`: the runner produces the `report` crate's
//! model directly ([`judge`] gives each scenario's entry), and the terminal
//! summary, JUnit, JSON, Markdown and HTML reports are its renderers.
//!
//! It is not a WebSocket fuzzer nor a load generator.

pub mod cli;
pub mod execute;
pub mod record;
pub mod scenario;
pub mod verdict;

pub use adapter_host::{Adapter, AdapterError, BoxFuture};
pub use cli::console::{progress_wanted, PlainReporter, ProgressBarReporter};
pub use execute::executor::{
    config_for, run_scenario, run_scenario_after_hello, run_scenario_in, DEFAULT_REQUEST_TIMEOUT,
};
pub use execute::options::{select, AdapterSpec, SuiteError, SuiteOptions};
pub use execute::results::{SuiteEvent, UNKNOWN_IMPLEMENTATION};
pub use execute::session::{ActError, ActTarget, ServerSession};
pub use execute::suite::{run_suite, run_suite_until, Suite};
pub use record::execution::{Execution, StepFailure};
pub use record::trace::{ClientRecord, Message, ServerEvent, ServerEventKind, Trace};
pub use report::{RunReport, ScenarioReport};
pub use scenario::loader::{load_dir, parse_scenario, scenarios_dir, LoadError, LoadedScenario};
pub use scenario::model::Scenario;
pub use scenario::profile::Profile;
pub use scenario::schema::scenario_schema_json;
pub use verdict::check::{check, session_tail, subset, Lanes};
pub use verdict::judge::{judge, Status};

#[cfg(test)]
mod tests {
    use super::*;

    fn update(var: &str) -> bool {
        std::env::var_os(var).is_some_and(|v| v != "0" && !v.is_empty())
    }

    #[test]
    fn the_committed_schema_is_current() {
        let path = scenarios_dir().join("scenario.schema.json");
        let fresh = scenario_schema_json();
        if update("UPDATE_SCHEMA") {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: regenerate with `UPDATE_SCHEMA=1 cargo test -p runner --lib schema`",
            path.display()
        );
    }

    #[test]
    fn every_scenario_file_loads_and_points_at_the_schema() {
        let loaded = load_dir(&scenarios_dir()).unwrap_or_else(|e| panic!("{e}"));
        for s in &loaded {
            let text = std::fs::read_to_string(&s.path).unwrap();
            assert!(
                text.starts_with("# yaml-language-server: $schema=../scenario.schema.json\n"),
                "{}: the first line must be `# yaml-language-server: $schema=../scenario.schema.json`",
                s.path.display()
            );
        }
    }

    #[test]
    fn the_spec_coverage_document_is_current() {
        let loaded = load_dir(&scenarios_dir()).unwrap_or_else(|e| panic!("{e}"));
        let path = scenarios_dir().join("../docs/spec-coverage.md");
        let fresh = verdict::coverage::render(&loaded);
        if update("UPDATE_COVERAGE") {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: regenerate with `UPDATE_COVERAGE=1 cargo test -p runner --lib coverage`",
            path.display()
        );
    }

    #[test]
    fn every_rule_has_a_scenario_or_a_test_and_every_error_code_a_scenario() {
        let loaded = load_dir(&scenarios_dir()).unwrap_or_else(|e| panic!("{e}"));
        let rules = verdict::coverage::uncovered_rules(&loaded);
        assert!(
            rules.is_empty(),
            "rules without a scenario or a test: {rules:?}"
        );
        let missing = verdict::coverage::missing_rule_tests(&scenarios_dir().join(".."));
        assert!(
            missing.is_empty(),
            "tests named in verdict::coverage::RULE_TESTS that do not exist: {missing:?}"
        );
        // Every rule no single scenario can break has the test that makes it act.
        for rule in spec::RUN_LEVEL_RULES
            .iter()
            .chain(&verdict::invariants::TRACE_RULES)
        {
            assert!(
                !verdict::coverage::rule_tests(rule).is_empty(),
                "{rule}: no test in verdict::coverage::RULE_TESTS"
            );
        }
        let codes = verdict::coverage::uncovered_codes(&loaded);
        assert!(
            codes.is_empty(),
            "error codes without a scenario: {codes:?}"
        );
    }
}
