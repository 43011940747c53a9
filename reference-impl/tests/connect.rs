//! connectSocket: validation, the outcome of the handshake, the request it sends.

mod support;

use reference_impl::{Config, ConnectSocketOptions, ErrorCode, ReadyState};
use serde_json::{json, Value};
use support::*;

fn with_url(url: Value) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions {
        url: Some(url),
        ..Default::default()
    })
}

async fn assert_connect_fails(options: Option<ConnectSocketOptions>, code: ErrorCode) {
    let my = my();
    listen_on_my(&my);
    assert!(my.connect_socket(1, options).is_none());
    expect(&my, failed(1, code)).await;
    expect_quiet(&my).await;
}

// rule: connect.url.empty
#[tokio::test]
async fn a_missing_null_or_blank_url_fails_with_3() {
    assert_connect_fails(Some(ConnectSocketOptions::default()), ErrorCode::UrlEmpty).await;
    assert_connect_fails(with_url(Value::Null), ErrorCode::UrlEmpty).await;
    assert_connect_fails(with_url(json!("")), ErrorCode::UrlEmpty).await;
    assert_connect_fails(with_url(json!("  \t ")), ErrorCode::UrlEmpty).await;
}

// rule: connect.url.format
#[tokio::test]
async fn a_url_that_is_not_an_absolute_url_with_a_host_fails_with_4() {
    assert_connect_fails(with_url(json!(42)), ErrorCode::UrlFormat).await;
    assert_connect_fails(with_url(json!({"href": "ws://x"})), ErrorCode::UrlFormat).await;
    assert_connect_fails(with_url(json!("not a url")), ErrorCode::UrlFormat).await;
    assert_connect_fails(with_url(json!("/relative/path")), ErrorCode::UrlFormat).await;
    assert_connect_fails(with_url(json!("ws://")), ErrorCode::UrlFormat).await;
    assert_connect_fails(with_url(json!("mailto:someone")), ErrorCode::UrlFormat).await;
}

// rule: connect.url.scheme
#[tokio::test]
async fn a_scheme_other_than_ws_or_wss_fails_with_5() {
    assert_connect_fails(with_url(json!("http://127.0.0.1:1/")), ErrorCode::UrlScheme).await;
    assert_connect_fails(
        with_url(json!("https://127.0.0.1:1/")),
        ErrorCode::UrlScheme,
    )
    .await;
    assert_connect_fails(with_url(json!("ftp://127.0.0.1:1/")), ErrorCode::UrlScheme).await;
}

// rule: connect.url.scheme
#[tokio::test]
async fn the_scheme_is_matched_without_regard_to_case() {
    let server = mock().await;
    let my = my();
    let url = server.url("echo").replacen("ws://", "WS://", 1);
    assert!(url.starts_with("WS://"), "{url}");
    open_global(&my, &url, 1).await;
    assert_eq!(server.request(1).await.path, server.path("echo"));
}

// rule: connect.wss-only
#[tokio::test]
async fn ws_under_the_wss_only_policy_fails_with_8_before_any_traffic() {
    let server = mock().await;
    let my = my_with(Config {
        wss_only: true,
        ..config()
    });
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("echo")));
    expect(&my, failed(1, ErrorCode::InvalidHandshake)).await;
    expect_quiet(&my).await;
    // Not even a TCP connection reached the server.
    assert_eq!(server.session.recording(), vec![]);
    assert_eq!(server.server.unrouted(), vec![]);
}

// rule: connect.url.format
// rule: connect.wss-only
#[tokio::test]
async fn the_checks_run_in_the_order_of_the_table() {
    let my = my_with(Config {
        wss_only: true,
        ..config()
    });
    // A URL without a host under wssOnly: 4 comes first.
    my.connect_socket(1, with_url(json!("ws://")));
    // http under wssOnly: 5 comes before 8.
    my.connect_socket(2, with_url(json!("http://127.0.0.1:1/")));
    let mut want = failed(1, ErrorCode::UrlFormat);
    want.extend(failed(2, ErrorCode::UrlScheme));
    expect(&my, want).await;
}

// rule: connect.success
// rule: connect.open
// rule: order.async
#[tokio::test]
async fn a_valid_connect_reports_success_complete_then_open() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    let returned = my.connect_socket(7, connect_options(&server.url("echo")));
    // order.async: the call returned before anything was delivered; it
    // returns nothing without `multiple`.
    assert!(returned.is_none());
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Connecting));
    let mut want = ok(7);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Open));
    expect_quiet(&my).await;
    assert_eq!(server.response(1).await, (101, None, None));
}

// rule: order.async
#[tokio::test]
async fn callbacks_are_queued_never_delivered_inside_the_call() {
    let my = my();
    my.connect_socket(1, with_url(json!("")));
    // The events wait on the queue; none carries `sync`.
    let events = drain(&my);
    assert_eq!(events, failed(1, ErrorCode::UrlEmpty));
}

// rule: connect.success
#[tokio::test]
async fn connect_without_an_argument_reports_nothing() {
    let my = my();
    listen_on_my(&my);
    assert!(my.connect_socket(1, None).is_none());
    expect_quiet(&my).await;
}

// rule: connect.single.exists
#[tokio::test]
async fn a_second_global_connect_fails_with_2_while_the_first_is_connecting_or_open() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("echo")));
    // Still CONNECTING: the open event has not been taken.
    my.connect_socket(2, connect_options(&server.url("echo")));
    let mut want = ok(1);
    want.extend(failed(2, ErrorCode::AlreadyConnected));
    want.push(opened("my", "O"));
    expect(&my, want).await;
    // OPEN
    my.connect_socket(3, connect_options(&server.url("echo")));
    expect(&my, failed(3, ErrorCode::AlreadyConnected)).await;
    // CLOSING
    my.close_socket(4, Some(Default::default()));
    my.connect_socket(5, connect_options(&server.url("echo")));
    let mut want = failed(5, ErrorCode::AlreadyConnected);
    want.extend(ok(4));
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    // The refused connects never reached the server: one connection, closed.
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
    assert_eq!(server.requests_so_far(), 1);
}

