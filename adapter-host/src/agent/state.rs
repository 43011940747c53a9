//! What the endpoint and the adapter share: the phase of the agent (waiting
//! for it, joined, ended), the queue of requests it polls, the channel of
//! what it posts, and its liveness (an open poll, or one closed less than
//! `gone_after` ago).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

use crate::error::AdapterError;

/// What reaches the adapter from the endpoint.
#[derive(Debug)]
pub(super) enum Incoming {
    /// One protocol message the agent posted.
    Message(Value),
    /// The agent has gone away, or the endpoint ended, for this reason.
    Gone(String),
}

/// A refused HTTP request: its status and why.
pub(super) type Refusal = (u16, String);

/// What a poll answers: requests from index `first` on, and whether the
/// agent should stop.
pub(super) struct PollAnswer {
    pub(super) first: u64,
    pub(super) requests: Vec<Value>,
    pub(super) stop: Option<String>,
}

enum Phase {
    Waiting,
    Joined { session: String },
    Ended(String),
}

struct State {
    phase: Phase,
    /// The adapter's end of the channel, until `accept` takes it.
    incoming_rx: Option<mpsc::UnboundedReceiver<Incoming>>,
    incoming_tx: Option<mpsc::UnboundedSender<Incoming>>,
    /// Requests not yet acknowledged by a poll; `requests[0]` has index `first`.
    requests: VecDeque<Value>,
    first: u64,
    /// Bumped by each poll: an older poll still open returns empty.
    poll_generation: u64,
    polls_open: usize,
    last_poll_end: Instant,
    /// Messages received so far (the next `seq` expected).
    received: u64,
    ca_pem: Option<String>,
    /// Set when the run is over: polls answer `stop`.
    stop: Option<String>,
}

/// The state of one endpoint.
pub(super) struct Shared {
    token: String,
    hold: Duration,
    gone_after: Duration,
    state: Mutex<State>,
    /// New requests, a new poll, or the end: wakes the open polls.
    wake: Notify,
    /// A poll opened or closed, or the phase changed: wakes the watchdog.
    changed: Notify,
    /// The agent joined or the endpoint ended: wakes `accept`.
    joined: Notify,
}

