//! The matrix of the sample report: rows, changes, refusals, signals.

use super::*;
use crate::sample_report;

fn plan() -> MatrixPlan {
    MatrixPlan::read(
        r#"{
          "introduction": ["The suite against two implementations."],
          "profiles": ["alipay-2022-09", "wechat"],
          "implementations": [
            {"id": "example", "title": "Example", "adapter": "node adapters/example/adapter.js --profile <default>", "source": "`example/`"},
            {"id": "other", "title": "Other", "adapter": "node other.js", "source": "`other/`", "profiles": ["wechat"]}
          ]
        }"#,
    )
    .unwrap()
}

#[test]
fn the_matrix_has_a_row_per_run_and_says_which_left_no_report() {
    let plan = plan();
    let mut wechat = sample_report();
    wechat.profile = "wechat".into();
    wechat.scenarios[0].status = Status::Fail;
    wechat.totals = crate::Totals::count(&wechat.scenarios);
    let reports = [wechat, sample_report()];
    let matrix = compatibility_matrix(&MatrixInput {
        plan: &plan,
        reports: &reports,
        previous: None,
        about: &["Node.js v20".to_string()],
        notes: Some("Read by hand."),
    })
    .unwrap();
    let md = &matrix.markdown;
    assert!(md.contains("- Date: 2026-11-25 (the day"), "{md}");
    assert!(
        md.contains("- Suite: connectsocket-conformance 0.1.0, commit 0123456789ab\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "| Example | `example-socket 2.3.1` | alipay-2022-09 | 10 | 2 | 1 | 1 | 6.1 s | – |\n\
                     | Example | `example-socket 2.3.1` | wechat | 9 | 3 | 1 | 1 | 6.1 s | – |\n\
                     | Other | – | wechat | – | – | – | – | no report | – |\n"
        ),
        "{md}"
    );
    assert!(md.contains("### Example, wechat\n\n| scenarios |"), "{md}");
    assert!(
        md.ends_with("## Reading the root causes\n\nRead by hand.\n"),
        "{md}"
    );
    // The columns follow the plan, not the order of the reports.
    let profiles: Vec<&str> = matrix
        .verdicts
        .columns
        .iter()
        .map(|c| c.profile.as_str())
        .collect();
    assert_eq!(profiles, ["alipay-2022-09", "wechat"]);
    assert_eq!(
        matrix.verdicts.verdicts["connect::connect-open-ws"],
        [Some(Status::Pass), Some(Status::Fail)]
    );
}

#[test]
fn the_changes_since_the_previous_matrix_are_listed_per_run() {
    let plan = plan();
    let reports = [sample_report()];
    let input = MatrixInput {
        plan: &plan,
        reports: &reports,
        previous: None,
        about: &[],
        notes: None,
    };
    let first = compatibility_matrix(&input).unwrap();
    let mut fixed = sample_report();
    fixed.scenarios.retain(|s| s.id != "tls::tls-expired");
    for s in &mut fixed.scenarios {
        if s.status == Status::Fail {
            s.status = Status::Pass;
        }
    }
    let reports = [fixed];
    let previous = PreviousMatrix {
        date: "2026-11-20".into(),
        file: "docs/compatibility/2026-11-20.md".into(),
        verdicts: Some(first.verdicts.clone()),
    };
    let second = compatibility_matrix(&MatrixInput {
        reports: &reports,
        previous: Some(&previous),
        ..input
    })
    .unwrap();
    let md = &second.markdown;
    assert!(md.contains("| changed since 2026-11-20 |"), "{md}");
    assert!(md.contains("| 6.1 s | 3 |\n"), "{md}");
    assert!(
        md.contains("- **Example, alipay-2022-09**: fail → pass (2): `handshake::handshake-status-200`, `send::send-too-large`; notApplicable → not run (1): `tls::tls-expired`.\n"),
        "{md}"
    );
    let without = PreviousMatrix {
        verdicts: None,
        ..previous
    };
    let third = compatibility_matrix(&MatrixInput {
        previous: Some(&without),
        ..input
    })
    .unwrap();
    assert!(third.markdown.contains("kept no verdicts per scenario"));
}

#[test]
fn a_report_of_no_planned_run_or_two_of_one_are_refused() {
    let plan = plan();
    let mut stray = sample_report();
    stray.implementation.adapter = "node elsewhere.js".into();
    let e = compatibility_matrix(&MatrixInput {
        plan: &plan,
        reports: &[stray],
        previous: None,
        about: &[],
        notes: None,
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("adapter `node elsewhere.js`, profile alipay-2022-09) is of no run"),
        "{e}"
    );
    let e = compatibility_matrix(&MatrixInput {
        plan: &plan,
        reports: &[sample_report(), sample_report()],
        previous: None,
        about: &[],
        notes: None,
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("two reports are of example under alipay-2022-09"),
        "{e}"
    );
}

#[test]
fn signals_are_read_from_messages_and_traces() {
    let mut r = sample_report();
    r.scenarios[4].message = Some("step 4: await my.open: not seen within 5000 ms; …".into());
    r.scenarios[8].message = Some("step 5: the adapter refused call 'c5': TypeError".into());
    r.scenarios[0].trace = serde_json::json!({"client": {"my": [{"c1.success (sync)": {}}]}});
    r.scenarios[1].message = Some("not seen within 5000 ms".into()); // a pass: not counted
    assert_eq!(
        Signals::of(&r),
        Signals {
            timed_out: 1,
            sync_callback: 1,
            call_refused: 1
        }
    );
    assert!(!timed_out("not seen within a while ms"));
}

#[test]
fn notes_headings_nest_under_the_matrix_section_outside_code_fences() {
    let notes = "# Findings\n\nText.\n\n## One layer\n\n```sh\n# a shell comment\n```\n";
    assert_eq!(
        super::nested_headings(notes),
        "### Findings\n\nText.\n\n#### One layer\n\n```sh\n# a shell comment\n```"
    );
}
