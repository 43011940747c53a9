//! Adapter processes ([`adapter_host::ProcessAdapter`]) seen through the
//! executor's [`Adapter`] trait.

use adapter_protocol::{AdapterMessage, Request};
use tokio::time::Instant;

use crate::execute::executor::{Adapter, AdapterError, BoxFuture};

impl From<adapter_host::AdapterError> for AdapterError {
    fn from(e: adapter_host::AdapterError) -> Self {
        match e {
            adapter_host::AdapterError::Timeout => AdapterError::Timeout,
            adapter_host::AdapterError::Protocol(text) => AdapterError::Protocol(text),
            // `Closed` and anything newer: the text names the exit status
            // and the last stderr line.
            other => AdapterError::Ended(other.to_string()),
        }
    }
}

impl Adapter for adapter_host::ProcessAdapter {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        adapter_host::ProcessAdapter::send(self, request).map_err(AdapterError::from)
    }

    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        Box::pin(async move {
            adapter_host::ProcessAdapter::recv(self, deadline)
                .await
                .map_err(AdapterError::from)
        })
    }
}
