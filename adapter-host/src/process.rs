//! [`ProcessAdapter`]: an adapter process spoken to over stdio.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use adapter_protocol::{
    AdapterMessage, Config, Event, HelloResult, Instanced, Op, Request, Response, PROTOCOL_VERSION,
    TARGET_MY,
};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

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
/// How much of an offending line an error quotes.
const QUOTE_BYTES: usize = 400;
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

/// What the stdout reader hands to `recv`.
enum Line {
    /// One line, without its `\n`.
    Text(Vec<u8>),
    /// A line passed the length cap; reading stopped.
    TooLong { start: Vec<u8>, cap: usize },
    /// Reading failed; reading stopped (handled like the end of stdout).
    ReadError,
}

/// The last bytes of a stream.
#[derive(Debug, Default)]
struct Tail {
    bytes: Vec<u8>,
    cap: usize,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > self.cap {
            let excess = self.bytes.len() - self.cap;
            self.bytes.drain(..excess);
        }
    }

    fn text(&self) -> String {
        // The cut may fall inside a UTF-8 sequence: skip continuation bytes.
        let start = self
            .bytes
            .iter()
            .position(|&b| b & 0xC0 != 0x80)
            .unwrap_or(self.bytes.len());
        String::from_utf8_lossy(&self.bytes[start..]).into_owned()
    }
}

/// The stderr tail of an adapter, readable from anywhere.
#[derive(Debug, Clone)]
pub(crate) struct StderrTail(Arc<Mutex<Tail>>);

impl StderrTail {
    /// The tail as text.
    pub(crate) fn text(&self) -> String {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).text()
    }
}

/// What one instance of the implementation was sent: the ids and task
/// handles its messages may name. Ids are unique per instance.
#[derive(Debug, Default)]
struct Checks {
    /// Every id sent, nested ones included.
    used_ids: HashSet<u64>,
    /// Ids sent and not yet answered.
    outstanding: HashSet<u64>,
    /// Ids of calls (top-level and nested): the ones callbacks may name.
    call_ids: HashSet<u64>,
    /// Task handles the adapter returned.
    tasks: HashSet<String>,
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
                        return self.check_line(&bytes).map_err(|reason| self.fail(reason));
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

    /// Parses and checks one stdout line: [`decode`], then the checks that
    /// need what was sent (ids, calls, tasks).
    fn check_line(&mut self, bytes: &[u8]) -> Result<Instanced<AdapterMessage>, String> {
        let routed = decode_routed(bytes)?;
        let instance = routed.instance;
        let checked = if instance >= self.instances {
            Err(format!(
                "a message for instance {instance}, but the adapter holds {}",
                self.instances
            ))
        } else {
            match &routed.message {
                AdapterMessage::Response(response) => self.check_response(instance, response),
                AdapterMessage::Event(event) => self.check_event(instance, event),
            }
        };
        checked.map_err(|e| format!("{e}: {}", quote_line(bytes)))?;
        Ok(routed)
    }

    fn check_response(&mut self, instance: u32, response: &Response) -> Result<(), String> {
        let id = response.id;
        let checks = self.sessions.entry(instance).or_default();
        if !checks.outstanding.remove(&id) {
            return Err(if checks.used_ids.contains(&id) {
                format!("a second response to request {id}")
            } else {
                format!("a response to id {id}, which was never sent")
            });
        }
        match (response.ok, &response.result, &response.error) {
            (true, Some(result), _) => {
                if let Some(task) = result.pointer("/returned/task").and_then(Value::as_str) {
                    checks.tasks.insert(task.to_owned());
                }
                Ok(())
            }
            (true, None, _) => Err(format!("response {id} has \"ok\": true but no \"result\"")),
            (false, _, Some(_)) => Ok(()),
            (false, _, None) => Err(format!("response {id} has \"ok\": false but no \"error\"")),
        }
    }

    fn check_event(&self, instance: u32, event: &Event) -> Result<(), String> {
        let empty = Checks::default();
        let checks = self.sessions.get(&instance).unwrap_or(&empty);
        match event {
            Event::Callback { call, .. } if !checks.call_ids.contains(call) => {
                Err(format!("a callback for call {call}, which was never sent"))
            }
            Event::Listener { target, .. }
                if target != self.global_target && !checks.tasks.contains(target) =>
            {
                Err(format!(
                    "a listener event on task {target:?}, which no call returned"
                ))
            }
            _ => Ok(()),
        }
    }

