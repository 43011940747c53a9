//! Every adapter process group this process has started and not yet
//! ended, so that a command line that must exit at once (a second Ctrl-C,
//! where no destructor will run) can still end them all:
//! [`kill_every_adapter`].

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

/// Process group ids (the adapters' pids) of live adapters.
static LIVE_GROUPS: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

/// Notes a newly started adapter's process group.
pub(crate) fn register(group: u32) {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(group);
}

/// Forgets a process group that has been ended.
pub(crate) fn forget(group: u32) {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&group);
}

/// Sends SIGKILL to the process group of every adapter started by this
/// process and not yet dropped, without waiting for anything; returns how
/// many groups it signalled. For a process about to exit without running
/// destructors (`std::process::exit`): dropping a
/// [`ProcessAdapter`](crate::ProcessAdapter) already ends its group.
pub fn kill_every_adapter() -> usize {
    let groups: Vec<u32> = LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .copied()
        .collect();
    for group in &groups {
        kill_process_group(*group);
    }
    groups.len()
}

/// Sends SIGKILL to process group `group` (Unix; a no-op elsewhere): every
/// process a child started in a group of its own ends with it. A group
/// that is already empty is no error.
pub fn kill_process_group(group: u32) {
    #[cfg(unix)]
    if let Some(pid) = i32::try_from(group)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        // ESRCH (the group is already empty) is the expected outcome.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = group;
}
