//! The conforming variants: each takes another option of one [impl-defined]
//! rule, and the test shows the reference's answer and the variant's side
//! by side.

mod support;

use reference_impl::{
    Behaviour, CloseSocketOptions, Config, ConnectSocketOptions, ErrorCode, Event, My,
    SendSocketMessageOptions, Variant, Variants,
};
use serde_json::json;
use support::*;
use testkit::then;

/// A context running `variant` with `config`.
fn with_config(variant: Variant, config: Config) -> My {
    let behaviour = Behaviour::reference().with_variants(Variants::new([variant]).unwrap());
    let my = My::new(config, behaviour.clone()).expect("the test config is valid");
    assert_eq!(my.behaviour(), behaviour);
    my
}

fn variant(variant: Variant) -> My {
    with_config(variant, config())
}

/// The events of a connect with these options, until quiet.
async fn connect_events(my: &My, options: ConnectSocketOptions) -> Vec<Event> {
    listen_on_my(my);
    my.connect_socket(1, Some(options));
    quiet_events(my).await
}

fn url(text: &str) -> ConnectSocketOptions {
    ConnectSocketOptions::url(text)
}

// rule: connect.outcome
#[tokio::test]
async fn settled_reports_success_right_before_open() {
    let server = mock().await;
    let reference = my();
    listen_on_my(&reference);
    reference.connect_socket(1, connect_options(&server.url("echo")));
    assert_eq!(drain(&reference), ok(1), "accepted: at once");
    let settled = variant(Variant::ConnectOutcomeSettled);
    listen_on_my(&settled);
    settled.connect_socket(1, connect_options(&server.url("echo")));
    assert_eq!(drain(&settled), vec![], "settled: not before the handshake");
    expect(&settled, then(ok(1), [opened("my", "O")])).await;
}

// rule: connect.outcome
#[tokio::test]
async fn settled_fails_a_connect_whose_handshake_fails_right_before_on_error() {
    let server = mock().await;
    let options = url(&server.refused_url());
    let failure = [
        errored("my", "E", ErrorCode::Unknown),
        closed("my", "C", 1006, ""),
    ];
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        then(ok(1), failure.clone())
    );
    let settled = variant(Variant::ConnectOutcomeSettled);
    assert_eq!(
        connect_events(&settled, options).await,
        then(failed(1, ErrorCode::Unknown), failure)
    );
}

// rule: connect.outcome
#[tokio::test]
async fn settled_fails_a_connect_abandoned_by_close_with_1_before_the_close_succeeds() {
    let server = mock().await;
    let settled = variant(Variant::ConnectOutcomeSettled);
    listen_on_my(&settled);
    settled.connect_socket(1, connect_options(&server.url("fault/never-answer")));
    settled.close_socket(2, Some(CloseSocketOptions::default()));
    let want = then(failed(1, ErrorCode::Unknown), ok(2));
    assert_eq!(
        quiet_events(&settled).await,
        then(want, [closed("my", "C", 1006, "")])
    );
}

// rule: connect.failure-close
#[tokio::test]
async fn silent_failure_close_gives_no_on_close_and_frees_the_global_socket() {
    let server = mock().await;
    let silent = variant(Variant::ConnectFailureCloseSilent);
    let events = connect_events(&silent, url(&server.refused_url())).await;
    assert_eq!(
        events,
        then(ok(1), [errored("my", "E", ErrorCode::Unknown)])
    );
    silent.connect_socket(2, connect_options(&server.url("echo")));
    expect(&silent, then(ok(2), [opened("my", "O")])).await;
}

// rule: connect.check-order
#[tokio::test]
async fn single_first_reports_2_before_a_bad_url() {
    let server = mock().await;
    for (my, code) in [
        (my(), ErrorCode::UrlEmpty),
        (
            variant(Variant::ConnectCheckOrderSingleFirst),
            ErrorCode::AlreadyConnected,
        ),
    ] {
        open_global(&my, &server.url("echo"), 1).await;
        my.connect_socket(2, connect_options(""));
        expect(&my, failed(2, code)).await;
    }
}