    /// Sends `hello` with `id` and `config` and waits for its response.
    /// `log` events before it are skipped; any other event is a protocol
    /// violation, as is a result that is not a `HelloResult` for protocol
    /// 1, or an `unsupported` key that is not a config key.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send) and [`recv`](Self::recv), and
    /// [`AdapterError::Protocol`] when the adapter refuses `hello`.
    pub async fn hello(
        &mut self,
        id: u64,
        config: Config,
        deadline: Instant,
    ) -> Result<HelloResult, AdapterError> {
        self.hello_in(id, config, None, deadline).await
    }

    /// [`hello`](Self::hello) naming the profile the run checks
    /// (`hello.profile`, absent when `None`).
    ///
    /// # Errors
    ///
    /// As [`hello`](Self::hello).
    pub async fn hello_in(
        &mut self,
        id: u64,
        config: Config,
        profile: Option<String>,
        deadline: Instant,
    ) -> Result<HelloResult, AdapterError> {
        self.send(Request {
            id,
            op: Op::Hello {
                protocol: PROTOCOL_VERSION,
                config,
                profile,
            },
        })?;
        loop {
            let message = self.recv(deadline).await?;
            let response = match message {
                AdapterMessage::Response(response) if response.id == id => response,
                AdapterMessage::Event(Event::Log { .. }) => continue,
                other => {
                    let text = serde_json::to_string(&other).unwrap_or_default();
                    return Err(self.fail(format!(
                        "a message before the hello response: {}",
                        truncate(&text, QUOTE_BYTES)
                    )));
                }
            };
            return self.hello_result(response);
        }
    }

    fn hello_result(&mut self, response: Response) -> Result<HelloResult, AdapterError> {
        if !response.ok {
            let error = response.error.unwrap_or_default();
            return Err(self.fail(format!("the adapter refused hello: {error}")));
        }
        let result = response.result.unwrap_or_default();
        let quoted = truncate(&result.to_string(), QUOTE_BYTES);
        let hello: HelloResult = match serde_json::from_value(result) {
            Ok(hello) => hello,
            Err(e) => return Err(self.fail(format!("a malformed hello result ({e}): {quoted}"))),
        };
        if hello.protocol != PROTOCOL_VERSION {
            return Err(self.fail(format!(
                "the adapter speaks protocol {}, the runner {PROTOCOL_VERSION}",
                hello.protocol
            )));
        }
        self.global_target = hello.api.name;
        if hello.instances == 0 {
            return Err(self.fail("hello declares 0 instances".to_string()));
        }
        self.instances = hello.instances;
        if let Some(key) = hello
            .unsupported
            .iter()
            .find(|key| !Config::KEYS.contains(&key.as_str()))
        {
            return Err(self.fail(format!(
                "hello lists {key:?} as unsupported, which is not a config key"
            )));
        }
        Ok(hello)
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

/// Decodes one line an adapter wrote on stdout (without its `\n`; a
/// trailing `\r` is ignored) into a message, checking everything that can
/// be checked from the line alone: UTF-8, JSON, an object, and the shape of
/// a response (it has `"id"`) or of an event (it has `"event"`).
///
/// [`ProcessAdapter::recv`] runs this on every line, then checks the
/// message against the session (an id that was sent and not yet answered,
/// a call that was sent, a task that was returned).
///
/// # Errors
///
/// [`AdapterError::Protocol`] saying what is wrong, quoting the line.
pub fn decode_line(line: &[u8]) -> Result<AdapterMessage, AdapterError> {
    decode(line).map_err(AdapterError::Protocol)
}

/// [`decode_line`], with the reason as text.
fn decode(bytes: &[u8]) -> Result<AdapterMessage, String> {
    decode_routed(bytes).map(|routed| routed.message)
}

/// [`decode`], with the line's `instance` (absent: 0; otherwise an
/// unsigned integer below 2^32).
fn decode_routed(bytes: &[u8]) -> Result<Instanced<AdapterMessage>, String> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let Ok(line) = std::str::from_utf8(bytes) else {
        let lossy = String::from_utf8_lossy(bytes);
        return Err(format!(
            "a line that is not UTF-8: {}",
            truncate(&lossy, QUOTE_BYTES)
        ));
    };
    let quoted = || truncate(line, QUOTE_BYTES);
    let value: Value = serde_json::from_str(line)
        .map_err(|e| format!("a line that is not JSON ({e}): {}", quoted()))?;
    let Value::Object(object) = &value else {
        return Err(format!("a line that is not a JSON object: {}", quoted()));
    };
    let instance = match object.get("instance") {
        None => 0,
        Some(number) => number
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                format!(
                    "an \"instance\" that is not an unsigned integer: {}",
                    quoted()
                )
            })?,
    };
    let message = if object.contains_key("id") {
        let response: Response = serde_json::from_value(value)
            .map_err(|e| format!("a malformed response ({e}): {}", quoted()))?;
        AdapterMessage::Response(response)
    } else if object.contains_key("event") {
        let event: Event = serde_json::from_value(value)
            .map_err(|e| format!("an unknown or malformed event ({e}): {}", quoted()))?;
        AdapterMessage::Event(event)
    } else {
        return Err(format!(
            "a message that is neither a response (no \"id\") nor an event (no \"event\"): {}",
            quoted()
        ));
    };
    Ok(Instanced { instance, message })
}

