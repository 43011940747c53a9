//! One self-contained HTML page: inline CSS and a little inline script, no
//! external resource of any kind (no URL, font, image or stylesheet is
//! loaded), every piece of report text escaped.

use std::fmt::Write as _;

use crate::escape::html as esc;
use crate::model::{RunReport, ScenarioReport, Status, Totals, Verdict};
use crate::rules::{cell_label, code_rows, rule_rows};

/// Failing scenarios are shown open when there are at most this many.
const OPEN_FAILURES: usize = 5;

/// The CSS class of a status (or of an uncovered cell).
pub(crate) fn class(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Pass) => "pass",
        Some(Status::Fail) => "fail",
        Some(Status::Error) => "error",
        Some(Status::NotApplicable) => "na",
        None => "uncovered",
    }
}

/// A coloured status badge.
pub(crate) fn badge(status: Option<Status>) -> String {
    format!(
        r#"<span class="badge {}">{}</span>"#,
        class(status),
        esc(cell_label(status))
    )
}

pub(crate) const CSS: &str = r#"
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#8250df;--error-bg:#fbefff;
--differs:#9a6700;--differs-bg:#fff8c5;--na:#57606a;--na-bg:#eaeef2;--uncovered:#8c959f;--uncovered-bg:#f6f8fa;
--border:#d0d7de;--muted:#57606a;--fg:#1f2328;--bg:#ffffff;--soft:#f6f8fa;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",system-ui,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--soft)}
main{max-width:1280px;margin:0 auto;padding:0 24px 48px}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
header.top{background:#24292f;color:#fff;padding:22px 0 18px;margin-bottom:24px}
header.top .inner{max-width:1280px;margin:0 auto;padding:0 24px;display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-end;justify-content:space-between}
header.top h1{margin:0;font-size:22px;font-weight:600}
header.top .sub{color:#c9d1d9;font-size:13px;margin-top:4px}
header.top dl{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:0;font-size:12.5px;color:#c9d1d9}
header.top dt{color:#8b949e}header.top dd{margin:0}
.verdict{display:inline-block;margin-top:10px;padding:3px 12px;border-radius:14px;font-weight:600;font-size:13px}
.verdict.ok{background:var(--pass);color:#fff}.verdict.bad{background:var(--fail);color:#fff}
h2{font-size:18px;margin:28px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:14px;margin:18px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.cards{display:grid;grid-template-columns:repeat(6,1fr);gap:12px}
.card{background:var(--bg);border:1px solid var(--border);border-left:5px solid var(--na);border-radius:8px;padding:10px 14px;cursor:pointer;text-align:left;font:inherit;color:inherit}
.card:hover{box-shadow:0 1px 4px rgba(0,0,0,.12)}
.card .n{font-size:26px;font-weight:600;line-height:1.2}.card .l{color:var(--muted);font-size:12.5px}
.card.pass{border-left-color:var(--pass)}.card.fail{border-left-color:var(--fail)}.card.error{border-left-color:var(--error)}
.card.differs{border-left-color:var(--differs)}.card.na{border-left-color:var(--na)}.card.all{border-left-color:var(--accent)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11.5px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.badge.pass{color:var(--pass);background:var(--pass-bg)}.badge.fail{color:var(--fail);background:var(--fail-bg)}
.badge.error{color:var(--error);background:var(--error-bg)}.badge.differs{color:var(--differs);background:var(--differs-bg)}
.badge.na{color:var(--na);background:var(--na-bg)}.badge.uncovered{color:var(--uncovered);background:var(--uncovered-bg);border:1px dashed var(--uncovered)}
.legend{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 8px;color:var(--muted);font-size:12.5px;align-items:center}
.codes{display:grid;grid-template-columns:repeat(6,1fr);gap:8px}
.tile{background:var(--bg);border:1px solid var(--border);border-top:4px solid var(--border);border-radius:6px;padding:8px 10px;min-width:0;display:flex;flex-direction:column}
.tile.pass{border-top-color:var(--pass)}.tile.fail{border-top-color:var(--fail);background:var(--fail-bg)}
.tile.error{border-top-color:var(--error);background:var(--error-bg)}.tile.differs{border-top-color:var(--differs)}
.tile.na{border-top-color:var(--na)}.tile.uncovered{color:var(--muted)}
.tile .code{font-size:20px;font-weight:700;line-height:1.2}.tile .meaning{font-size:12.5px;line-height:1.35;margin-bottom:4px}
.tile .rules{font-size:11px;color:var(--muted);overflow-wrap:anywhere;line-height:1.4}
.tile .head{display:flex;justify-content:space-between;align-items:baseline;gap:6px}
.tile .foot{margin-top:auto;padding-top:6px}
.tile .cnt{font-size:11.5px;color:var(--muted)}
.rulegrid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:6px}
.rule{display:flex;flex-direction:column;align-items:stretch;gap:1px;background:var(--bg);border:1px solid var(--border);border-left:4px solid var(--uncovered);border-radius:5px;padding:5px 8px;cursor:pointer;font:inherit;color:inherit;text-align:left;min-width:0}
.rule code{overflow-wrap:anywhere;font-weight:600}
.rule .cnt{font-size:11px;color:var(--muted)}
.rule.pass{border-left-color:var(--pass)}.rule.fail{border-left-color:var(--fail);background:var(--fail-bg)}
.rule.error{border-left-color:var(--error);background:var(--error-bg)}.rule.differs{border-left-color:var(--differs);background:var(--differs-bg)}
.rule.na{border-left-color:var(--na)}.rule.uncovered{border-left-color:var(--border);color:var(--muted)}.rule.uncovered code{font-weight:400}
.rule:hover{border-color:var(--accent)}
.toolbar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:8px 0 12px;position:sticky;top:0;background:var(--soft);padding:8px 0;z-index:1}
.toolbar button{font:inherit;font-size:12.5px;padding:4px 12px;border-radius:16px;border:1px solid var(--border);background:var(--bg);cursor:pointer;color:var(--fg)}
.toolbar button.on{background:#24292f;color:#fff;border-color:#24292f}
.toolbar input{font:inherit;font-size:12.5px;padding:4px 10px;border:1px solid var(--border);border-radius:6px;min-width:260px;margin-left:auto}
.toolbar .shown{color:var(--muted);font-size:12.5px}
.area{margin-bottom:14px}
.area h3{margin:14px 0 6px}
details.sc{background:var(--bg);border:1px solid var(--border);border-radius:6px;margin:4px 0}
details.sc>summary{display:flex;gap:10px;align-items:center;padding:7px 12px;cursor:pointer;list-style:none}
details.sc>summary::-webkit-details-marker{display:none}
details.sc>summary::before{content:"\25B8";color:var(--muted);width:10px}
details.sc[open]>summary::before{content:"\25BE"}
details.sc>summary .title{color:var(--muted);flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.sc>summary .dur{color:var(--muted);font-size:12px;white-space:nowrap}
details.sc.fail{border-left:4px solid var(--fail)}details.sc.error{border-left:4px solid var(--error)}
details.sc.differs{border-left:4px solid var(--differs)}details.sc.na{border-left:4px solid var(--na)}details.sc.pass{border-left:4px solid var(--pass)}
.body{padding:4px 16px 14px;border-top:1px solid var(--border)}
.body h4{margin:12px 0 4px;font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.msg{background:var(--soft);border-radius:6px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.fail{background:var(--fail-bg)}.msg.error{background:var(--error-bg)}.msg.differs{background:var(--differs-bg)}
pre{margin:0;background:var(--soft);border:1px solid var(--border);border-radius:6px;padding:8px 10px;overflow:auto;max-height:420px}
pre.diff .l{display:block}pre.diff .add{background:#e6ffec;color:#116329}pre.diff .del{background:#ffebe9;color:#82071e}
pre.diff .hunk{color:#0550ae;background:#ddf4ff}
.meta-line{color:var(--muted);font-size:12.5px}
.hidden{display:none!important}
table.cmp{border-collapse:collapse;background:var(--bg);font-size:12.5px;margin-top:8px}
table.cmp thead th+th{min-width:170px;text-align:center}
table.cmp th,table.cmp td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:middle}
table.cmp thead th{background:#24292f;color:#fff;position:sticky;top:0}
table.cmp tr.group th{background:var(--soft);font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table.cmp td.c{text-align:center}
table.cmp tr.differ td:first-child{box-shadow:inset 4px 0 0 var(--differs)}
footer{color:var(--muted);font-size:12px;margin-top:32px;text-align:center}
@media (max-width:900px){.cards,.codes{grid-template-columns:repeat(3,1fr)}}
"#;

/// The page's script: status filters and a text filter. It loads nothing.
const SCRIPT: &str = r#"
(function(){
  var status = 'all', text = '';
  var items = Array.prototype.slice.call(document.querySelectorAll('details.sc'));
  var areas = Array.prototype.slice.call(document.querySelectorAll('.area'));
  var buttons = Array.prototype.slice.call(document.querySelectorAll('[data-filter]'));
  var input = document.getElementById('q');
  var shown = document.getElementById('shown');
  function matches(el){
    var s = el.getAttribute('data-status');
    var okStatus = status === 'all' || s === status || (status === 'notpass' && s !== 'pass');
    var hay = (el.getAttribute('data-id') + ' ' + el.getAttribute('data-rules') + ' ' + el.getAttribute('data-title')).toLowerCase();
    return okStatus && (text === '' || hay.indexOf(text) !== -1);
  }
  function apply(){
    var n = 0;
    items.forEach(function(el){ var m = matches(el); el.classList.toggle('hidden', !m); if (m) { n++; } });
    areas.forEach(function(a){ a.classList.toggle('hidden', a.querySelectorAll('details.sc:not(.hidden)').length === 0); });
    buttons.forEach(function(b){ b.classList.toggle('on', b.getAttribute('data-filter') === status); });
    shown.textContent = n + ' of ' + items.length + ' shown';
  }
  buttons.forEach(function(b){ b.addEventListener('click', function(){
    status = b.getAttribute('data-filter'); apply();
    if (b.classList.contains('card')) { document.getElementById('scenarios').scrollIntoView(); }
  }); });
  input.addEventListener('input', function(){ text = input.value.trim().toLowerCase(); apply(); });
  Array.prototype.slice.call(document.querySelectorAll('[data-rule]')).forEach(function(r){
    r.addEventListener('click', function(){
      input.value = r.getAttribute('data-rule'); text = input.value.toLowerCase(); status = 'all'; apply();
      document.getElementById('scenarios').scrollIntoView();
    });
  });
  document.getElementById('expand').addEventListener('click', function(){ items.forEach(function(el){ if (!el.classList.contains('hidden')) { el.open = true; } }); });
  document.getElementById('collapse').addEventListener('click', function(){ items.forEach(function(el){ el.open = false; }); });
  apply();
})();
"#;

/// The start of a page: doctype, head with the inline CSS, body.
pub(crate) fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    )
}

/// A count for a tile or a row: `3 scenarios` or `none`.
pub(crate) fn scenario_count(counts: &Totals) -> String {
    match counts.total() {
        0 => "no scenario".to_string(),
        1 => "1 scenario".to_string(),
        n => format!("{n} scenarios"),
    }
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

/// A unified diff with coloured `+`, `-` and `@@` lines.
fn diff_html(diff: &str) -> String {
    let mut out = String::from("<pre class=\"diff\">");
    for line in diff.lines() {
        let kind = if line.starts_with("@@") {
            "hunk"
        } else if line.starts_with('+') {
            "add"
        } else if line.starts_with('-') {
            "del"
        } else {
            "ctx"
        };
        let _ = write!(out, "<span class=\"l {kind}\">{}</span>", esc(line));
    }
    out.push_str("</pre>");
    out
}

fn scenario_html(out: &mut String, s: &ScenarioReport, open: bool) {
    let cls = class(Some(s.status));
    let _ = write!(
        out,
        "<details class=\"sc {cls}\" data-status=\"{}\" data-id=\"{}\" data-rules=\"{}\" data-title=\"{}\"{}>\n\
         <summary>{} <code>{}</code><span class=\"title\">{}</span><span class=\"dur\">{} ms</span></summary>\n\
         <div class=\"body\">\n",
        cls,
        esc(&s.id),
        esc(&s.rules.join(" ")),
        esc(&s.title),
        if open { " open" } else { "" },
        badge(Some(s.status)),
        esc(&s.id),
        esc(&s.title),
        s.duration_ms
    );
    let rules: Vec<String> = s
        .rules
        .iter()
        .map(|r| format!("<code>{}</code>", esc(r)))
        .collect();
    let _ = write!(
        out,
        "<p class=\"meta-line\">rules: {}",
        if rules.is_empty() {
            "–".into()
        } else {
            rules.join(", ")
        }
    );
    if !s.tags.is_empty() {
        let _ = write!(out, " · tags: {}", esc(&s.tags.join(", ")));
    }
    if let Some(rule) = &s.broken_rule {
        let _ = write!(out, " · fails under <code>{}</code>", esc(rule));
    }
    out.push_str("</p>\n");
    if let Some(message) = &s.message {
        let _ = writeln!(
            out,
            "<h4>Message</h4><div class=\"msg {cls}\">{}</div>",
            esc(message)
        );
    }
    if let Some(first) = &s.first_difference {
        let _ = writeln!(out, "<h4>First difference</h4><pre>{}</pre>", esc(first));
    }
    if let Some(diff) = &s.golden_diff {
        let _ = writeln!(
            out,
            "<h4>Golden trace (−expected +actual)</h4>{}",
            diff_html(diff)
        );
    }
    if !s.trace.is_null() {
        let trace = serde_json::to_string_pretty(&s.trace).unwrap_or_default();
        let _ = writeln!(out, "<h4>Trace</h4><pre>{}</pre>", esc(&trace));
    }
    if let Some(stderr) = s.adapter_stderr.as_deref().filter(|e| !e.is_empty()) {
        let _ = writeln!(out, "<h4>Adapter stderr</h4><pre>{}</pre>", esc(stderr));
    }
    out.push_str("</div>\n</details>\n");
}

/// The verdict against a baseline, when the run was judged against one:
/// what decides CI, so it comes before the details.
fn baseline_section(report: &RunReport) -> String {
    let Some(v) = &report.baseline else {
        return String::new();
    };
    let (class, verdict) = if v.passed() {
        ("pass", "no new failure")
    } else {
        ("fail", "new failures")
    };
    let mut out = format!(
        "<section id=\"baseline\"><h2>Baseline</h2>\n<p><span class=\"badge {class}\">{verdict}</span> \
         {} new failures · {} expected failures · {} unexpected passes · {} not run</p>\n",
        v.new_failures.len(),
        v.expected_failures.len(),
        v.unexpected_passes.len(),
        v.not_run.len()
    );
    let lists = [
        ("New failures (not in the baseline)", v.new_failures.clone()),
        (
            "Unexpected passes (remove them from the baseline)",
            v.unexpected_passes
                .iter()
                .map(|p| format!("{}: now {}", p.id, p.status.label()))
                .collect(),
        ),
        ("Baselined but not run", v.not_run.clone()),
    ];
    for (title, items) in lists {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{title}</h3>\n<ul class=\"mono\">");
        for item in items {
            let _ = writeln!(out, "<li>{}</li>", esc(&item));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The root causes, largest group first, each with its scenarios.
fn root_cause_section(report: &RunReport) -> String {
    if report.root_causes.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section id=\"causes\"><h2>Root causes</h2>\n<table class=\"cmp\"><tr><th>scenarios</th><th>first difference</th><th>which</th></tr>\n",
    );
    for cause in &report.root_causes {
        let _ = writeln!(
            out,
            "<tr class=\"fail\"><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
            cause.scenarios.len(),
            esc(&cause.cause),
            esc(&cause.scenarios.join(", "))
        );
    }
    out.push_str("</table>\n</section>\n");
    out
}

/// The implementation's profile: each [impl-defined] rule, the option the
/// run showed and the scenarios that showed it.
fn profile_section(report: &RunReport) -> String {
    if report.options.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section id=\"profile\"><h2>Implementation profile</h2>\n\
         <p>The option of each [impl-defined] rule this implementation's traces showed \
         (<code>options.consistent</code>: one option per rule).</p>\n\
         <table class=\"cmp\"><tr><th>rule</th><th>option</th><th>scenarios</th></tr>\n",
    );
    for entry in &report.options {
        let (class, option, scenarios) = match entry.observed.as_slice() {
            [] => ("uncovered", "not observed".to_string(), String::new()),
            [one] => ("pass", one.option.clone(), one.scenarios.join(", ")),
            many => (
                "fail",
                many.iter()
                    .map(|o| o.option.clone())
                    .collect::<Vec<_>>()
                    .join(" and "),
                many.iter()
                    .map(|o| format!("{}: {}", o.option, o.scenarios.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
            esc(&entry.rule),
            esc(&option),
            esc(&scenarios)
        );
    }
    out.push_str("</table>\n</section>\n");
    out
}

/// The legend of the matrix colours.
pub(crate) fn legend() -> String {
    let mut out = String::from("<div class=\"legend\">");
    for s in [
        Some(Status::Pass),
        Some(Status::Fail),
        Some(Status::Error),
        Some(Status::NotApplicable),
        None,
    ] {
        out.push_str(&badge(s));
    }
    out.push_str("<span>a rule or code shows the worst status of its scenarios</span></div>\n");
    out
}

/// The report as one self-contained HTML page: run information, totals,
/// the compliance matrix (error codes 1–12 and rule ids, coloured by
/// status), then every scenario, filterable by status and text, expandable
/// to its message, golden diff and trace.
pub fn write_html(report: &RunReport) -> String {
    let t = &report.totals;
    let label = report.implementation_label();
    let mut out = page_start(&format!("Conformance report: {label}"));

    // Header.
    let inconsistent = report.inconsistent_rules().len();
    let verdict = if report.verdict() == Verdict::NotCompliant {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "<span class=\"verdict bad\">Non-conforming: {}, {}, {}</span>",
            plural(t.fail, "failure", "failures"),
            plural(t.error, "error", "errors"),
            plural(
                inconsistent,
                "rule with two options",
                "rules with two options"
            )
        )
    } else if report.interrupted {
        String::new()
    } else {
        "<span class=\"verdict ok\">Conforming</span>".to_string()
    };
    let verdict = if report.interrupted {
        format!(
            "{verdict}<span class=\"verdict bad\">Interrupted: the run was stopped; {} scenarios ended</span>",
            t.total()
        )
    } else {
        verdict
    };
    let _ = write!(
        out,
        "<header class=\"top\"><div class=\"inner\"><div><h1>{}</h1>\
         <div class=\"sub\">{} · my.connectSocket conformance</div>{verdict}</div>\n\
         <dl><dt>profile</dt><dd class=\"mono\">{}</dd><dt>adapter</dt><dd class=\"mono\">{}</dd><dt>started</dt><dd>{}</dd>\
         <dt>finished</dt><dd>{}</dd><dt>duration</dt><dd>{}</dd></dl></div></header>\n<main>\n",
        esc(&label),
        esc(&report.suite.label()),
        esc(&report.profile),
        esc(&report.implementation.adapter),
        esc(&report.started_at),
        esc(&report.finished_at),
        seconds(report.duration_ms)
    );

    // Totals, which double as filters.
    out.push_str("<section class=\"cards\">\n");
    let _ = writeln!(
        out,
        "<button class=\"card all\" data-filter=\"all\"><div class=\"n\">{}</div><div class=\"l\">scenarios</div></button>",
        t.total()
    );
    for s in [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::NotApplicable,
    ] {
        let _ = writeln!(
            out,
            "<button class=\"card {c}\" data-filter=\"{c}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></button>",
            t.get(s),
            esc(s.label()),
            c = class(Some(s))
        );
    }
    out.push_str("</section>\n");

    // Compliance matrix.
    out.push_str("<section id=\"matrix\"><h2>Compliance matrix</h2>\n");
    out.push_str(&legend());
    out.push_str("<h3>Error codes</h3>\n<div class=\"codes\">\n");
    for row in code_rows(report) {
        let rules: Vec<String> = row.code.rules().iter().map(|r| esc(r)).collect();
        let _ = writeln!(
            out,
            "<div class=\"tile {}\" title=\"{}\"><div class=\"head\"><span class=\"code\">{}</span>\
             <span class=\"cnt\">{}</span></div><div class=\"meaning\">{}</div>\
             <div class=\"rules mono\">{}</div><div class=\"foot\">{}</div></div>",
            class(row.status),
            esc(&crate::markdown::breakdown(&row.counts)),
            row.code.code(),
            scenario_count(&row.counts),
            esc(row.code.meaning()),
            rules.join(" · "),
            badge(row.status)
        );
    }
    out.push_str("</div>\n<h3>Rules</h3>\n<div class=\"rulegrid\">\n");
    for row in rule_rows(report) {
        let unknown = if row.known {
            ""
        } else {
            " (not in behaviour.md)"
        };
        let _ = writeln!(
            out,
            "<button class=\"rule {}\" data-rule=\"{}\" title=\"{}: {}{}\"><code>{}</code><span class=\"cnt\">{}</span></button>",
            class(row.status),
            esc(&row.rule),
            esc(cell_label(row.status)),
            esc(&crate::markdown::breakdown(&row.counts)),
            unknown,
            esc(&row.rule),
            if row.counts.total() == 0 { "uncovered".to_string() } else { crate::markdown::breakdown(&row.counts) }
        );
    }
    out.push_str("</div>\n</section>\n");

    out.push_str(&baseline_section(report));
    out.push_str(&root_cause_section(report));
    out.push_str(&profile_section(report));

    // Scenarios.
    out.push_str(
        "<section id=\"scenarios\"><h2>Scenarios</h2>\n<div class=\"toolbar\">\
         <button data-filter=\"all\" class=\"on\">All</button>\
         <button data-filter=\"notpass\">Not passed</button>\
         <button data-filter=\"fail\">Fail</button>\
         <button data-filter=\"error\">Error</button>\
         <button data-filter=\"na\">Not applicable</button>\
         <button data-filter=\"pass\">Pass</button>\
         <button id=\"expand\">Expand all</button><button id=\"collapse\">Collapse all</button>\
         <span class=\"shown\" id=\"shown\"></span>\
         <input id=\"q\" type=\"search\" placeholder=\"Filter by id, title or rule\" aria-label=\"Filter\"></div>\n",
    );
    let open_failures = report
        .scenarios
        .iter()
        .filter(|s| s.status.is_failure())
        .count()
        <= OPEN_FAILURES;
    for area in report.areas() {
        let scenarios: Vec<&ScenarioReport> =
            report.scenarios.iter().filter(|s| s.area == area).collect();
        let counts = Totals::count(scenarios.iter().copied());
        let _ = writeln!(
            out,
            "<div class=\"area\"><h3>{} <span class=\"meta-line\">· {}</span></h3>",
            esc(area),
            esc(&crate::markdown::breakdown(&counts))
        );
        for s in scenarios {
            scenario_html(&mut out, s, open_failures && s.status.is_failure());
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
    let _ = write!(
        out,
        "<footer>{} {} · JSON schemaVersion {} · a self-contained page: it loads nothing</footer>\n</main>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&report.suite.name),
        esc(&report.suite.version),
        report.schema_version
    );
    out
}
