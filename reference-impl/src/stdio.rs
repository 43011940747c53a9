//! The reference implementation served over the adapter protocol as JSON
//! Lines: requests in, responses and events out. The `reference-adapter`
//! binary (and the runner's `serve-reference` command) run this over stdio.
//!
//! One process may hold several instances of the implementation
//! (`instances` in the `hello` result, `instance` on every line): each is
//! a bridge of its own ([`spawn_instance`]), made when a request first
//! names it, set up as the last `hello` set up instance 0. A reading task
//! routes each line to its instance; every instance's messages meet on one
//! channel, tagged with the instance, and are written in the order they
//! arrive.

use std::collections::HashMap;

use adapter_protocol::{AdapterMessage, Event, Instanced, Op, Request, Response, PROTOCOL_VERSION};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::adapter::{spawn_instance, AdapterChannels, Hello};
use crate::seams::Behaviour;

/// How many instances a process serving the reference over stdio holds
/// by default (`reference-adapter`, `serve-reference`): as many scenarios
/// as a runner runs at once over one process.
pub const DEFAULT_INSTANCES: u32 = 64;

/// Serves the protocol on this process's stdin and stdout until `shutdown`
/// or the end of stdin, as [`serve_lines`] does. Logs go to stderr.
///
/// Tokio's stdin may still be blocked in a read when this returns, so a
/// binary should exit right after it rather than wait for the runtime.
pub async fn serve_stdio(behaviour: Behaviour, instances: u32) -> std::io::Result<()> {
    serve_lines(
        tokio::io::stdin(),
        tokio::io::stdout(),
        behaviour,
        instances,
    )
    .await
}

