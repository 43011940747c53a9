//! [`ProcessAdapter`]: an adapter process spoken to over stdio: started
//! in a process group of its own, its lines checked as they come
//! ([`checks`]), introduced with `hello` ([`hello`]), ended in order or
//! killed. Its pipes are [`stdio`]'s tasks.

mod checks;
mod hello;
mod stdio;

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use adapter_protocol::{AdapterMessage, Instanced, Op, Request, TARGET_MY};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

pub use self::checks::decode_line;
pub(crate) use self::checks::{check_line, Checks};
pub(crate) use self::stdio::StderrTail;
use self::stdio::{read_lines, read_tail, write_lines, Line, Tail, QUOTE_BYTES};
use crate::command_line::split_command_line;
use crate::error::{truncate, AdapterError, HostError};
use crate::live;

/// How long, after the adapter closed its stdout, to wait for it to exit
/// (and after it exited, for the rest of its stdout) before killing it.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// How long to wait for the stderr reader to see the end after the process
/// is gone (a descendant may hold the pipe open).
const STDERR_GRACE: Duration = Duration::from_millis(500);
/// How long to wait for a killed process to be reaped.
const KILL_WAIT: Duration = Duration::from_secs(2);
/// Lines waiting between the stdout reader and `recv`; more than this
/// blocks the reader, and so the adapter's writes.
const LINE_QUEUE: usize = 1024;

/// How to start an adapter process.
#[derive(Debug, Clone)]
pub struct SpawnOptions {
    /// The working directory (default: the current one).
    pub cwd: Option<PathBuf>,
    /// Extra environment variables, on top of the inherited environment.
    pub env: Vec<(OsString, OsString)>,
    /// How many of the last bytes of stderr to keep (default 64 KiB).
    pub stderr_tail_bytes: usize,
    /// The longest stdout line accepted; a longer one is a protocol error,
    /// and reading stops there rather than buffering it (default 32 MiB:
    /// a message of the default `maxMessageBytes`, 16 MiB, is 21.3 MiB as
    /// base64 in an event line).
    pub max_line_bytes: usize,
}

impl Default for SpawnOptions {
    fn default() -> Self {
        SpawnOptions {
            cwd: None,
            env: Vec::new(),
            stderr_tail_bytes: 64 * 1024,
            max_line_bytes: 32 * 1024 * 1024,
        }
    }
}

/// How an adapter ended, from [`ProcessAdapter::shutdown`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExitReport {
    /// The adapter answered `shutdown` with `ok: true`.
    pub replied: bool,
    /// Its exit status (`None` only if it could not be collected).
    pub status: Option<ExitStatus>,
    /// It had to be killed: it did not exit by the deadline.
    pub killed: bool,
    /// What went wrong on the way, if anything (including a fault from
    /// before `shutdown` was called).
    pub error: Option<AdapterError>,
    /// The last bytes of its stderr.
    pub stderr_tail: String,
}

impl ExitReport {
    /// It replied, exited on its own with status 0, and nothing went wrong.
    pub fn is_clean(&self) -> bool {
        self.replied
            && !self.killed
            && self.error.is_none()
            && self.status.is_some_and(|status| status.success())
    }
}

/// An adapter process that speaks adapter protocol v1 on its stdio.
///
/// Start one with [`spawn`](Self::spawn) inside a Tokio runtime. The value
/// owns the process: dropping it kills the adapter's whole process group.
#[derive(Debug)]
pub struct ProcessAdapter {
    command_line: String,
    child: Child,
    pid: Option<u32>,
    writer: Option<mpsc::UnboundedSender<Vec<u8>>>,
    lines: mpsc::Receiver<Line>,
    stderr: Arc<Mutex<Tail>>,
    stderr_done: watch::Receiver<bool>,
    /// When stdout reached its end (or failed).
    stdout_closed_at: Option<Instant>,
    /// When the process was seen to exit, and how.
    exited_at: Option<Instant>,
    exit: Option<ExitStatus>,
    /// The final error, once there is one.
    fault: Option<AdapterError>,
    /// What was sent to each instance of the implementation, to check
    /// what comes back (instance 0 for an adapter without instances).
    sessions: HashMap<u32, Checks>,
    /// How many instances the adapter holds (its `hello` result's
    /// `instances`; 1 until then).
    instances: u32,
    /// The target name of the global object of the face the adapter's
    /// `hello` result named (`my`, or `wx`).
    global_target: &'static str,
    /// The process was reaped and its group killed after that: nothing is
    /// left to kill, and the group id may be reused.
    ended: bool,
}

