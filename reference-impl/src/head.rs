//! A transport that hands the HTTP response head of the opening handshake
//! to tungstenite through a rewrite, and every byte after it unchanged.
//!
//! tungstenite checks the response as RFC 6455 section 4.1 says, except one
//! point where it is stricter: it wants `Connection` to be exactly
//! `Upgrade`, while the RFC asks for a header that *contains the token*
//! `Upgrade` (`Connection: keep-alive, Upgrade` is valid). [`connection_token`]
//! brings such a header to the form tungstenite accepts, so the reference
//! implementation reports error 8 for exactly the responses the RFC fails.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A byte stream, plain or TLS.
pub(crate) trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

/// The largest head rewritten; a longer one passes unchanged (and fails the
/// handshake in tungstenite, whose own limit is lower).
const HEAD_CAP: usize = 64 * 1024;

/// A rewrite of a response head (the bytes up to and including the blank
/// line).
pub(crate) type Rewrite = Box<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

/// The transport: reads the head, rewrites it, then passes bytes through.
pub(crate) struct HeadRewrite {
    inner: Box<dyn Transport>,
    rewrites: Vec<Rewrite>,
    /// The response head read so far.
    head: Vec<u8>,
    /// Bytes to hand out before reading on, and how many were.
    out: Vec<u8>,
    pos: usize,
    /// The head has been handed out: bytes pass through.
    passthrough: bool,
}

impl HeadRewrite {
    /// `inner` with `rewrites` applied in order to the response head.
    pub(crate) fn new(inner: Box<dyn Transport>, rewrites: Vec<Rewrite>) -> Self {
        HeadRewrite {
            inner,
            rewrites,
            head: Vec::new(),
            out: Vec::new(),
            pos: 0,
            passthrough: false,
        }
    }
}

/// RFC 6455 4.1: a `Connection` header that contains the token `Upgrade`
/// (ASCII case-insensitive, in a comma-separated list) is valid; it is
/// rewritten to `Connection: Upgrade`. Any other `Connection` line is left
/// as it is, for tungstenite to refuse.
pub(crate) fn connection_token(head: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len());
    for line in head.split_inclusive(|&b| b == b'\n') {
        let mut parts = line.splitn(2, |&b| b == b':');
        let name = parts.next().unwrap_or_default();
        let value = parts.next().unwrap_or_default();
        let has_token = value
            .split(|&b| b == b',')
            .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"upgrade"));
        if name.eq_ignore_ascii_case(b"connection") && has_token {
            out.extend_from_slice(b"Connection: Upgrade\r\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// The response head without its `Sec-WebSocket-Protocol` lines, as a
/// client that never looks at that header would see it.
pub(crate) fn without_subprotocol(head: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len());
    for line in head.split_inclusive(|&b| b == b'\n') {
        let name = line.split(|&b| b == b':').next().unwrap_or_default();
        if !name.eq_ignore_ascii_case(b"sec-websocket-protocol") {
            out.extend_from_slice(line);
        }
    }
    out
}

impl AsyncRead for HeadRewrite {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.pos < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.pos);
                buf.put_slice(&this.out[this.pos..this.pos + n]);
                this.pos += n;
                return Poll::Ready(Ok(()));
            }
            if this.passthrough {
                return Pin::new(&mut this.inner).poll_read(cx, buf);
            }
            let mut chunk = [0u8; 1024];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            let got = read.filled();
            this.head.extend_from_slice(got);
            let end = this.head.windows(4).position(|w| w == b"\r\n\r\n");
            if got.is_empty() || end.is_some() || this.head.len() > HEAD_CAP {
                let head = std::mem::take(&mut this.head);
                this.out = match end {
                    Some(end) => {
                        let (head, rest) = head.split_at(end + 4);
                        let mut out = this
                            .rewrites
                            .iter()
                            .fold(head.to_vec(), |head, rewrite| rewrite(&head));
                        out.extend_from_slice(rest);
                        out
                    }
                    None => head,
                };
                this.pos = 0;
                this.passthrough = true;
                if this.out.is_empty() {
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

impl AsyncWrite for HeadRewrite {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_token_list_holding_upgrade_becomes_upgrade() {
        let head = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive, UPGRADE\r\n\r\n";
        assert_eq!(
            connection_token(head),
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        );
    }

    #[test]
    fn a_connection_without_the_upgrade_token_is_left_to_fail() {
        for line in [
            "Connection: keep-alive\r\n",
            "Connection: upgraded\r\n",
            "X-Connection: Upgrade\r\n",
        ] {
            let head = format!("HTTP/1.1 101 Switching Protocols\r\n{line}\r\n");
            assert_eq!(connection_token(head.as_bytes()), head.as_bytes(), "{line}");
        }
    }

    #[tokio::test]
    async fn the_head_is_rewritten_and_the_bytes_after_it_pass_unchanged() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut server, client) = tokio::io::duplex(64);
        let mut stream = HeadRewrite::new(Box::new(client), vec![Box::new(connection_token)]);
        server
            .write_all(b"HTTP/1.1 101 OK\r\nConnection: a, upgrade\r\n\r\n\x81\x02hi")
            .await
            .unwrap();
        drop(server);
        let mut got = Vec::new();
        stream.read_to_end(&mut got).await.unwrap();
        assert_eq!(
            got,
            b"HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n\r\n\x81\x02hi"
        );
    }
}
