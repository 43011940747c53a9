//! The names a scenario gives to what the adapter numbers: request ids to
//! call names, task handles to `as` names, and the socket (`my` or a task)
//! each call's events belong to.

use std::collections::HashMap;

use adapter_protocol::TARGET_MY;

/// Where a call's events go, before its task (if any) is known.
pub(crate) enum LaneOf {
    /// `my` or a task name.
    Fixed(String),
    /// The task the enclosing call (this id) returned.
    Returned(u64),
}

/// Request ids and task handles, with their scenario names.
#[derive(Default)]
pub(crate) struct Naming {
    /// Request id -> the call's stable name.
    call_names: HashMap<u64, String>,
    /// Request id -> the `as` name of the task it returns.
    task_names: HashMap<u64, String>,
    /// Adapter handle -> scenario name.
    handle_names: HashMap<String, String>,
    /// Scenario name -> adapter handle.
    name_handles: HashMap<String, String>,
    /// Request id -> where its events go.
    call_lanes: HashMap<u64, LaneOf>,
    /// Request id -> the task it returned.
    call_tasks: HashMap<u64, String>,
}

impl Naming {
    /// Names request `id`: the call `name`, whose events go to `lane` and
    /// whose returned task (if any) is called `task`.
    pub(crate) fn add_call(&mut self, id: u64, name: String, lane: LaneOf, task: Option<&String>) {
        self.call_names.insert(id, name);
        self.call_lanes.insert(id, lane);
        if let Some(task) = task {
            self.task_names.insert(id, task.clone());
        }
    }

    /// The stable name of the call with request `id`.
    pub(crate) fn call(&self, id: u64) -> Option<&String> {
        self.call_names.get(&id)
    }

    /// The adapter's handle of the task the scenario calls `name`.
    pub(crate) fn handle(&self, name: &str) -> Option<&String> {
        self.name_handles.get(name)
    }

    /// The scenario's name of the task with adapter handle `handle`.
    pub(crate) fn task(&self, handle: &str) -> Option<&String> {
        self.handle_names.get(handle)
    }

    /// Call `id` returned the task `handle`: its `as` name, else the
    /// handle itself, from now on.
    pub(crate) fn returned(&mut self, id: u64, handle: String) -> String {
        let name = self.task_names.get(&id).cloned().unwrap_or(handle.clone());
        self.handle_names.insert(handle.clone(), name.clone());
        self.name_handles.insert(name.clone(), handle);
        self.call_tasks.insert(id, name.clone());
        name
    }

    /// The socket a call's events belong to: the task it returned, else
    /// its target (`$returned` resolved through the enclosing call).
    pub(crate) fn lane_of(&self, id: u64) -> String {
        let mut id = id;
        for _ in 0..64 {
            if let Some(task) = self.call_tasks.get(&id) {
                return task.clone();
            }
            match self.call_lanes.get(&id) {
                Some(LaneOf::Fixed(target)) => return target.clone(),
                Some(LaneOf::Returned(parent)) => id = *parent,
                None => break,
            }
        }
        TARGET_MY.to_string()
    }
}
