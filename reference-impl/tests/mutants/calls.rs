//! Mutants of connect's checks and callbacks, of limits and of listeners.

use super::*;

// rule: connect.url.empty
#[tokio::test]
async fn url_empty_code_reports_an_empty_url_as_a_format_error() {
    let blank = ConnectSocketOptions::url("  ");
    assert_eq!(
        connect_events(&my(), blank.clone()).await,
        failed(1, ErrorCode::UrlEmpty)
    );
    let m = mutant(Mutant::UrlEmptyCode);
    assert_eq!(
        connect_events(&m, blank).await,
        failed(1, ErrorCode::UrlFormat)
    );
    // An absent URL is still 3: only the empty string reaches the parser.
    let m = mutant(Mutant::UrlEmptyCode);
    assert_eq!(
        connect_events(&m, ConnectSocketOptions::default()).await,
        failed(1, ErrorCode::UrlEmpty)
    );
}

// rule: connect.url.scheme
#[tokio::test]
async fn url_scheme_code_reports_a_wrong_scheme_as_a_format_error() {
    let http = ConnectSocketOptions::url("http://example.com/");
    assert_eq!(
        connect_events(&my(), http.clone()).await,
        failed(1, ErrorCode::UrlScheme)
    );
    let m = mutant(Mutant::UrlSchemeCode);
    assert_eq!(
        connect_events(&m, http).await,
        failed(1, ErrorCode::UrlFormat)
    );
}

// rule: callbacks.complete-once
#[tokio::test]
async fn complete_before_success_runs_complete_first() {
    let server = mock().await;
    let options = ConnectSocketOptions::url(server.url("echo"));
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        opened_after(1)
    );
    let m = mutant(Mutant::CompleteBeforeSuccess);
    assert_eq!(
        connect_events(&m, options).await,
        vec![complete(1), success(1), opened("my", "O")]
    );
    // fail too.
    let m = mutant(Mutant::CompleteBeforeSuccess);
    let mut want = failed(1, ErrorCode::UrlEmpty);
    want.reverse();
    assert_eq!(
        connect_events(&m, ConnectSocketOptions::url("")).await,
        want
    );
}

// rule: order.async
#[tokio::test]
async fn callback_inside_call_runs_callbacks_before_the_call_returns() {
    let server = mock().await;
    // Conforming: nothing is taken before the queue is, nothing is `sync`.
    let conforming = connect_events(&my(), ConnectSocketOptions::url(server.url("echo"))).await;
    assert_eq!(conforming, opened_after(1));
    let m = mutant(Mutant::CallbackInsideCall);
    listen_on_my(&m);
    m.connect_socket(1, connect_options(&server.url("echo")));
    // The callbacks already ran: they are there without waiting, `sync`.
    assert_eq!(drain(&m), ok(1).into_iter().map(sync).collect::<Vec<_>>());
    // The open event comes later, as always.
    expect(&m, vec![opened("my", "O")]).await;
    // A failing send, too; a send that waits for its write does not.
    m.send_socket_message(2, Some(SendSocketMessageOptions::default()));
    m.send_socket_message(3, Some(SendSocketMessageOptions::text("hi")));
    assert_eq!(
        drain(&m),
        failed(2, ErrorCode::SendFailed)
            .into_iter()
            .map(sync)
            .collect::<Vec<_>>()
    );
    let mut want = ok(3);
    want.push(text("my", "M", "hi"));
    expect(&m, want).await;
}

// rule: order.async
#[tokio::test]
async fn callback_inside_call_is_written_before_the_response_with_sync_through_the_adapter() {
    let mut adapter = spawn_in_process(Behaviour::mutant(Some(Mutant::CallbackInsideCall)));
    let requests = [
        json!({"id": 1, "op": "hello", "protocol": 1, "config": {}}),
        json!({"id": 2, "op": "call", "target": "my", "method": "connectSocket",
               "args": {"url": ""},
               "within": {"fail": [{"id": 3, "target": "my", "method": "onSocketOpen", "listener": "L"}]}}),
    ];
    for request in requests {
        let request: Request = serde_json::from_value(request).unwrap();
        adapter.requests.send(request).unwrap();
    }
    let fail3 = ErrorCode::UrlEmpty.payload();
    let mut got = Vec::new();
    for _ in 0..5 {
        let message = tokio::time::timeout(WAIT, adapter.messages.recv())
            .await
            .expect("no message within 5 s")
            .expect("the adapter ended");
        got.push(serde_json::to_value(message).unwrap());
    }
    assert_eq!(
        got[0]["result"]["name"],
        "reference-impl+mutant:callback-inside-call"
    );
    assert_eq!(
        got[1..].to_vec(),
        vec![
            json!({"event": "callback", "call": 2, "kind": "fail", "res": fail3, "sync": true}),
            json!({"id": 3, "ok": true, "result": {"returned": null}}),
            json!({"event": "callback", "call": 2, "kind": "complete", "res": fail3, "sync": true}),
            json!({"id": 2, "ok": true, "result": {"returned": null}}),
        ]
    );
}

