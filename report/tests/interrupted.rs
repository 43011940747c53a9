//! An interrupted run is marked as such in every format, and a report
//! written before the mark existed still reads (not interrupted).

use report::{sample_report, Format};

#[test]
fn every_format_shows_an_interrupted_run() {
    let mut report = sample_report();
    for format in Format::ALL.into_iter().filter(|f| *f != Format::Json) {
        let text = format.render(&report);
        assert!(
            !text.to_lowercase().contains("interrupted"),
            "{format:?} of a whole run: {text}"
        );
    }
    assert!(report::write_json(&report).contains("\"interrupted\": false"));
    report.interrupted = true;
    for format in Format::ALL {
        let text = format.render(&report);
        let marked = match format {
            Format::Json => text.contains("\"interrupted\": true"),
            _ => text.to_lowercase().contains("interrupted"),
        };
        assert!(marked, "{format:?} of an interrupted run: {text}");
    }
    let back = report::read_json(&report::write_json(&report)).unwrap();
    assert!(back.interrupted);
}

#[test]
fn an_interrupted_run_with_no_scenario_is_still_marked_in_junit() {
    let mut report = sample_report();
    report.scenarios.clear();
    report.interrupted = true;
    let xml = report::write_junit(&report);
    assert!(xml.contains("name=\"interrupted\" value=\"true\""), "{xml}");
}

#[test]
fn a_report_without_the_field_reads_as_not_interrupted() {
    let json = report::write_json(&sample_report());
    let old = json.replace("\"interrupted\": false,", "");
    assert_ne!(old, json, "the field is written");
    assert!(!report::read_json(&old).unwrap().interrupted);
}
