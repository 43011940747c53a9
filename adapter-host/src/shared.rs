//! [`SharedAdapter`]: one adapter process that holds several instances of
//! the implementation (its `hello` result declared `instances`), each
//! driven as an [`Adapter`] of its own ([`Instance`]).
//!
//! A task owns the [`ProcessAdapter`]: it writes what the instances send
//! (with their `instance`) and routes every message the adapter writes to
//! the instance it names. A fault of the process (exit, a broken line) is
//! handed to every instance; the process is then finished, and a runner
//! replaces it. Dropping the [`SharedAdapter`] kills the process group.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use adapter_protocol::{AdapterMessage, Request};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::adapter::{Adapter, BoxFuture};
use crate::error::AdapterError;
use crate::process::{ProcessAdapter, StderrTail};

/// How long the routing task waits between checks of a silent adapter
/// (silence is not a fault of the process: each instance has its own
/// deadlines).
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// What an instance receives: a message, or the error of a send or of the
/// process.
type Delivery = Result<AdapterMessage, AdapterError>;

/// What the instances ask of the routing task.
#[allow(clippy::large_enum_variant)] // built once per request, as `Op`
enum Command {
    /// Write a request to an instance.
    Send(u32, Request),
    /// Shut the adapter down and say so.
    Shutdown(oneshot::Sender<()>),
}

/// Routes and the process's final error, shared with the routing task.
#[derive(Default)]
struct Routes {
    /// Where each instance in use receives.
    instances: HashMap<u32, mpsc::UnboundedSender<Delivery>>,
    /// The process's final error, once there is one.
    fault: Option<AdapterError>,
}

/// An adapter process holding `instances` instances of the implementation.
pub struct SharedAdapter {
    commands: mpsc::UnboundedSender<Command>,
    routes: Arc<Mutex<Routes>>,
    stderr: StderrTail,
    instances: u32,
    pid: Option<u32>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for SharedAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedAdapter")
            .field("instances", &self.instances)
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

impl SharedAdapter {
    /// Takes over `adapter`, which has answered `hello` (so its number of
    /// instances is known), and starts routing its messages. Must be
    /// called inside a Tokio runtime.
    pub fn new(adapter: ProcessAdapter) -> SharedAdapter {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let routes = Arc::new(Mutex::new(Routes::default()));
        let stderr = adapter.stderr_reader();
        let instances = adapter.instances();
        let pid = adapter.pid();
        let task = tokio::spawn(route(adapter, command_rx, Arc::clone(&routes)));
        SharedAdapter {
            commands,
            routes,
            stderr,
            instances,
            pid,
            task,
        }
    }

    /// How many instances the adapter holds.
    pub fn instances(&self) -> u32 {
        self.instances
    }

    /// The adapter's process id.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The process's final error, once it has failed.
    pub fn fault(&self) -> Option<AdapterError> {
        lock(&self.routes).fault.clone()
    }

    /// The last bytes of the adapter's stderr.
    pub fn stderr_tail(&self) -> String {
        self.stderr.text()
    }

    /// A handle on instance `k`, receiving its messages; `None` when `k`
    /// is not below [`instances`](Self::instances) or is already in use.
    /// Dropping the handle frees the instance.
    pub fn instance(&self, k: u32) -> Option<Instance> {
        if k >= self.instances {
            return None;
        }
        let (tx, messages) = mpsc::unbounded_channel();
        let mut routes = lock(&self.routes);
        if routes.instances.contains_key(&k) {
            return None;
        }
        if let Some(fault) = &routes.fault {
            let _ = tx.send(Err(fault.clone()));
        } else {
            routes.instances.insert(k, tx);
        }
        Some(Instance {
            instance: k,
            commands: self.commands.clone(),
            routes: Arc::clone(&self.routes),
            stderr: self.stderr.clone(),
            messages,
        })
    }