// rules: connect.url.blank, connect.url.relative, connect.url.scheme-case,
// error codes of connect.wss-only
#[tokio::test]
async fn url_code_variants_change_only_their_own_code() {
    let server = mock().await;
    let upper = server.url("echo").replacen("ws://", "WS://", 1);
    let wss_only = Config {
        wss_only: true,
        ..config()
    };
    let cases = [
        (
            Variant::ConnectUrlBlank4,
            url("  "),
            ErrorCode::UrlEmpty,
            ErrorCode::UrlFormat,
        ),
        (
            Variant::ConnectUrlBlank4,
            url(""),
            ErrorCode::UrlEmpty,
            ErrorCode::UrlEmpty,
        ),
        (
            Variant::ConnectUrlRelative5,
            url("example.com/x"),
            ErrorCode::UrlFormat,
            ErrorCode::UrlScheme,
        ),
        (
            Variant::ConnectUrlSchemeCaseSensitive,
            url("HTTP://example.com/"),
            ErrorCode::UrlScheme,
            ErrorCode::UrlScheme,
        ),
    ];
    for (v, options, reference, varied) in cases {
        assert_eq!(
            connect_events(&my(), options.clone()).await,
            failed(1, reference),
            "{v}"
        );
        assert_eq!(
            connect_events(&variant(v), options).await,
            failed(1, varied),
            "{v}"
        );
    }
    // connect.url.scheme-case: `WS://` opens, or fails with 5.
    let opens = connect_events(&my(), url(&upper)).await;
    assert_eq!(opens, then(ok(1), [opened("my", "O")]));
    let sensitive = variant(Variant::ConnectUrlSchemeCaseSensitive);
    assert_eq!(
        connect_events(&sensitive, url(&upper)).await,
        failed(1, ErrorCode::UrlScheme)
    );
    // connect.wss-only.code: 8, or 20.
    let twenty = with_config(Variant::ConnectWssOnlyCode20, wss_only);
    let events = connect_events(&twenty, url(&server.url("echo"))).await;
    assert_eq!(events, failed(1, ErrorCode::WssRequired));
    assert_eq!(ErrorCode::WssRequired.code(), 20);
}

// rules: connect.multiple.limit.code, connect.multiple.limit.global
#[tokio::test]
async fn limit_variants_change_the_code_or_leave_the_global_socket_out() {
    let server = mock().await;
    let one = Config {
        max_tasks: 1,
        ..config()
    };
    let task = || Some(ConnectSocketOptions::url(server.url("echo")).multiple());
    // connect.multiple.limit.code=2
    let two = with_config(Variant::ConnectMultipleLimitCode2, one.clone());
    two.connect_socket(1, task());
    two.connect_socket(2, task());
    let events = quiet_events(&two).await;
    assert_eq!(events, then(ok(1), failed(2, ErrorCode::AlreadyConnected)));
    // connect.multiple.limit.global=separate: a task beside the global socket.
    for (my, second) in [
        (my_with(one.clone()), failed(2, ErrorCode::Unknown)),
        (
            with_config(Variant::ConnectMultipleLimitGlobalSeparate, one.clone()),
            ok(2),
        ),
    ] {
        open_global(&my, &server.url("echo"), 1).await;
        my.connect_socket(2, task());
        expect(&my, second).await;
    }
}

// rule: connect.protocols
#[tokio::test]
async fn ignored_protocols_offer_nothing() {
    let server = mock().await;
    let options = ConnectSocketOptions {
        protocols: Some(json!(["chat"])),
        ..url(&server.url("echo"))
    };
    let ignored = variant(Variant::ConnectProtocolsIgnored);
    let events = connect_events(&ignored, options.clone()).await;
    assert_eq!(events, then(ok(1), [opened("my", "O")]));
    assert!(server.request(1).await.protocols.is_empty());
    connect_events(&my(), options).await;
    assert_eq!(server.request(2).await.protocols, vec!["chat".to_owned()]);
}