// rule: connect.single.reopen
#[tokio::test]
async fn the_global_socket_can_be_opened_again_after_it_closed() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo?first"), 1).await;
    my.close_socket(2, Some(Default::default()));
    let mut want = ok(2);
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Closed));
    my.connect_socket(3, connect_options(&server.url("echo?second")));
    let mut want = ok(3);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    assert_eq!(server.request(1).await.query.as_deref(), Some("first"));
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
    assert_eq!(server.request(2).await.query.as_deref(), Some("second"));
    assert_eq!(server.response(2).await, (101, None, None));
}

// rule: connect.listener-in-success
#[tokio::test]
async fn a_listener_registered_inside_success_hears_the_open_event() {
    let server = mock().await;
    let my = my();
    let task = my
        .connect_socket(
            1,
            Some(ConnectSocketOptions::url(server.url("echo")).multiple()),
        )
        .unwrap();
    assert_eq!(next(&my).await, success(1));
    // Inside success, as in the seed's example.
    task.on_open("inside-success");
    my.on_socket_open("global");
    expect(&my, vec![complete(1), opened("t1", "inside-success")]).await;
    expect_quiet(&my).await;
}

// rule: connect.data
#[tokio::test]
async fn data_becomes_the_query_string_in_key_order() {
    let server = mock().await;
    let my = my();
    let options = ConnectSocketOptions {
        data: Some(json!({"z": "a b&c", "n": 12, "t": false, "o": {"k": [1, "2"]}, "e": "é"})),
        ..ConnectSocketOptions::url(server.url("echo"))
    };
    listen_on_my(&my);
    my.connect_socket(1, Some(options));
    let mut want = ok(1);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    let request = server.request(1).await;
    assert_eq!(request.path, server.path("echo"));
    assert_eq!(
        request.query.as_deref(),
        Some("z=a%20b%26c&n=12&t=false&o=%7B%22k%22%3A%5B1%2C%222%22%5D%7D&e=%C3%A9")
    );
}

// rule: connect.data
#[tokio::test]
async fn data_joins_a_query_the_url_already_has() {
    let server = mock().await;
    let my = my();
    let options = ConnectSocketOptions {
        data: Some(json!({"b": "2"})),
        ..ConnectSocketOptions::url(server.url("echo?a=1"))
    };
    my.connect_socket(1, Some(options));
    let request = server.request(1).await;
    assert_eq!(request.path, server.path("echo"));
    assert_eq!(request.query.as_deref(), Some("a=1&b=2"));
}

// rule: connect.header
#[tokio::test]
async fn header_entries_are_sent_on_the_upgrade_request() {
    let server = mock().await;
    let my = my();
    let options = ConnectSocketOptions {
        header: Some(json!({
            "content-type": "application/json",
            "X-Number": 42,
            "X-Flag": true,
            "Host": "evil.example",
            "Upgrade": "h2c",
            "Sec-WebSocket-Version": "8",
        })),
        ..ConnectSocketOptions::url(server.url("echo"))
    };
    listen_on_my(&my);
    my.connect_socket(1, Some(options));
    let mut want = ok(1);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    let request = server.request(1).await;
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-number"), Some("42"));
    assert_eq!(request.header("x-flag"), Some("true"));
    // The handshake's own headers cannot be overridden.
    assert_eq!(
        request.header("host"),
        Some(server.ws_addr().to_string().as_str())
    );
    assert_eq!(request.header("upgrade"), Some("websocket"));
    assert_eq!(request.header("sec-websocket-version"), Some("13"));
    assert_eq!(request.headers_named("host"), 1);
    assert_eq!(request.header("sec-websocket-protocol"), None);
    assert_eq!(request.protocols, Vec::<String>::new());
}

// rule: connect.header
#[tokio::test]
async fn a_subprotocol_requested_in_header_is_accepted_when_the_server_selects_it() {
    // A good 101 selects the first subprotocol offered: chat.
    let server = mock().await;
    let my = my();
    let options = ConnectSocketOptions {
        header: Some(json!({"Sec-WebSocket-Protocol": "chat, superchat"})),
        ..ConnectSocketOptions::url(server.url("echo"))
    };
    listen_on_my(&my);
    my.connect_socket(1, Some(options));
    let mut want = ok(1);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    let request = server.request(1).await;
    assert_eq!(
        request.header("sec-websocket-protocol"),
        Some("chat, superchat")
    );
    assert_eq!(request.protocols, ["chat", "superchat"]);
    assert_eq!(
        server.response(1).await,
        (101, Some("chat".to_owned()), None)
    );
}

// rule: connect.header
#[tokio::test]
async fn a_protocols_array_offers_its_subprotocols() {
    let server = mock().await;
    let my = my();
    let options = ConnectSocketOptions {
        protocols: Some(json!(["chat", "superchat"])),
        ..ConnectSocketOptions::url(server.url("echo/protocol=superchat"))
    };
    listen_on_my(&my);
    my.connect_socket(1, Some(options));
    let mut want = ok(1);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    let request = server.request(1).await;
    assert_eq!(
        request.header("sec-websocket-protocol"),
        Some("chat, superchat")
    );
    assert_eq!(request.protocols, ["chat", "superchat"]);
    assert_eq!(
        server.response(1).await,
        (101, Some("superchat".to_owned()), None)
    );
}