    /// Sends `shutdown` (on instance 0) and waits, at most until
    /// `deadline`, for the process to end; kills it past that. The whole
    /// process group ends.
    pub async fn shutdown(mut self, deadline: Instant) {
        let (done, ended) = oneshot::channel();
        if self.commands.send(Command::Shutdown(done)).is_ok() {
            let _ = tokio::time::timeout_at(deadline, ended).await;
        }
        let _ = tokio::time::timeout_at(deadline, &mut self.task).await;
        // Dropping `self` aborts the task if it is still running, which
        // drops (and so kills) the process.
    }
}

impl Drop for SharedAdapter {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One instance of the implementation in a [`SharedAdapter`]: requests
/// go to it, and only its messages come back.
pub struct Instance {
    instance: u32,
    commands: mpsc::UnboundedSender<Command>,
    routes: Arc<Mutex<Routes>>,
    stderr: StderrTail,
    messages: mpsc::UnboundedReceiver<Delivery>,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl Instance {
    /// Which instance this is.
    pub fn number(&self) -> u32 {
        self.instance
    }

    /// The last bytes of the adapter's stderr (all instances share it).
    pub fn stderr_tail(&self) -> String {
        self.stderr.text()
    }

    fn closed(&self) -> AdapterError {
        lock(&self.routes)
            .fault
            .clone()
            .unwrap_or(AdapterError::Closed {
                exit: None,
                stderr_tail: self.stderr.text(),
            })
    }
}

impl Adapter for Instance {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        if let Some(fault) = lock(&self.routes).fault.clone() {
            return Err(fault);
        }
        self.commands
            .send(Command::Send(self.instance, request))
            .map_err(|_| self.closed())
    }

    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        Box::pin(async move {
            match tokio::time::timeout_at(deadline, self.messages.recv()).await {
                Err(_) => Err(AdapterError::Timeout),
                Ok(Some(delivery)) => delivery,
                Ok(None) => Err(self.closed()),
            }
        })
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        lock(&self.routes).instances.remove(&self.instance);
    }
}

fn lock(routes: &Mutex<Routes>) -> std::sync::MutexGuard<'_, Routes> {
    routes.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The routing task: writes requests, hands each message to its instance,
/// and on a fault of the process hands the fault to every instance.
async fn route(
    mut adapter: ProcessAdapter,
    mut commands: mpsc::UnboundedReceiver<Command>,
    routes: Arc<Mutex<Routes>>,
) {
    let fault = loop {
        tokio::select! {
            biased;
            command = commands.recv() => match command {
                Some(Command::Send(instance, request)) => {
                    if let Err(e) = adapter.send_to(instance, request) {
                        if let Some(fault) = process_fault(&e) {
                            break fault;
                        }
                        deliver(&routes, instance, Err(e));
                    }
                }
                Some(Command::Shutdown(done)) => {
                    let _ = adapter.shutdown(Instant::now() + Duration::from_secs(2)).await;
                    let _ = done.send(());
                    lock(&routes).fault.get_or_insert(AdapterError::Closed {
                        exit: None,
                        stderr_tail: String::new(),
                    });
                    return;
                }
                // Every handle is gone: end the process.
                None => {
                    let _ = adapter.shutdown(Instant::now() + Duration::from_secs(2)).await;
                    return;
                }
            },
            message = adapter.recv_routed(Instant::now() + IDLE_WAIT) => match message {
                Ok(routed) => deliver(&routes, routed.instance, Ok(routed.message)),
                Err(AdapterError::Timeout) => {}
                Err(e) => break e,
            },
        }
    };
    adapter.kill();
    let mut routes = lock(&routes);
    routes.fault = Some(fault.clone());
    for (_, tx) in routes.instances.drain() {
        let _ = tx.send(Err(fault.clone()));
    }
}

/// An error of `send_to` that finishes the whole process (as opposed to
/// one about the request itself, like a reused id).
fn process_fault(error: &AdapterError) -> Option<AdapterError> {
    match error {
        AdapterError::Closed { .. } => Some(error.clone()),
        _ => None,
    }
}

fn deliver(routes: &Mutex<Routes>, instance: u32, delivery: Delivery) {
    // A message for an instance no one holds now (a late event after its
    // scenario ended) has nobody to go to.
    if let Some(tx) = lock(routes).instances.get(&instance) {
        let _ = tx.send(delivery);
    }
}
