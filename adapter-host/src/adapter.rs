//! The transport to an implementation under test, as the runner's
//! executor drives it: [`Adapter`], implemented here by
//! [`ProcessAdapter`] and in the runner by the in-process reference, with
//! the one way to reset an implementation between scenarios
//! ([`Adapter::reset`]).

use std::future::Future;
use std::pin::Pin;

use adapter_protocol::{AdapterMessage, Config, Op, Request};
use tokio::time::Instant;

use crate::error::{AdapterError, ResetError};
use crate::process::ProcessAdapter;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends requests to an implementation and receives its messages.
pub trait Adapter: Send {
    /// Sends one request.
    fn send(&mut self, request: Request) -> Result<(), AdapterError>;
    /// The next message, or [`AdapterError::Timeout`] at `deadline`.
    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>>;

    /// Sends `reset` as request `id` (with `config` when the next
    /// scenario needs another one than the implementation has) and waits,
    /// at most until `deadline`, for its answer. Messages before the
    /// answer are the last scenario's late events, and are dropped.
    ///
    /// # Errors
    ///
    /// [`ResetError::Adapter`] when sending or receiving fails (a
    /// timeout included), [`ResetError::Refused`] when the implementation
    /// answers `ok: false`.
    fn reset(
        &mut self,
        id: u64,
        config: Option<Config>,
        deadline: Instant,
    ) -> BoxFuture<'_, Result<(), ResetError>> {
        Box::pin(async move {
            self.send(Request {
                id,
                op: Op::Reset { config },
            })?;
            loop {
                match self.recv(deadline).await? {
                    AdapterMessage::Response(response) if response.id == id => {
                        return if response.ok {
                            Ok(())
                        } else {
                            Err(ResetError::Refused(response.error.unwrap_or_default()))
                        };
                    }
                    // Late events of the last scenario.
                    _ => continue,
                }
            }
        })
    }
}

impl Adapter for ProcessAdapter {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        ProcessAdapter::send(self, request)
    }

    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        ProcessAdapter::recv(self, deadline)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use adapter_protocol::Response;

    use super::*;

    /// Answers from a list, and remembers what was sent.
    struct Scripted {
        sent: Vec<Request>,
        messages: VecDeque<AdapterMessage>,
    }

    impl Adapter for Scripted {
        fn send(&mut self, request: Request) -> Result<(), AdapterError> {
            self.sent.push(request);
            Ok(())
        }

        fn recv(&mut self, _: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
            let next = self.messages.pop_front().ok_or(AdapterError::Timeout);
            Box::pin(async move { next })
        }
    }

    fn scripted(messages: Vec<serde_json::Value>) -> Scripted {
        Scripted {
            sent: Vec::new(),
            messages: messages
                .into_iter()
                .map(|m| serde_json::from_value(m).unwrap())
                .collect(),
        }
    }

    #[tokio::test]
    async fn reset_skips_late_messages_and_reports_a_refusal_or_silence() {
        let late = serde_json::json!({"event": "log", "text": "late"});
        let mut adapter = scripted(vec![
            late.clone(),
            serde_json::to_value(Response::ok(6, serde_json::json!({}))).unwrap(),
            serde_json::to_value(Response::ok(7, serde_json::json!({}))).unwrap(),
        ]);
        let config = Config::default();
        let deadline = Instant::now();
        assert_eq!(
            adapter.reset(7, Some(config.clone()), deadline).await,
            Ok(())
        );
        assert_eq!(adapter.sent.len(), 1);
        assert!(matches!(&adapter.sent[0].op, Op::Reset { config: Some(c) } if c == &config));

        let mut refusing = scripted(vec![
            serde_json::json!({"id": 3, "ok": false, "error": "no"}),
        ]);
        assert_eq!(
            refusing.reset(3, None, deadline).await,
            Err(ResetError::Refused("no".into()))
        );
        let mut silent = scripted(vec![late]);
        assert_eq!(
            silent.reset(1, None, deadline).await,
            Err(ResetError::Adapter(AdapterError::Timeout))
        );
    }
}