impl Shared {
    pub(super) fn new(token: String, hold: Duration, gone_after: Duration) -> Arc<Shared> {
        Arc::new(Shared {
            token,
            hold,
            gone_after,
            state: Mutex::new(State {
                phase: Phase::Waiting,
                incoming_rx: None,
                incoming_tx: None,
                requests: VecDeque::new(),
                first: 0,
                poll_generation: 0,
                polls_open: 0,
                last_poll_end: Instant::now(),
                received: 0,
                ca_pem: None,
                stop: None,
            }),
            wake: Notify::new(),
            changed: Notify::new(),
            joined: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `join`: the agent with `token` becomes the one agent of the run.
    pub(super) fn join(&self, token: &str) -> Result<String, Refusal> {
        if token != self.token {
            return Err((401, "wrong token: nothing runs".into()));
        }
        let mut state = self.lock();
        match &state.phase {
            Phase::Joined { .. } => {
                return Err((409, "another agent is running: one agent per run".into()))
            }
            Phase::Ended(reason) => {
                return Err((409, format!("the token is spent: {reason}")));
            }
            Phase::Waiting => {}
        }
        let session = super::random_hex().map_err(|e| (500, e))?;
        let (tx, rx) = mpsc::unbounded_channel();
        state.phase = Phase::Joined {
            session: session.clone(),
        };
        state.incoming_tx = Some(tx);
        state.incoming_rx = Some(rx);
        state.last_poll_end = Instant::now();
        drop(state);
        self.joined.notify_waiters();
        self.changed.notify_one();
        Ok(session)
    }

    /// Checks that `session` is the joined agent's.
    fn check(state: &State, session: &str) -> Result<(), Refusal> {
        match &state.phase {
            Phase::Joined { session: s } if s == session => Ok(()),
            Phase::Ended(reason) => Err((410, format!("the run is over: {reason}"))),
            _ => Err((403, "not the agent of this run".into())),
        }
    }

    /// `ping`: checks the session (the agent times the round trip).
    pub(super) fn ping(&self, session: &str) -> Result<(), Refusal> {
        Shared::check(&self.lock(), session)
    }

    /// `poll`: requests from index `next` on (those before it are
    /// acknowledged), held until there are some, the poll is superseded,
    /// or `hold` passes.
    pub(super) async fn poll(
        self: &Arc<Self>,
        session: &str,
        next: u64,
    ) -> Result<PollAnswer, Refusal> {
        let generation = {
            let mut state = self.lock();
            Shared::check(&state, session)?;
            state.polls_open += 1;
            state.poll_generation += 1;
            state.poll_generation
        };
        let _open = OpenPoll(Arc::clone(self));
        self.changed.notify_one();
        self.wake.notify_waiters();
        let deadline = Instant::now() + self.hold;
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = self.lock();
                while state.first < next && !state.requests.is_empty() {
                    state.requests.pop_front();
                    state.first += 1;
                }
                let first = state.first.max(next);
                let skip = usize::try_from(first - state.first).unwrap_or(usize::MAX);
                let requests: Vec<Value> = state.requests.iter().skip(skip).cloned().collect();
                if !requests.is_empty()
                    || state.stop.is_some()
                    || state.poll_generation != generation
                {
                    return Ok(PollAnswer {
                        first,
                        requests,
                        stop: state.stop.clone(),
                    });
                }
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(deadline) => {
                    let first = self.lock().first.max(next);
                    return Ok(PollAnswer { first, requests: Vec::new(), stop: None });
                }
            }
        }
    }

    /// `events`: messages from index `seq` on; those already received are dropped.
    pub(super) fn events(
        &self,
        session: &str,
        seq: u64,
        messages: Vec<Value>,
    ) -> Result<(), Refusal> {
        let mut state = self.lock();
        Shared::check(&state, session)?;
        if seq > state.received {
            return Err((
                409,
                format!("events from {seq}, but {} came so far", state.received),
            ));
        }
        let skip = usize::try_from(state.received - seq).unwrap_or(usize::MAX);
        for message in messages.into_iter().skip(skip) {
            state.received += 1;
            if let Some(tx) = &state.incoming_tx {
                let _ = tx.send(Incoming::Message(message));
            }
        }
        Ok(())
    }

    /// Queues a request for the agent's polls.
    pub(super) fn push(&self, request: Value) {
        self.lock().requests.push_back(request);
        self.wake.notify_waiters();
    }

    /// The CA offered, if the token is right.
    pub(super) fn ca(&self, token: &str) -> Result<String, Refusal> {
        if token != self.token {
            return Err((401, "wrong token".into()));
        }
        self.lock()
            .ca_pem
            .clone()
            .ok_or_else(|| (503, "the run has not started its mock server yet".into()))
    }

    pub(super) fn offer_ca(&self, pem: &str) {
        self.lock().ca_pem = Some(pem.to_owned());
    }

    /// Waits until the agent joins; gives the adapter's end of the channel.
    pub(super) async fn joined(&self) -> Result<mpsc::UnboundedReceiver<Incoming>, AdapterError> {
        loop {
            let notified = self.joined.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = self.lock();
                match &state.phase {
                    Phase::Ended(reason) => return Err(AdapterError::Gone(reason.clone())),
                    Phase::Joined { .. } => {
                        return state.incoming_rx.take().ok_or_else(|| {
                            AdapterError::Gone("the agent is driven by another adapter".into())
                        })
                    }
                    Phase::Waiting => {}
                }
            }
            notified.await;
        }
    }

    /// The run is over (or the agent gone): polls answer `stop`, the
    /// adapter's next wait fails with `reason`.
    pub(super) fn end(&self, reason: &str) {
        let mut state = self.lock();
        if state.stop.is_none() {
            state.stop = Some(reason.to_owned());
        }
        if !matches!(state.phase, Phase::Ended(_)) {
            state.phase = Phase::Ended(reason.to_owned());
        }
        if let Some(tx) = state.incoming_tx.take() {
            let _ = tx.send(Incoming::Gone(reason.to_owned()));
        }
        drop(state);
        self.wake.notify_waiters();
        self.joined.notify_waiters();
        self.changed.notify_one();
    }
}

/// An open poll: closing it notes when, for the watchdog.
struct OpenPoll(Arc<Shared>);

impl Drop for OpenPoll {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.polls_open -= 1;
        state.last_poll_end = Instant::now();
        drop(state);
        self.0.changed.notify_one();
    }
}

/// The watchdog: once the agent has joined, no open poll for `gone_after`
/// means it has gone away.
pub(super) async fn watch_liveness(shared: Arc<Shared>) {
    loop {
        let notified = shared.changed.notified();
        let deadline = {
            let state = shared.lock();
            match state.phase {
                Phase::Ended(_) => return,
                Phase::Waiting => None,
                Phase::Joined { .. } if state.polls_open > 0 => None,
                Phase::Joined { .. } => Some(state.last_poll_end + shared.gone_after),
            }
        };
        match deadline {
            None => notified.await,
            Some(deadline) => tokio::select! {
                () = notified => {}
                () = tokio::time::sleep_until(deadline) => {
                    let gone = {
                        let state = shared.lock();
                        state.polls_open == 0 && state.last_poll_end + shared.gone_after <= Instant::now()
                    };
                    if gone {
                        let secs = shared.gone_after.as_secs_f64();
                        shared.end(&format!("the agent has not polled for {secs:.1} s"));
                    }
                }
            },
        }
    }
}
