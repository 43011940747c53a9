//! The watch after the last step: a socket that closed must stay silent
//! (`close.nothing-after`), and a timer the implementation forgot to clear
//! (a connect timeout after a fast failure) fires only once its time is up.
//! So when a socket closed and the scenario configured a timer (a
//! `connectTimeoutMs` or `closeTimeoutMs` override, a `timeout` argument),
//! the run keeps recording until every such timer started by its calls has
//! run out, with a margin for the event's way through the adapter. It waits
//! for events; it ends at the timers' end, never later, and a timer that
//! would run past the scenario's deadline is not waited for.
//!
//! What arrives meanwhile is kept apart from the lanes
//! (`Trace::after_steps`): the goldens never see it, the invariants do.
//!
//! A part of the executor's `Run`, in a file of its own as `awaits.rs` is.

use adapter_protocol::{EventType, Method};

use super::*;
use crate::record::trace::ClientRecord;

/// The shortest margin after a timer's end for its event to reach the
/// runner: the adapter's stdio and a loaded machine's scheduling.
const MIN_MARGIN: Duration = Duration::from_millis(100);

/// The longest margin.
const MAX_MARGIN: Duration = Duration::from_millis(1_000);

/// The timers a call step starts that the scenario configured: for a
/// connect, its `timeout` argument and a `connectTimeoutMs` override; for a
/// close, a `closeTimeoutMs` override. The step's own call's timers start
/// as it is sent; its nested calls' (returned second) may start as late as
/// the last step, and are counted from there.
pub(super) fn configured_timers(
    scenario: &Scenario,
    step: &CallStep,
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut own, mut nested) = (Vec::new(), Vec::new());
    step.walk(String::new(), &mut |_, call| {
        let timers = timers_of(scenario, call);
        if std::ptr::eq(call, step) {
            own.extend(timers);
        } else {
            nested.extend(timers);
        }
    });
    (own, nested)
}

/// The configured timers `call` alone starts.
fn timers_of(scenario: &Scenario, call: &CallStep) -> Vec<Duration> {
    let Some(method) = Method::from_name(&call.method).map(Method::global_twin) else {
        return Vec::new();
    };
    let ms = match method {
        Method::ConnectSocket => {
            let argument = call
                .args
                .as_ref()
                .and_then(|a| a.get("timeout"))
                .and_then(Value::as_u64);
            scenario
                .config
                .connect_timeout_ms
                .into_iter()
                .chain(argument)
                .collect()
        }
        Method::CloseSocket => scenario.config.close_timeout_ms.into_iter().collect(),
        _ => Vec::new(),
    };
    ms.into_iter().map(Duration::from_millis).collect()
}

impl Run<'_> {
    /// Notes that a call step that starts `timers` is being sent now.
    pub(super) fn timers_started(&mut self, timers: &[Duration]) {
        let now = Instant::now();
        for timer in timers {
            let margin =
                (*timer / 4).clamp(MIN_MARGIN, MAX_MARGIN) + Duration::from_millis(self.quiet_ms);
            let end = now + *timer + margin;
            // A timer that outlives the scenario is not waited for.
            if end <= self.deadline {
                self.watch_until = Some(self.watch_until.map_or(end, |e| e.max(end)));
            }
        }
    }

    /// After the last step: when a socket closed, records what the adapter
    /// sends until the configured timers have run out. Returns the length
    /// of the client lane when the watch began.
    pub(super) async fn watch_after_steps(&mut self) -> usize {
        let from = self.recording.client().len();
        let closed = self.recording.client().iter().any(|r| {
            matches!(
                r,
                ClientRecord::Listener {
                    event_type: EventType::Close,
                    ..
                }
            )
        });
        let nested = std::mem::take(&mut self.nested_timers);
        self.timers_started(&nested);
        let Some(until) = self.watch_until.filter(|_| closed) else {
            return from;
        };
        while Instant::now() < until {
            match self.next(until).await {
                Ok(message) => {
                    if self.record(message).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        from
    }
}
