//! The adapter protocol (`adapter-protocol.md`) served in-process over
//! channels of the protocol's own types: no serialisation. The
//! `reference-adapter` binary puts JSON Lines on stdio around the same bridge.

use std::collections::HashMap;

use adapter_protocol::{
    call_result, error_chain, AdapterMessage, Call, CallbackKind, Config, Event, EventType,
    HelloResult, Method, MethodKind, MethodTarget, NestedCall, Op, Profile, Request, Response,
    Within, PROTOCOL_VERSION, TARGET_RETURNED,
};
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use crate::context::{My, SocketTask};
use crate::options::{CloseSocketOptions, ConnectSocketOptions, SendSocketMessageOptions};
use crate::seams::Behaviour;
use crate::types::CallId;

/// The two ends of an in-process adapter: requests in, responses and events out.
#[derive(Debug)]
pub struct AdapterChannels {
    /// Where the runner sends requests; dropping it ends the adapter.
    pub requests: mpsc::UnboundedSender<Request>,
    /// Responses and events, in the order the protocol says; closed when the
    /// adapter has ended (after `shutdown`, or when `requests` is dropped).
    pub messages: mpsc::UnboundedReceiver<AdapterMessage>,
}

/// Starts the reference adapter on the current tokio runtime, running
/// `behaviour` (`Behaviour::default()`: the reference itself).
///
/// The adapter answers `hello` with [`Behaviour::adapter_name`]
/// (`reference-impl`, `reference-impl+mutant:<name>`,
/// `reference-impl+variant:connect.outcome=settled`, …), the crate version,
/// no unsupported config key and the API face of the behaviour's profile
/// (`api`); a `hello` that names a profile (`profile`) serves that one
/// instead. It runs `call`s against a [`My`], writes each callback and
/// listener event as the implementation takes it from its queue, runs
/// `then` calls right after their call and `within` calls inside their
/// callback (right after its event, before the next event is taken), and
/// ends on `shutdown` or when `requests` is dropped, ending its sockets. A
/// callback a mutant runs inside a call is written before the call's
/// response with `sync: true`.
///
/// # Panics
///
/// When called outside a tokio runtime.
pub fn spawn_in_process(behaviour: Behaviour) -> AdapterChannels {
    spawn_instance(behaviour, 1, None)
}

/// The `hello` that set up an adapter: what a further instance of it is
/// set up with (see [`spawn_instance`]).
#[derive(Debug, Clone)]
pub(crate) struct Hello {
    /// The config it carried.
    pub(crate) config: Config,
    /// The profile it named, if any.
    pub(crate) profile: Option<String>,
}

/// As [`spawn_in_process`], for one instance of an adapter that holds
/// `instances` of them (its `hello` result says so): set up with `hello`
/// already, as after that request but without answering it, when given.
///
/// # Panics
///
/// When called outside a tokio runtime.
pub(crate) fn spawn_instance(
    behaviour: Behaviour,
    instances: u32,
    hello: Option<Hello>,
) -> AdapterChannels {
    let (requests, request_rx) = mpsc::unbounded_channel();
    let (message_tx, messages) = mpsc::unbounded_channel();
    let mut bridge = Bridge {
        out: message_tx,
        behaviour,
        instances,
        served: None,
        my: None,
        tasks: HashMap::new(),
        within: HashMap::new(),
        listener_bodies: HashMap::new(),
    };
    if let Some(hello) = hello {
        // Its outcome is the one the process's `hello` was answered with.
        let _ = bridge.set_up(hello.config, hello.profile);
    }
    tokio::spawn(bridge.run(request_rx));
    AdapterChannels { requests, messages }
}

/// The adapter's state between requests.
struct Bridge {
    out: mpsc::UnboundedSender<AdapterMessage>,
    /// What `my` runs: variants and a mutant.
    behaviour: Behaviour,
    /// The instances the process holds, for the `hello` result.
    instances: u32,
    /// The behaviour the last accepted `hello` set up (its profile).
    served: Option<Behaviour>,
    /// Set up by `hello`.
    my: Option<My>,
    /// Task handles returned since the last reset.
    tasks: HashMap<String, SocketTask>,
    /// Nested calls to make inside the callbacks of pending calls, with the
    /// task each of those calls returned (`$returned`).
    within: HashMap<CallId, (Within, Option<SocketTask>)>,
    /// Nested calls a listener function makes the next time it runs, by
    /// the listener event it reports (target, type, name).
    listener_bodies: HashMap<(String, EventType, String), Vec<NestedCall>>,
}