// rule: connect.success
#[tokio::test]
async fn success_after_open_reports_success_once_the_socket_is_open() {
    let server = mock().await;
    let options = ConnectSocketOptions::url(server.url("echo"));
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        opened_after(1)
    );
    let m = mutant(Mutant::SuccessAfterOpen);
    assert_eq!(
        connect_events(&m, options).await,
        vec![opened("my", "O"), success(1), complete(1)]
    );
    // A failed handshake still reports success first: the bug is the wait.
    let m = mutant(Mutant::SuccessAfterOpen);
    let refused = ConnectSocketOptions::url(server.refused_url());
    assert_eq!(
        connect_events(&m, refused).await,
        failed_handshake(ErrorCode::Unknown)
    );
}

/// Opens six tasks at once; the handles of those that opened.
async fn open_six(my: &My, url: &str) -> Vec<String> {
    let tasks: Vec<_> = (1..=6)
        .map(|call| {
            let task = my.connect_socket(call, multiple(url)).unwrap();
            task.on_open("o");
            task
        })
        .collect();
    let mut opened = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        if let Event::Listener { target, .. } = event {
            opened.push(target);
        }
    }
    drop(tasks);
    opened.sort();
    opened
}

// rule: connect.multiple.limit
#[tokio::test]
async fn no_task_limit_opens_a_sixth_socket() {
    let server = mock().await;
    let url = server.url("echo");
    assert_eq!(open_six(&my(), &url).await, ["t1", "t2", "t3", "t4", "t5"]);
    let m = mutant(Mutant::NoTaskLimit);
    assert_eq!(
        open_six(&m, &url).await,
        ["t1", "t2", "t3", "t4", "t5", "t6"]
    );
}

/// Opens five tasks, closes the first and waits for its close event, then
/// connects once more: that connect's events.
async fn reuse_a_freed_place(my: &My, url: &str) -> Vec<Event> {
    let mut tasks = Vec::new();
    for call in 1..=5 {
        let task = my.connect_socket(call, multiple(url)).unwrap();
        task.on_open("o");
        task.on_close("c");
        tasks.push(task);
    }
    for _ in 0..15 {
        next(my).await;
    }
    tasks[0].close(6, None);
    expect(my, vec![closed("t1", "c", 1000, "")]).await;
    assert_eq!(tasks[0].ready_state(), ReadyState::Closed);
    let task = my.connect_socket(7, multiple(url)).unwrap();
    task.on_open("o");
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

// rule: task.limit
#[tokio::test]
async fn task_place_not_freed_refuses_a_task_after_one_closed() {
    let server = mock().await;
    let url = server.url("echo");
    let mut want = ok(7);
    want.push(opened("t6", "o"));
    assert_eq!(reuse_a_freed_place(&my(), &url).await, want);
    let m = mutant(Mutant::TaskPlaceNotFreed);
    assert_eq!(
        reuse_a_freed_place(&m, &url).await,
        failed(7, ErrorCode::Unknown)
    );
}

/// Adds `A` and `B` as open listeners, lets `remove` act, connects: who heard the open.
async fn heard_open(my: &My, url: &str, remove: impl Fn(&My)) -> Vec<Event> {
    my.on_socket_open("A");
    my.on_socket_open("B");
    my.on_socket_open("A");
    remove(my);
    my.connect_socket(1, connect_options(url));
    expect(my, ok(1)).await;
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

// rule: listeners.off-one
#[tokio::test]
async fn off_fn_not_removing_leaves_the_listener_in_place() {
    let server = mock().await;
    let url = server.url("echo");
    let off_a = |my: &My| my.off_socket_open(Some("A"));
    assert_eq!(heard_open(&my(), &url, off_a).await, [opened("my", "B")]);
    let m = mutant(Mutant::OffFnNotRemoving);
    assert_eq!(
        heard_open(&m, &url, off_a).await,
        [opened("my", "A"), opened("my", "B"), opened("my", "A")]
    );
}

// rule: listeners.off-all
#[tokio::test]
async fn off_all_removes_one_removes_only_the_first_listener() {
    let server = mock().await;
    let url = server.url("echo");
    let off_all = |my: &My| my.off_socket_open(None);
    assert_eq!(heard_open(&my(), &url, off_all).await, []);
    let m = mutant(Mutant::OffAllRemovesOne);
    assert_eq!(
        heard_open(&m, &url, off_all).await,
        [opened("my", "B"), opened("my", "A")]
    );
}

// rule: listeners.twice
#[tokio::test]
async fn listener_added_once_ignores_the_second_registration() {
    let server = mock().await;
    let url = server.url("echo");
    let nothing = |_: &My| {};
    assert_eq!(
        heard_open(&my(), &url, nothing).await,
        [opened("my", "A"), opened("my", "B"), opened("my", "A")]
    );
    let m = mutant(Mutant::ListenerAddedOnce);
    assert_eq!(
        heard_open(&m, &url, nothing).await,
        [opened("my", "A"), opened("my", "B")]
    );
}
