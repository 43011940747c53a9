//! The mutants: each deliberate bug changes the behaviour it names, and only
//! in the intended way. Every test runs the same steps against the
//! conforming implementation and against the mutant.
//!
//! By what the mutants break: [`calls`] (connect's checks and callbacks,
//! limits, listeners), [`wire`] (what goes over the connection: messages,
//! closes, certificates, subprotocols), [`selection`] (how a mutant is
//! named and chosen).

#[path = "../support/mod.rs"]
mod support;

mod calls;
mod selection;
mod wire;

use std::process::Stdio;

use adapter_protocol::Request;
use base64::Engine as _;
use reference_impl::{
    spawn_in_process, Behaviour, CloseSocketOptions, Config, ConnectSocketOptions, ErrorCode,
    Event, Mutant, My, ReadyState, SendSocketMessageOptions,
};
use serde_json::{json, Value};
use support::*;

/// A context running `mutant` with the test configuration.
fn mutant(mutant: Mutant) -> My {
    with_config(Some(mutant), config())
}

fn with_config(mutant: Option<Mutant>, config: Config) -> My {
    let my = My::new(config, Behaviour::mutant(mutant)).expect("the test config is valid");
    assert_eq!(my.mutant(), mutant);
    my
}

/// `callback` with `sync: true`, as a mutant runs it inside the call.
fn sync(event: Event) -> Event {
    match event {
        Event::Callback {
            call, kind, res, ..
        } => Event::Callback {
            call,
            kind,
            res,
            sync: true,
        },
        other => other,
    }
}

/// The events of a connect with these options, until quiet (no listeners
/// but `listen_on_my`'s).
async fn connect_events(my: &My, options: ConnectSocketOptions) -> Vec<Event> {
    listen_on_my(my);
    my.connect_socket(1, Some(options));
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

fn opened_after(call: u64) -> Vec<Event> {
    let mut want = ok(call);
    want.push(opened("my", "O"));
    want
}

fn failed_handshake(code: ErrorCode) -> Vec<Event> {
    let mut want = ok(1);
    want.push(errored("my", "E", code));
    want.push(closed("my", "C", 1006, ""));
    want
}

/// The options of a connect to `url` that returns a SocketTask.
fn multiple(url: &str) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions::url(url).multiple())
}