impl Bridge {
    async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        loop {
            tokio::select! {
                // Events already queued go out before the next request is
                // taken, so a trace does not depend on a coin toss.
                biased;
                event = next_event(self.my.as_ref()) => {
                    self.on_event(event);
                    // A JavaScript host runs every listener of one event
                    // before it does anything else.
                    while let Some(event) = self
                        .my
                        .as_ref()
                        .filter(|my| my.in_dispatch())
                        .and_then(My::try_next_event)
                    {
                        self.on_event(event);
                    }
                }
                request = requests.recv() => match request {
                    Some(request) => {
                        if !self.handle(request) {
                            break;
                        }
                    }
                    None => break,
                },
            }
        }
        if let Some(my) = &self.my {
            my.reset();
        }
    }

    fn write(&self, message: AdapterMessage) {
        // The runner may have gone; there is nobody to tell.
        let _ = self.out.send(message);
    }

    fn respond(&self, response: Response) {
        self.write(AdapterMessage::Response(response));
    }

    /// Handles one request; `false` once the adapter must end.
    fn handle(&mut self, request: Request) -> bool {
        let id = request.id;
        match request.op {
            Op::Hello {
                protocol,
                config,
                profile,
            } => {
                if protocol != PROTOCOL_VERSION {
                    self.respond(Response::error(
                        id,
                        format!("protocol {protocol} is not supported; this adapter speaks {PROTOCOL_VERSION}"),
                    ));
                    return true;
                }
                match self.set_up(config, profile) {
                    Ok(hello) => {
                        let result = serde_json::to_value(hello).unwrap_or(Value::Null);
                        self.respond(Response::ok(id, result));
                    }
                    Err(e) => self.respond(Response::error(id, e)),
                }
            }
            Op::Call(call) => self.execute(id, &call, None),
            Op::Reset { config } => {
                if let Some(my) = &self.my {
                    my.reset();
                }
                self.clear();
                // `reset.config`: the implementation starts over with it,
                // under the behaviour `hello` chose.
                match (config, &self.served) {
                    (None, _) => self.respond(Response::ok(id, json!({}))),
                    (Some(_), None) => {
                        self.respond(Response::error(id, "reset with a config before hello"));
                    }
                    (Some(config), Some(behaviour)) => match My::new(config, behaviour.clone()) {
                        Ok(my) => {
                            self.my = Some(my);
                            self.respond(Response::ok(id, json!({})));
                        }
                        Err(e) => self.respond(Response::error(id, error_chain(&e))),
                    },
                }
            }
            Op::Shutdown => {
                if let Some(my) = &self.my {
                    my.reset();
                }
                self.respond(Response::ok(id, json!({})));
                return false;
            }
        }
        true
    }

    /// What `hello` does once its protocol version is checked: sets the
    /// implementation up afresh with `config` under `profile` (else the
    /// behaviour's own), or leaves none set up and says why.
    fn set_up(&mut self, config: Config, profile: Option<String>) -> Result<HelloResult, String> {
        self.clear();
        self.my = None;
        self.served = None;
        // hello.profile: the profile to serve, else the one given at start.
        let behaviour = match profile.as_deref().map(str::parse::<Profile>) {
            None => self.behaviour.clone(),
            Some(Ok(profile)) => self.behaviour.clone().with_profile(profile),
            Some(Err(e)) => return Err(e.to_string()),
        };
        let my = My::new(config, behaviour.clone()).map_err(|e| error_chain(&e))?;
        self.my = Some(my);
        self.served = Some(behaviour.clone());
        Ok(HelloResult {
            name: behaviour.adapter_name(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            unsupported: Vec::new(),
            api: behaviour.profile.face,
            instances: self.instances,
            quiet_ms: 0,
        })
    }

    fn clear(&mut self) {
        self.tasks.clear();
        self.within.clear();
        self.listener_bodies.clear();
    }

    /// Runs one call and writes its response, then its `then` calls.
    fn execute(&mut self, id: u64, call: &Call, returned: Option<&SocketTask>) {
        match self.invoke(id, call, returned) {
            Err(error) => self.respond(Response::error(id, error)),
            Ok((method, task)) => {
                if !call.within.is_empty() && !call.no_argument && method.takes_callbacks() {
                    self.within.insert(id, (call.within.clone(), task.clone()));
                }
                if let MethodKind::AddListener(event_type) = method.kind() {
                    self.keep_listener_body(call, event_type, returned);
                }
                // Callbacks run inside the call (a mutant's): before the
                // response, taken all at once so that nested calls do not
                // take the rest of them.
                let inline: Vec<Event> = match &self.my {
                    Some(my) => std::iter::from_fn(|| my.take_sync_event()).collect(),
                    None => Vec::new(),
                };
                for event in inline {
                    self.on_event(event);
                }
                self.respond(Response::ok(
                    id,
                    call_result(task.as_ref().map(SocketTask::handle)),
                ));
                for nested in &call.then {
                    self.execute(nested.id, &nested.call, task.as_ref());
                }
            }
        }
    }

    /// Invokes the method; `Err` is a protocol problem. Returns the method
    /// and the task it returned, if any.
    fn invoke(
        &mut self,
        id: u64,
        call: &Call,
        returned: Option<&SocketTask>,
    ) -> Result<(Method, Option<SocketTask>), String> {
        let my = self
            .my
            .as_ref()
            .ok_or("no `hello` yet: the implementation is not set up")?;
        let args = (!call.no_argument).then(|| {
            call.args
                .clone()
                .unwrap_or_else(|| Value::Object(Map::new()))
        });
        let listener = call.listener.clone();
        let off = call.listener.as_deref();
        let face = my.face();
        let task = match call.target.as_str() {
            global if global == face.name => None,
            TARGET_RETURNED => Some(
                returned
                    .cloned()
                    .ok_or("`$returned`: the enclosing call returned no task")?,
            ),
            handle => Some(
                self.tasks
                    .get(handle)
                    .cloned()
                    .ok_or_else(|| format!("unknown task handle `{handle}`"))?,
            ),
        };
        let target = match task {
            None => MethodTarget::Global,
            Some(_) => MethodTarget::Task,
        };
        let Some(method) = Method::parse_in(face, target, &call.method) else {
            return Err(match task {
                None => format!("unknown method `{}` on `{face}`", call.method),
                Some(_) => format!(
                    "unknown method `{}` on a SocketTask (`{}`)",
                    call.method, call.target
                ),
            });
        };
        // An `on*` call without a listener calls the method with no argument,
        // which adds nothing.
        let on = |add: &dyn Fn(String)| {
            if let Some(name) = listener.clone() {
                add(name);
            }
        };
        match (task, method) {
            (None, Method::ConnectSocket) => {
                let task = my.connect_socket(id, args.map(|a| ConnectSocketOptions::from_args(&a)));
                if let Some(task) = &task {
                    self.tasks.insert(task.handle().to_owned(), task.clone());
                }
                return Ok((method, task));
            }
            (None, Method::SendSocketMessage) => {
                my.send_socket_message(id, args.map(|a| SendSocketMessageOptions::from_args(&a)))
            }
            (None, Method::CloseSocket) => {
                my.close_socket(id, args.map(|a| CloseSocketOptions::from_args(&a)))
            }
            (None, Method::OnSocket(t)) => on(&|n| my.listen(t, n)),
            (None, Method::OffSocket(t)) => my.unlisten(t, off),
            (Some(task), Method::Send) => {
                task.send(id, args.map(|a| SendSocketMessageOptions::from_args(&a)))
            }
            (Some(task), Method::Close) => {
                task.close(id, args.map(|a| CloseSocketOptions::from_args(&a)))
            }
            (Some(task), Method::On(t)) => on(&|n| task.listen(t, n)),
            (Some(task), Method::Off(t)) => task.unlisten(t, off),
            // Method::parse gave a method of the target.
            (_, method) => return Err(format!("`{method}` is not a method of `{}`", call.target)),
        }
        Ok((method, None))
    }

    /// Remembers the `within.listener` calls of an `on*` call, to make
    /// them inside that listener the next time it runs.
    fn keep_listener_body(
        &mut self,
        call: &Call,
        event_type: EventType,
        returned: Option<&SocketTask>,
    ) {
        let Some(name) = &call.listener else {
            return;
        };
        if call.within.listener.is_empty() {
            return;
        }
        let target = match call.target.as_str() {
            TARGET_RETURNED => match returned {
                Some(task) => task.handle().to_owned(),
                None => return,
            },
            target => target.to_owned(),
        };
        self.listener_bodies.insert(
            (target, event_type, name.clone()),
            call.within.listener.clone(),
        );
    }

    /// Writes an event; inside a callback or a listener, runs the nested
    /// calls `within` asks for.
    fn on_event(&mut self, event: Event) {
        let (callback, listener) = match &event {
            Event::Callback { call, kind, .. } => (Some((*call, *kind)), None),
            Event::Listener {
                target,
                listener,
                event_type,
                ..
            } => (None, Some((target.clone(), *event_type, listener.clone()))),
            Event::Log { .. } => (None, None),
        };
        self.write(AdapterMessage::Event(event));
        if let Some(body) = listener.and_then(|key| self.listener_bodies.remove(&key)) {
            for nested in &body {
                self.execute(nested.id, &nested.call, None);
            }
            return;
        }
        let Some((call, kind)) = callback else { return };
        let Some((within, returned)) = self.within.get(&call).cloned() else {
            return;
        };
        if kind == CallbackKind::Complete {
            self.within.remove(&call);
        }
        for nested in within.for_kind(kind) {
            self.execute(nested.id, &nested.call, returned.as_ref());
        }
    }
}

/// The next event of `my`, or never when there is no `my` yet.
async fn next_event(my: Option<&My>) -> Event {
    match my {
        Some(my) => my.next_event().await,
        None => std::future::pending().await,
    }
}
