//! A fixed sample report, for the documentation, the examples and the
//! tests: every status appears, with traces and a golden diff.

use serde_json::json;

use crate::model::{Implementation, RunReport, ScenarioReport, Status, Suite};

fn scenario(
    id: &str,
    title: &str,
    rules: &[&str],
    status: Status,
    duration_ms: u64,
) -> ScenarioReport {
    let (area, name) = id.split_once("::").unwrap_or((id, id));
    ScenarioReport {
        path: Some(format!("scenarios/{area}/{name}.yaml")),
        adapter_fault: None,
        broken_rule: None,
        id: id.to_string(),
        area: area.to_string(),
        title: title.to_string(),
        rules: rules.iter().map(|r| r.to_string()).collect(),
        tags: Vec::new(),
        status,
        duration_ms,
        message: None,
        first_difference: None,
        golden_diff: None,
        trace: serde_json::Value::Null,
        adapter_stderr: None,
        options: Vec::new(),
    }
}

fn open_trace() -> serde_json::Value {
    json!({
        "client": {"my": [
            {"c1": "returned"},
            {"c1.success": {}},
            {"c1.complete": {}},
            {"my.open@O": {}}
        ]},
        "server": {"conn1": [
            {"handshake": {"path": "/s/<session>/echo"}},
            {"response": 101}
        ]}
    })
}

/// A fixed report of 14 scenarios of a fictional implementation
/// (`example-socket 2.3.1`), with every status: 10 pass, 2 fail, 1 error,
/// 1 notApplicable, and two options of [impl-defined] rules.
pub fn sample_report() -> RunReport {
    let mut scenarios = vec![
        scenario(
            "connect::connect-open-ws",
            "connectSocket to a ws:// echo server: success, complete, then onSocketOpen",
            &["connect.success", "connect.open", "order.async"],
            Status::Pass,
            41,
        ),
        scenario(
            "connect::connect-single-exists-open",
            "A second single connectSocket while the first is open fails with 2",
            &["connect.single.exists"],
            Status::Pass,
            38,
        ),
        scenario(
            "url::url-empty-string",
            "An empty url fails with 3 before any network traffic",
            &["connect.url.empty"],
            Status::Pass,
            3,
        ),
        scenario(
            "url::url-scheme-http",
            "An http:// url fails with 5",
            &["connect.url.scheme"],
            Status::Pass,
            2,
        ),
        scenario(
            "handshake::handshake-status-200",
            "A 200 response instead of 101: onSocketError 8, then onSocketClose 1006",
            &["connect.success", "error.8.handshake"],
            Status::Fail,
            57,
        ),
        scenario(
            "handshake::handshake-timeout-never-answer",
            "A server that never answers the upgrade: onSocketError 6 after connectTimeoutMs",
            &["connect.success", "error.6.timeout"],
            Status::Error,
            5012,
        ),
        scenario(
            "tls::tls-expired",
            "An expired server certificate: onSocketError 7",
            &["connect.success", "error.7.cert"],
            Status::NotApplicable,
            0,
        ),
        scenario(
            "send::send-text",
            "sendSocketMessage with a string sends one text frame",
            &["send.text"],
            Status::Pass,
            44,
        ),
        scenario(
            "send::send-too-large",
            "A message longer than maxMessageBytes fails with 11 and is not sent",
            &["send.too-large"],
            Status::Fail,
            47,
        ),
        scenario(
            "receive::receive-binary",
            "A binary message arrives as base64 with isBuffer: true",
            &["receive.binary"],
            Status::Pass,
            40,
        ),
        scenario(
            "close::close-invalid-code-2999",
            "closeSocket with code 2999 fails with 1 and sends nothing",
            &["close.invalid-code"],
            Status::Pass,
            36,
        ),
        scenario(
            "close::close-not-open-never-connected",
            "closeSocket before any connection fails with 10",
            &["close.not-open"],
            Status::Pass,
            2,
        ),
        scenario(
            "close::close-server",
            "The server closes with 4001 \"bye\": onSocketClose carries them",
            &["close.server"],
            Status::Pass,
            45,
        ),
        scenario(
            "listeners::listeners-run-in-order-added",
            "Listeners run in the order they were added",
            &["listeners.order"],
            Status::Pass,
            39,
        ),
    ];
    for s in &mut scenarios {
        s.trace = open_trace();
    }
    let fail = &mut scenarios[4];
    fail.message = Some("golden trace differs: client lane, event 4".to_string());
    fail.first_difference = Some(
        "client.my[3]: expected my.error@E {error: 8, errorMessage: <string>}, got my.open@O {}"
            .to_string(),
    );
    fail.golden_diff = Some(
        "@@ -3,8 +3,5 @@\n     - c1.success: {}\n     - c1.complete: {}\n-    - my.error@E:\n-        error: 8\n-        \
         errorMessage: \"<string>\"\n-    - my.close@C:\n-        code: 1006\n-        reason: \"\"\n+    - my.open@O: {}\n \
         server:\n   conn1:\n"
            .to_string(),
    );
    fail.trace = json!({
        "client": {"my": [
            {"c1": "returned"},
            {"c1.success": {}},
            {"c1.complete": {}},
            {"my.open@O": {}}
        ]},
        "server": {"conn1": [
            {"handshake": {"path": "/s/<session>/status-200"}},
            {"response": 200}
        ]}
    });
    let error = &mut scenarios[5];
    error.message = Some("adapter did not answer `act` within 10000 ms (step 2)".to_string());
    error.adapter_stderr = Some("panic: event loop stalled <timeout> & no callback\n".to_string());
    scenarios[6].message =
        Some("adapter has no TLS trust-store override (capability `tls.caOverride`)".to_string());
    let too_large = &mut scenarios[8];
    too_large.message = Some("step 3: expected fail {error: 11}, got success {}".to_string());
    too_large.first_difference = Some(
        "client.my[5]: expected c3.fail {error: 11, errorMessage: <string>}, got c3.success {}"
            .to_string(),
    );
    too_large.golden_diff = Some(
        "@@ -6,6 +6,4 @@\n-    - c3.fail:\n-        error: 11\n-        errorMessage: \"<string>\"\n+    - c3.success: {}\n \
         server:\n   conn1:\n+    - message: <text 65537 bytes>\n"
            .to_string(),
    );
    // Two options of [impl-defined] rules this implementation took.
    scenarios[10].options = vec![crate::OptionChoice {
        rule: "close.invalid-code.code".to_string(),
        option: "2".to_string(),
    }];
    scenarios[11].options = vec![crate::OptionChoice {
        rule: "close.not-open.code".to_string(),
        option: "10".to_string(),
    }];
    RunReport::new(
        Suite {
            name: "connectsocket-conformance".to_string(),
            version: "0.1.0".to_string(),
            commit: Some("0123456789ab".to_string()),
        },
        Implementation {
            name: "example-socket".to_string(),
            version: "2.3.1".to_string(),
            adapter: "node adapters/example/adapter.js --profile <default>".to_string(),
        },
        "2026-11-25T17:00:00Z".to_string(),
        "2026-11-25T17:00:06.123Z".to_string(),
        6123,
        scenarios,
    )
}
