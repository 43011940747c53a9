//! The transport to an implementation under test, as the runner's
//! executor drives it: [`Adapter`], implemented here by
//! [`ProcessAdapter`] and in the runner by the in-process reference.

use std::future::Future;
use std::pin::Pin;

use adapter_protocol::{AdapterMessage, Request};
use tokio::time::Instant;

use crate::error::AdapterError;
use crate::process::ProcessAdapter;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends requests to an implementation and receives its messages.
pub trait Adapter: Send {
    /// Sends one request.
    fn send(&mut self, request: Request) -> Result<(), AdapterError>;
    /// The next message, or [`AdapterError::Timeout`] at `deadline`.
    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>>;
}

impl Adapter for ProcessAdapter {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        ProcessAdapter::send(self, request)
    }

    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        ProcessAdapter::recv(self, deadline)
    }
}