impl ProcessAdapter {
    /// Parses `command_line` (see [`split_command_line`]) and starts it
    /// with piped stdin, stdout and stderr, in a process group of its own
    /// (on Unix), killed when the returned value is dropped.
    ///
    /// Must be called inside a Tokio runtime: the reader and writer tasks
    /// run on it.
    ///
    /// # Errors
    ///
    /// A command line that does not parse, or a program that cannot be
    /// started ([`HostError::Spawn`], e.g. not found).
    pub fn spawn(command_line: &str, options: SpawnOptions) -> Result<ProcessAdapter, HostError> {
        let words = split_command_line(command_line)?;
        let mut command = Command::new(&words[0]);
        command
            .args(&words[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        if let Some(cwd) = &options.cwd {
            command.current_dir(cwd);
        }
        command.envs(options.env.iter().map(|(k, v)| (k, v)));
        let spawn_error = |source| HostError::Spawn {
            command_line: command_line.to_owned(),
            source,
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(spawn_error(std::io::Error::other(
                "ProcessAdapter::spawn must be called inside a Tokio runtime",
            )));
        }
        let mut child = command.spawn().map_err(spawn_error)?;
        let pid = child.id();
        if let Some(pid) = pid {
            live::register(pid);
        }
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            unreachable!("all three stdio streams were configured as pipes")
        };

        let (writer, requests) = mpsc::unbounded_channel();
        tokio::spawn(write_lines(stdin, requests));
        let (line_tx, lines) = mpsc::channel(LINE_QUEUE);
        tokio::spawn(read_lines(stdout, options.max_line_bytes, line_tx));
        let tail = Arc::new(Mutex::new(Tail {
            bytes: Vec::new(),
            cap: options.stderr_tail_bytes,
        }));
        let (done_tx, stderr_done) = watch::channel(false);
        tokio::spawn(read_tail(stderr, Arc::clone(&tail), done_tx));

        Ok(ProcessAdapter {
            command_line: command_line.to_owned(),
            child,
            pid,
            writer: Some(writer),
            lines,
            stderr: tail,
            stderr_done,
            stdout_closed_at: None,
            exited_at: None,
            exit: None,
            fault: None,
            sessions: HashMap::new(),
            instances: 1,
            global_target: TARGET_MY,
            ended: false,
        })
    }

    /// The command line the adapter was started from.
    pub fn command_line(&self) -> &str {
        &self.command_line
    }

    /// The adapter's process id (also its process group id on Unix).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Queues one request for the writer task, as one JSON line. Does not
    /// wait for the adapter to read it.
    ///
    /// Records the request's id, and the ids of its nested `then` /
    /// `within` calls, as outstanding: each must be answered once.
    ///
    /// # Errors
    ///
    /// The adapter's final error if it has one, [`AdapterError::Closed`]
    /// when its stdin is closed, [`AdapterError::RequestIdReused`] when an
    /// id was already used (nothing is sent then).
    pub fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        self.send_to(0, request)
    }

    /// How many instances of the implementation the adapter holds (its
    /// `hello` result's `instances`; 1 before `hello`).
    pub fn instances(&self) -> u32 {
        self.instances
    }

    /// [`send`](Self::send) to one instance of the implementation (the
    /// request carries `instance` unless it is 0). Ids are unique per
    /// instance.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), and [`AdapterError::Protocol`] (without
    /// ending the adapter) for an instance the adapter does not hold.
    pub fn send_to(&mut self, instance: u32, request: Request) -> Result<(), AdapterError> {
        if let Some(fault) = &self.fault {
            return Err(fault.clone());
        }
        if instance >= self.instances {
            return Err(AdapterError::Protocol(format!(
                "a request for instance {instance}, but the adapter holds {}",
                self.instances
            )));
        }
        let mut ids = vec![request.id];
        if let Op::Call(call) = &request.op {
            ids.extend(call.nested_ids());
        }
        let mut fresh = HashSet::new();
        let checks = self.sessions.entry(instance).or_default();
        if let Some(&id) = ids
            .iter()
            .find(|&&id| checks.used_ids.contains(&id) || !fresh.insert(id))
        {
            return Err(AdapterError::RequestIdReused(id));
        }
        let is_call = matches!(request.op, Op::Call(_));
        let mut line = serde_json::to_vec(&Instanced {
            instance,
            message: request,
        })
        .expect("a Request always serialises: its maps have string keys");
        line.push(b'\n');
        let queued = self
            .writer
            .as_ref()
            .is_some_and(|writer| writer.send(line).is_ok());
        if !queued {
            let exit = self.exit.or_else(|| self.child.try_wait().ok().flatten());
            return Err(AdapterError::Closed {
                exit,
                stderr_tail: self.stderr_tail(),
            });
        }
        let checks = self.sessions.entry(instance).or_default();
        if is_call {
            checks.call_ids.extend(&ids);
        }
        checks.used_ids.extend(&ids);
        checks.outstanding.extend(ids);
        Ok(())
    }