// rules: connect.no-subprotocol, error.9.code
#[tokio::test]
async fn subprotocol_variants_open_without_a_selection_and_report_9_as_8() {
    let server = mock().await;
    let offering = ConnectSocketOptions {
        header: Some(json!({"Sec-WebSocket-Protocol": "chat"})),
        ..url(&server.url("fault/protocol-missing"))
    };
    let failed_8 = then(
        ok(1),
        [
            errored("my", "E", ErrorCode::InvalidHandshake),
            closed("my", "C", 1006, ""),
        ],
    );
    assert_eq!(connect_events(&my(), offering.clone()).await, failed_8);
    let open = variant(Variant::ConnectNoSubprotocolOpen);
    assert_eq!(
        connect_events(&open, offering).await,
        then(ok(1), [opened("my", "O")])
    );
    let unrequested = url(&server.url("fault/protocol-unrequested"));
    let eight = variant(Variant::Error9Code8);
    assert_eq!(connect_events(&eight, unrequested).await, failed_8);
}

// rules: send.invalid.code, close.not-open.code, close.invalid-code.code
#[tokio::test]
async fn code_variants_of_send_and_close() {
    let server = mock().await;
    let bad_data = SendSocketMessageOptions {
        data: Some(json!(5)),
        is_buffer: None,
    };
    for (v, code) in [
        (Variant::SendInvalidCode1, ErrorCode::Unknown),
        (Variant::SendInvalidCode2, ErrorCode::InvalidArgument),
    ] {
        let my = variant(v);
        open_global(&my, &server.url("echo"), 1).await;
        my.send_socket_message(2, Some(bad_data.clone()));
        expect(&my, failed(2, code)).await;
        assert_eq!(
            code.code(),
            if v == Variant::SendInvalidCode1 { 1 } else { 2 }
        );
    }
    let one = variant(Variant::CloseNotOpenCode1);
    one.close_socket(1, Some(CloseSocketOptions::default()));
    expect(&one, failed(1, ErrorCode::Unknown)).await;
    let two = variant(Variant::CloseInvalidCodeCode2);
    open_global(&two, &server.url("echo"), 1).await;
    two.close_socket(2, Some(CloseSocketOptions::with(1001, "")));
    expect(&two, failed(2, ErrorCode::InvalidArgument)).await;
}

// rule: error.12.close
#[tokio::test]
async fn error_12_then_1006_drops_the_connection() {
    let server = mock().await;
    let drop = variant(Variant::Error12Close1006);
    open_global(&drop, &server.url("send-on-open/binary-bytes/1025"), 1).await;
    expect(
        &drop,
        vec![
            errored("my", "E", ErrorCode::OutOfMemory),
            closed("my", "C", 1006, ""),
        ],
    )
    .await;
    expect_quiet(&drop).await;
}

// rule: error.12.close
#[tokio::test]
async fn error_12_then_other_code_closes_with_1000_where_the_reference_sends_1009() {
    let too_large = "send-on-open/binary-bytes/1025";
    for (my, code) in [
        (my(), 1009),
        (variant(Variant::Error12CloseOtherCode), 1000),
    ] {
        let server = mock().await;
        open_global(&my, &server.url(too_large), 1).await;
        expect(
            &my,
            vec![
                errored("my", "E", ErrorCode::OutOfMemory),
                closed("my", "C", code, ""),
            ],
        )
        .await;
        assert_eq!(server.close_in(1).await, (Some(code), String::new(), true));
        assert_eq!(
            server.close_out(1).await.0,
            Some(code),
            "the server echoes it"
        );
        expect_quiet(&my).await;
    }
}

// rule: close.drop-error
#[tokio::test]
async fn close_only_reports_a_dropped_connection_without_on_error() {
    let server = mock().await;
    let close_only = variant(Variant::CloseDropErrorCloseOnly);
    open_global(&close_only, &server.url("drop-on-open/fin"), 1).await;
    expect(&close_only, vec![closed("my", "C", 1006, "")]).await;
    expect_quiet(&close_only).await;
}

// rules: close.nothing-after, close.data-after-close
#[tokio::test]
async fn error_then_close_reports_a_frame_behind_the_close_frame_before_the_servers_close() {
    let server = mock().await;
    for (my, error_first) in [
        (my(), false),
        (variant(Variant::CloseDataAfterCloseErrorThenClose), true),
    ] {
        open_global(&my, &server.url("close-on-open-then-text/4000/bye/late"), 1).await;
        let mut want = vec![closed("my", "C", 4000, "bye")];
        if error_first {
            want.insert(0, errored("my", "E", ErrorCode::Unknown));
        }
        assert_eq!(quiet_events(&my).await, want, "nothing is delivered");
    }
    for conn in [1, 2] {
        assert_eq!(server.close_in(conn).await.0, Some(4000), "answered");
    }
}

