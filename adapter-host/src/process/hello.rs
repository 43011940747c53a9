//! Introducing an adapter process: `hello`, and the checks of its result
//! (the protocol version, the face, the instances, the unsupported keys).

use adapter_protocol::{
    AdapterMessage, Config, Event, HelloResult, Op, Request, Response, PROTOCOL_VERSION,
};
use tokio::time::Instant;

use super::stdio::QUOTE_BYTES;
use super::ProcessAdapter;
use crate::error::{truncate, AdapterError};

impl ProcessAdapter {
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
}
