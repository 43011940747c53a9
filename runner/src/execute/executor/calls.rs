//! The call step: a scenario's call (with its nested calls) built into one
//! request, sent, and its responses awaited.
//!
//! A part of the executor's `Run`, in a file of its own as `awaits.rs` is.

use super::*;

impl Run<'_> {
    /// The request of a call step (and of its nested calls), its ids
    /// named as the scenario names them.
    fn build_call(
        &mut self,
        step: &CallStep,
        name: String,
        parent: Option<u64>,
    ) -> Result<(u64, Call), StepError> {
        let id = self.next_id;
        self.next_id += 1;
        let lane = match (step.target.as_str(), parent) {
            (TARGET_RETURNED, Some(parent)) => LaneOf::Returned(parent),
            (target, _) => LaneOf::Fixed(target.to_string()),
        };
        self.naming
            .add_call(id, name.clone(), lane, step.as_name.as_ref());
        let target = if step.target == TARGET_MY {
            self.profile.face.name.to_string()
        } else if step.target == TARGET_RETURNED {
            step.target.clone()
        } else {
            self.naming.handle(&step.target).cloned().ok_or_else(|| {
                StepError::Implementation(format!(
                    "task `{}` does not exist: its connectSocket returned no task",
                    step.target
                ))
            })?
        };
        let args = match &step.args {
            Some(a) => Some(profile::call_args(
                self.profile,
                &step.method,
                expand_value(a, &SessionEndpoints(self.session)).map_err(StepError::Suite)?,
            )),
            None => None,
        };
        let mut then = Vec::new();
        let mut within = Within::default();
        for nested in step.nested(&name) {
            let (nested_id, call) = self.build_call(nested.call, nested.name(), Some(id))?;
            match nested.slot {
                Slot::Then => &mut then,
                Slot::Success => &mut within.success,
                Slot::Fail => &mut within.fail,
                Slot::Complete => &mut within.complete,
                Slot::Listener => &mut within.listener,
            }
            .push(NestedCall {
                id: nested_id,
                call,
            });
        }
        Ok((
            id,
            Call {
                target,
                method: step.method.clone(),
                args,
                no_argument: step.no_argument,
                listener: step.listener.clone(),
                then,
                within,
            },
        ))
    }

    /// A call step: sends the call and waits for the responses to it and
    /// to its `then` calls, recording what comes meanwhile.
    pub(super) async fn call(
        &mut self,
        step: &CallStep,
        default_name: String,
    ) -> Result<(), StepError> {
        let name = step.name_or(default_name);
        let (id, call) = self.build_call(step, name.clone(), None)?;
        let then_ids: Vec<u64> = call.then.iter().map(|n| n.id).collect();
        self.send(Request {
            id,
            op: Op::Call(call),
        })?;
        let deadline = self.request_deadline();
        let mut waiting: HashSet<u64> = then_ids.into_iter().chain([id]).collect();
        while !waiting.is_empty() {
            match self.next(deadline).await {
                Ok(message) => {
                    if let AdapterMessage::Response(r) = &message {
                        waiting.remove(&r.id);
                    }
                    self.record(message)?;
                }
                Err(AdapterError::Timeout) => {
                    let text = format!(
                        "call `{name}` ({}): no response before the deadline",
                        step.method
                    );
                    if let Some(p) = patience::current() {
                        p.missed_response();
                    }
                    // A hung adapter: past the request deadline it is not
                    // trusted again (unless the scenario's own deadline cut it short).
                    if Instant::now() < self.deadline {
                        self.fault.get_or_insert(text.clone());
                    }
                    return Err(StepError::Implementation(text));
                }
                Err(e) => {
                    return Err(StepError::Implementation(format!(
                        "call `{name}` ({}): {e}",
                        step.method
                    )))
                }
            }
        }
        Ok(())
    }
}