// rule: listeners.during-dispatch
#[tokio::test]
async fn live_dispatch_skips_a_listener_removed_during_the_dispatch() {
    let server = mock().await;
    for (my, b_runs) in [
        (my(), true),
        (variant(Variant::ListenersDuringDispatchLive), false),
    ] {
        my.on_socket_open("A");
        my.on_socket_open("B");
        my.connect_socket(1, connect_options(&server.url("echo")));
        expect(&my, then(ok(1), [opened("my", "A")])).await;
        my.off_socket_open(Some("B"));
        let rest = quiet_events(&my).await;
        assert_eq!(rest.contains(&opened("my", "B")), b_runs);
    }
}

// rule: connect.header.reserved
#[tokio::test]
async fn refused_reserved_header_fails_the_connect() {
    let server = mock().await;
    let options = ConnectSocketOptions {
        header: Some(json!({"Sec-WebSocket-Version": "8"})),
        ..url(&server.url("echo"))
    };
    let opens = connect_events(&my(), options.clone()).await;
    assert_eq!(opens, then(ok(1), [opened("my", "O")]));
    let refused = variant(Variant::ConnectHeaderReservedRefused);
    assert_eq!(
        connect_events(&refused, options).await,
        failed(1, ErrorCode::InvalidArgument)
    );
    assert_eq!(server.requests_so_far(), 1);
}

// rules: connect.domain, connect.domain.report
#[tokio::test]
async fn a_host_off_the_allowed_list_never_reaches_the_network() {
    let server = mock().await;
    let listed = |hosts: &[&str]| Config {
        allowed_hosts: Some(hosts.iter().map(|h| h.to_string()).collect()),
        ..config()
    };
    let options = url(&server.url("echo"));
    // fail-1, the reference's option.
    let reference = my_with(listed(&["allowed.test"]));
    assert_eq!(
        connect_events(&reference, options.clone()).await,
        failed(1, ErrorCode::Unknown)
    );
    for (v, code) in [
        (
            Variant::ConnectDomainReportEvent65,
            ErrorCode::DomainNotAllowed,
        ),
        (Variant::ConnectDomainReportEvent1, ErrorCode::Unknown),
    ] {
        let my = with_config(v, listed(&["allowed.test"]));
        let events = connect_events(&my, options.clone()).await;
        let want = [errored("my", "E", code), closed("my", "C", 1006, "")];
        assert_eq!(events, then(ok(1), want), "{v}");
    }
    assert_eq!(ErrorCode::DomainNotAllowed.code(), 65);
    assert_eq!(server.requests_so_far(), 0);
    // A listed host connects.
    let allowed = my_with(listed(&["127.0.0.1"]));
    let events = connect_events(&allowed, options).await;
    assert_eq!(events, then(ok(1), [opened("my", "O")]));
}

#[test]
fn the_adapter_takes_variants_and_lists_them() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .arg("--list-variants")
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    let all: Vec<String> = Variant::ALL.iter().map(Variant::to_string).collect();
    assert_eq!(listed.lines().collect::<Vec<_>>(), all);
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .args(["--variant", "connect.outcome=sometimes"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("settled"));
}

// rule: error.1.network (option error.1.network.code, open under alipay-current)
#[tokio::test]
async fn network_code_50_reports_a_refused_connection_as_50() {
    let server = mock().await;
    let options = url(&server.refused_url());
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        then(
            ok(1),
            [
                errored("my", "E", ErrorCode::Unknown),
                closed("my", "C", 1006, ""),
            ]
        )
    );
    assert_eq!(
        connect_events(&variant(Variant::Error1NetworkCode50), options).await,
        then(
            ok(1),
            [
                errored("my", "E", ErrorCode::NetworkFault),
                closed("my", "C", 1006, ""),
            ]
        )
    );
}