/// Serves the protocol over any pair of byte streams: one request a line
/// read from `input`, one message a line written to `output`, holding
/// `instances` instances of the implementation (0 is taken as 1: no
/// `instances` in the `hello` result, as before instances existed), each
/// running `behaviour` (`Behaviour::default()`: the reference itself).
///
/// A line that is not a request gets an error response (a `log` event when
/// no id can be read from it) and the adapter goes on. Returns when the
/// adapter has ended (after `shutdown`, or once `input` is exhausted), or
/// with the error that made `output` unwritable.
///
/// A request goes to the instance its `instance` names (absent: 0), and
/// every message of instance k carries `instance: k` (none for 0). `hello`
/// goes to instance 0 only and sets up the whole process: the other
/// instances end, and each is made again, set up by it, when a request
/// next names it. `shutdown` on any instance ends them all. A request that
/// names an instance the adapter does not hold gets an error response
/// (with its id and that `instance`, when they can be read).
pub async fn serve_lines<R, W>(
    input: R,
    mut output: W,
    behaviour: Behaviour,
    instances: u32,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin,
{
    let (out, mut messages) = mpsc::unbounded_channel::<Instanced<AdapterMessage>>();
    let router = Router {
        behaviour,
        count: instances.max(1),
        instances: HashMap::new(),
        hello: None,
        out,
    };
    tokio::spawn(router.run(input));
    // Ends once the router and every instance have ended.
    while let Some(message) = messages.recv().await {
        let mut line = serde_json::to_string(&message).map_err(std::io::Error::other)?;
        line.push('\n');
        output.write_all(line.as_bytes()).await?;
        output.flush().await?;
    }
    output.flush().await
}

/// Reads request lines and hands each to its instance.
struct Router {
    behaviour: Behaviour,
    /// How many instances the process holds.
    count: u32,
    /// Where each instance made so far takes its requests; dropping one
    /// ends that instance.
    instances: HashMap<u32, mpsc::UnboundedSender<Request>>,
    /// The last `hello` of a protocol this adapter speaks: what an
    /// instance made from now on is set up with.
    hello: Option<Hello>,
    /// Where every message goes out, tagged with its instance.
    out: mpsc::UnboundedSender<Instanced<AdapterMessage>>,
}

impl Router {
    async fn run<R: AsyncRead + Unpin>(mut self, input: R) {
        // Instance 0 exists from the start, as the one bridge did before
        // instances.
        self.instance(0);
        let mut lines = BufReader::new(input).lines();
        loop {
            let line = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("reference-adapter: reading requests failed: {e}");
                    break;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            if !self.route(&line) {
                break;
            }
        }
        // Dropping `self.instances` ends every instance.
    }

    /// Hands one line to its instance, or answers it; `false` once the
    /// adapter must end (`shutdown`).
    fn route(&mut self, line: &str) -> bool {
        let (instance, request) = match parse_line(line, self.count) {
            Ok(parsed) => parsed,
            Err(refusal) => {
                eprintln!("reference-adapter: {}: {line}", refusal.text);
                let _ = self.out.send(refusal.answer());
                return true;
            }
        };
        match &request.op {
            Op::Hello { .. } if instance != 0 => {
                self.answer(
                    instance,
                    Response::error(request.id, "hello goes to instance 0 only"),
                );
                true
            }
            Op::Hello {
                protocol,
                config,
                profile,
            } => {
                if *protocol == PROTOCOL_VERSION {
                    // The whole process starts over: instances made from
                    // now on are set up by this hello.
                    self.instances.retain(|&k, _| k == 0);
                    self.hello = Some(Hello {
                        config: config.clone(),
                        profile: profile.clone(),
                    });
                }
                self.send(0, request);
                true
            }
            Op::Shutdown => {
                // Every other instance ends (its sockets with it); this one
                // answers, then ends.
                self.instances.retain(|&k, _| k == instance);
                self.send(instance, request);
                false
            }
            Op::Call(_) | Op::Reset { .. } => {
                self.send(instance, request);
                true
            }
        }
    }

    /// Writes `response` on `instance`.
    fn answer(&self, instance: u32, response: Response) {
        let _ = self.out.send(Instanced {
            instance,
            message: AdapterMessage::Response(response),
        });
    }

    fn send(&mut self, instance: u32, request: Request) {
        // An instance ends only when its sender is dropped, or on
        // `shutdown`, after which nothing more is routed.
        let _ = self.instance(instance).send(request);
    }

    /// The requests of `instance`, made (set up by the last `hello`) when
    /// it is first needed; its messages go out tagged with it.
    fn instance(&mut self, instance: u32) -> &mpsc::UnboundedSender<Request> {
        let Router {
            behaviour,
            count,
            instances,
            hello,
            out,
        } = self;
        instances.entry(instance).or_insert_with(|| {
            let AdapterChannels {
                requests,
                mut messages,
            } = spawn_instance(behaviour.clone(), *count, hello.clone());
            let out = out.clone();
            tokio::spawn(async move {
                while let Some(message) = messages.recv().await {
                    if out.send(Instanced { instance, message }).is_err() {
                        break;
                    }
                }
            });
            requests
        })
    }
}

/// Why a line is not a request for an instance this adapter holds, and
/// how to answer it.
struct Refusal {
    /// The instance the answer goes out on.
    instance: u32,
    /// The id of the line, when it can be read.
    id: Option<u64>,
    /// What is wrong.
    text: String,
}

impl Refusal {
    /// An error response on the instance when there is an id, a log event
    /// otherwise.
    fn answer(self) -> Instanced<AdapterMessage> {
        let message = match self.id {
            Some(id) => AdapterMessage::Response(Response::error(id, self.text)),
            None => AdapterMessage::Event(Event::Log { text: self.text }),
        };
        Instanced {
            instance: self.instance,
            message,
        }
    }
}

/// The instance and request of a line, or why it is not a request for an
/// instance of the `count` this adapter holds.
fn parse_line(line: &str, count: u32) -> Result<(u32, Request), Refusal> {
    let refusal = |instance, id, text| Refusal { instance, id, text };
    let mut value: Value =
        serde_json::from_str(line).map_err(|e| refusal(0, None, format!("bad request: {e}")))?;
    let id = value.get("id").and_then(Value::as_u64);
    let named = value.as_object_mut().and_then(|o| o.remove("instance"));
    let instance = match named {
        None => 0,
        Some(named) => match named.as_u64().and_then(|k| u32::try_from(k).ok()) {
            Some(k) if k < count => k,
            Some(k) => {
                let last = count - 1;
                let text = format!("no instance {k}: this adapter holds {count} (0 to {last})");
                return Err(refusal(k, id, text));
            }
            None => {
                let text = format!("bad request: `instance` is not an unsigned integer: {named}");
                return Err(refusal(0, id, text));
            }
        },
    };
    let request = serde_json::from_value::<Request>(value)
        .map_err(|e| refusal(instance, id, format!("bad request: {e}")))?;
    Ok((instance, request))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn answers_hello_and_a_bad_line_then_ends_on_shutdown() {
        let (mut to_adapter, input) = tokio::io::duplex(4096);
        let (output, mut from_adapter) = tokio::io::duplex(4096);
        let served = tokio::spawn(serve_lines(input, output, Behaviour::default(), 1));
        to_adapter
            .write_all(
                b"{\"id\":1,\"op\":\"hello\",\"protocol\":1,\"config\":{}}\n\
                  {\"id\":2,\"op\":\"bogus\"}\n\
                  {\"id\":3,\"op\":\"shutdown\"}\n",
            )
            .await
            .unwrap();
        served.await.unwrap().unwrap();
        let mut text = String::new();
        from_adapter.read_to_string(&mut text).await.unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines.iter().any(|l| l["id"] == 1 && l["ok"] == true));
        assert!(lines.iter().any(|l| l["id"] == 2 && l["ok"] == false));
        assert!(lines.iter().any(|l| l["id"] == 3 && l["ok"] == true));
    }
}