    /// The next message from the adapter, checked (see the crate doc), or
    /// [`AdapterError::Timeout`] at `deadline`. Messages already read are
    /// returned even when the deadline has passed. Cancelling the future
    /// loses nothing.
    pub fn recv(
        &mut self,
        deadline: Instant,
    ) -> Pin<Box<dyn Future<Output = Result<AdapterMessage, AdapterError>> + Send + '_>> {
        Box::pin(async move { self.recv_inner(deadline).await.map(|routed| routed.message) })
    }

    /// [`recv`](Self::recv), with the instance the message is for.
    /// Cancelling the future loses nothing.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub async fn recv_routed(
        &mut self,
        deadline: Instant,
    ) -> Result<Instanced<AdapterMessage>, AdapterError> {
        self.recv_inner(deadline).await
    }

    async fn recv_inner(
        &mut self,
        deadline: Instant,
    ) -> Result<Instanced<AdapterMessage>, AdapterError> {
        loop {
            if let Some(fault) = &self.fault {
                return Err(fault.clone());
            }
            if self.stdout_closed_at.is_some() && self.exited_at.is_some() {
                self.settle_closed().await;
                continue;
            }
            // Half gone (stdout closed, or the process exited): the other
            // half gets a grace period, then the adapter is killed.
            let grace = match (self.stdout_closed_at, self.exited_at) {
                (Some(at), None) | (None, Some(at)) => Some(at + CLOSE_GRACE),
                _ => None,
            };
            let wake = grace.map_or(deadline, |grace| grace.min(deadline));
            tokio::select! {
                biased;
                line = self.lines.recv(), if self.stdout_closed_at.is_none() => match line {
                    Some(Line::Text(bytes)) => {
                        let checked = check_line(
                            &mut self.sessions,
                            self.instances,
                            self.global_target,
                            &bytes,
                        );
                        return checked.map_err(|reason| self.fail(reason));
                    }
                    Some(Line::TooLong { start, cap }) => {
                        let start = String::from_utf8_lossy(&start).into_owned();
                        let reason = format!(
                            "a line longer than {cap} bytes, starting: {}",
                            truncate(&start, QUOTE_BYTES)
                        );
                        return Err(self.fail(reason));
                    }
                    Some(Line::ReadError) | None => self.stdout_closed_at = Some(Instant::now()),
                },
                status = self.child.wait(), if self.exited_at.is_none() => {
                    self.exit = status.ok();
                    self.exited_at = Some(Instant::now());
                }
                () = tokio::time::sleep_until(wake) => {
                    if grace.is_some_and(|grace| grace <= deadline) {
                        // The other half never came: a descendant holds
                        // stdout open, or the process closed stdout and
                        // lingers. Either way it is finished.
                        self.kill();
                        if self.exited_at.is_none() {
                            self.exit = tokio::time::timeout(KILL_WAIT, self.child.wait())
                                .await
                                .ok()
                                .and_then(Result::ok);
                            self.exited_at = Some(Instant::now());
                        }
                        self.stdout_closed_at.get_or_insert_with(Instant::now);
                    } else {
                        return Err(AdapterError::Timeout);
                    }
                }
            }
        }
    }

    /// Both stdout and the process are gone: wait a little for the rest of
    /// stderr, end any descendants, and record the final `Closed`.
    async fn settle_closed(&mut self) {
        let mut done = self.stderr_done.clone();
        let _ = tokio::time::timeout(STDERR_GRACE, done.wait_for(|done| *done)).await;
        self.kill_group();
        self.ended = self.exit.is_some();
        self.fault = Some(AdapterError::Closed {
            exit: self.exit,
            stderr_tail: self.stderr_tail(),
        });
    }

    /// Records a protocol violation as the final error and ends the adapter.
    fn fail(&mut self, reason: String) -> AdapterError {
        let error = AdapterError::Protocol(reason);
        self.fault = Some(error.clone());
        self.kill();
        error
    }

    /// A reader of the stderr tail that outlives a `&self` borrow (for
    /// the instances of a [`SharedAdapter`](crate::SharedAdapter)).
    pub(crate) fn stderr_reader(&self) -> StderrTail {
        StderrTail(Arc::clone(&self.stderr))
    }

    /// The last bytes of the adapter's stderr, as text (up to
    /// [`SpawnOptions::stderr_tail_bytes`]).
    pub fn stderr_tail(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .text()
    }

    /// Ends the adapter in order: sends `shutdown` (unless it has already
    /// failed), waits for the reply and for the process to exit, and past
    /// `deadline` kills it. Always ends the whole process group, so nothing
    /// the adapter started is left behind.
    pub async fn shutdown(mut self, deadline: Instant) -> ExitReport {
        let mut replied = false;
        let mut error = self.fault.clone();
        if error.is_none() {
            let id = self
                .sessions
                .get(&0)
                .and_then(|checks| checks.used_ids.iter().max())
                .map_or(1, |max| max + 1);
            match self.send(Request {
                id,
                op: Op::Shutdown,
            }) {
                Ok(()) => loop {
                    match self.recv(deadline).await {
                        Ok(AdapterMessage::Response(response)) if response.id == id => {
                            replied = response.ok;
                            break;
                        }
                        Ok(_) => continue,
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                },
                Err(e) => error = Some(e),
            }
        }
        // Close stdin: an adapter that missed `shutdown` still sees the end.
        self.writer = None;
        if self.exited_at.is_none() {
            if let Ok(Ok(status)) = tokio::time::timeout_at(deadline, self.child.wait()).await {
                self.exit = Some(status);
                self.exited_at = Some(Instant::now());
            }
        }
        let mut killed = false;
        if self.exited_at.is_none() {
            killed = true;
            self.kill();
            self.exit = tokio::time::timeout(KILL_WAIT, self.child.wait())
                .await
                .ok()
                .and_then(Result::ok);
            self.exited_at = Some(Instant::now());
        }
        self.kill_group();
        self.ended = self.exit.is_some();
        let mut done = self.stderr_done.clone();
        let _ = tokio::time::timeout(STDERR_GRACE, done.wait_for(|done| *done)).await;
        ExitReport {
            replied,
            status: self.exit,
            killed,
            error,
            stderr_tail: self.stderr_tail(),
        }
    }

    /// Kills the adapter and its process group at once, without waiting.
    /// Later calls return [`AdapterError::Closed`] (once the exit is seen)
    /// unless the adapter had already failed.
    pub fn kill(&mut self) {
        if self.ended {
            return;
        }
        self.kill_group();
        let _ = self.child.start_kill();
    }

    /// Sends SIGKILL to the adapter's process group (Unix; elsewhere only
    /// the process itself is killed, by [`kill`](Self::kill)).
    fn kill_group(&self) {
        if let Some(pid) = self.pid {
            live::kill_process_group(pid);
        }
    }
}