/// A line [`decode`] accepted, quoted for an error.
fn quote_line(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    truncate(&String::from_utf8_lossy(bytes), QUOTE_BYTES)
}

/// The writer task: writes queued lines to the adapter's stdin until the
/// queue closes or a write fails (the adapter is gone).
async fn write_lines(mut stdin: ChildStdin, mut requests: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(line) = requests.recv().await {
        if stdin.write_all(&line).await.is_err() || stdin.flush().await.is_err() {
            return;
        }
    }
}

/// The stdout reader task: splits stdout into lines, refusing any longer
/// than `cap`. A last line without `\n` at the end of the stream counts.
async fn read_lines(stdout: ChildStdout, cap: usize, lines: mpsc::Sender<Line>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut line = Vec::new();
    loop {
        let buf = match reader.fill_buf().await {
            Ok(buf) => buf,
            Err(_) => {
                let _ = lines.send(Line::ReadError).await;
                return;
            }
        };
        if buf.is_empty() {
            if !line.is_empty() {
                let _ = lines.send(Line::Text(line)).await;
            }
            return;
        }
        let (chunk, newline) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (&buf[..at], true),
            None => (buf, false),
        };
        if line.len() + chunk.len() > cap {
            line.extend_from_slice(&chunk[..chunk.len().min(QUOTE_BYTES)]);
            line.truncate(QUOTE_BYTES);
            let _ = lines.send(Line::TooLong { start: line, cap }).await;
            return;
        }
        line.extend_from_slice(chunk);
        let used = chunk.len() + usize::from(newline);
        reader.consume(used);
        if newline
            && lines
                .send(Line::Text(std::mem::take(&mut line)))
                .await
                .is_err()
        {
            return;
        }
    }
}

/// The stderr reader task: keeps the tail, then says it is done.
async fn read_tail(
    mut stderr: impl AsyncRead + Unpin,
    tail: Arc<Mutex<Tail>>,
    done: watch::Sender<bool>,
) {
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = stderr.read(&mut buf).await {
        tail.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(&buf[..n]);
    }
    let _ = done.send(true);
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
            send(&adapter.hello(1, Config::default(), Instant::now()));
            send(&adapter.shutdown(Instant::now()));
        }
    }

    #[test]
    fn the_tail_keeps_the_last_bytes_and_whole_characters() {
        let mut tail = Tail {
            bytes: Vec::new(),
            cap: 5,
        };
        tail.push("abc".as_bytes());
        tail.push("dé€".as_bytes());
        // "abcdé€" is 4 + 2 + 3 bytes: the last 5 are exactly "é€".
        assert_eq!(tail.text(), "é€");
        tail.push(b"x");
        assert_eq!(tail.text(), "€x");
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
