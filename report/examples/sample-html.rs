//! Writes the sample report as HTML (or, with `--compare`, a comparison of
//! the sample with a variant of it) to the path given, for screenshots.
//!
//! `cargo run -p report --example sample-html -- out.html [--compare]`

use report::{compare, sample_report, write_comparison_html, write_html, Status};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "sample-report.html".to_string());
    let html = if args.any(|a| a == "--compare") {
        let a = sample_report();
        let mut b = sample_report();
        b.implementation.name = "other-socket".to_string();
        b.implementation.version = "0.9.0".to_string();
        for s in &mut b.scenarios {
            if s.status != Status::Pass {
                s.status = Status::Pass;
            }
        }
        b.scenarios[2].status = Status::Fail;
        write_comparison_html(&compare(&[a, b]))
    } else {
        write_html(&sample_report())
    };
    if let Err(e) = std::fs::write(&path, html) {
        eprintln!("error: {path}: {e}");
        std::process::exit(1);
    }
    println!("{path}");
}