impl Drop for ProcessAdapter {
    fn drop(&mut self) {
        self.kill();
        if let Some(pid) = self.pid {
            live::forget(pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adapter_and_its_futures_can_move_between_threads() {
        fn send<T: Send>(_: &T) {}
        fn send_type<T: Send>() {}
        send_type::<ProcessAdapter>();
        send_type::<AdapterError>();
        let adapter: Option<ProcessAdapter> = None;
        if let Some(mut adapter) = adapter {
            send(&adapter.recv(Instant::now()));
            send(&adapter.hello(1, adapter_protocol::Config::default(), Instant::now()));
            send(&adapter.shutdown(Instant::now()));
        }
    }

    #[test]
    fn nested_ids_are_collected_at_every_depth() {
        let request: Request = serde_json::from_value(serde_json::json!({
            "id": 1, "op": "call", "target": "my", "method": "connectSocket",
            "then": [{"id": 2, "target": "$returned", "method": "onOpen", "listener": "L",
                      "within": {"fail": [{"id": 3, "target": "my", "method": "closeSocket"}]}}],
            "within": {"complete": [{"id": 4, "target": "my", "method": "closeSocket",
                                     "then": [{"id": 5, "target": "my", "method": "offSocketOpen"}]}]}
        }))
        .unwrap();
        let Op::Call(call) = &request.op else {
            panic!()
        };
        assert_eq!(call.nested_ids(), [2, 3, 4, 5]);
    }
}
