//! A transport that hands the HTTP response head of the opening handshake
//! to tungstenite through a rewrite, and every byte after it unchanged.
//!
//! tungstenite checks the response as RFC 6455 section 4.1 says, except one
//! point where it is stricter: it wants `Connection` to be exactly
//! `Upgrade`, while the RFC asks for a header that *contains the token*
//! `Upgrade` (`Connection: keep-alive, Upgrade` is valid). [`connection_token`]
//! brings such a header to the form tungstenite accepts, so the reference
//! implementation reports error 8 for exactly the responses the RFC fails.
//!
//! The other rewrites here serve seams of [`Seams`](crate::seams::Seams):
//! [`without_subprotocol`] (a mutant that never looks at the header) and
//! [`with_subprotocol`] (variant `connect.no-subprotocol=open`). A
//! [`FrameTap`] watches the frames after the head for a mutant that
//! delivers data sent behind a close frame, which tungstenite refuses.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
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
    /// Watches the bytes after the head, when set.
    tap: Option<FrameTap>,
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
            tap: None,
        }
    }

    /// The same transport, with `tap` watching the frames after the head.
    pub(crate) fn tapped(mut self, tap: FrameTap) -> Self {
        self.tap = Some(tap);
        self
    }
}

/// Watches the server's frames and keeps the text and binary frames that
/// come after a close frame (whole unfragmented frames only), which
/// tungstenite refuses to read.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameTap {
    state: Arc<Mutex<TapState>>,
}

#[derive(Debug, Default)]
struct TapState {
    pending: Vec<u8>,
    seen_close: bool,
    after_close: Vec<(bool, Vec<u8>)>,
}

impl FrameTap {
    /// The frames seen after a close frame so far, taken: `(binary, payload)`.
    pub(crate) fn take_after_close(&self) -> Vec<(bool, Vec<u8>)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut state.after_close)
    }

    fn feed(&self, bytes: &[u8]) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.pending.extend_from_slice(bytes);
        while let Some((opcode, payload, used)) = parse_frame(&state.pending) {
            state.pending.drain(..used);
            match opcode {
                8 => state.seen_close = true,
                1 | 2 if state.seen_close => state.after_close.push((opcode == 2, payload)),
                _ => {}
            }
        }
    }
}

/// One whole frame at the start of `bytes`: its opcode, unmasked payload
/// and length on the wire.
fn parse_frame(bytes: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let (&b0, &b1) = (bytes.first()?, bytes.get(1)?);
    let masked = b1 & 0x80 != 0;
    let (len, mut at) = match b1 & 0x7f {
        126 => (
            u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize,
            4,
        ),
        127 => {
            let raw: [u8; 8] = bytes.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(raw)).ok()?, 10)
        }
        n => (n as usize, 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let m = bytes.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(m)
    } else {
        None
    };
    let mut payload = bytes.get(at..at.checked_add(len)?)?.to_vec();
    if let Some(mask) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Some((b0 & 0x0f, payload, at + len))
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

/// A rewrite that gives a response head without `Sec-WebSocket-Protocol`
/// the line `Sec-WebSocket-Protocol: <protocol>`, as a client that opens
/// whether or not the server selected one of its offers would see it.
pub(crate) fn with_subprotocol(protocol: String) -> Rewrite {
    Box::new(move |head: &[u8]| {
        let has_one = head.split(|&b| b == b'\n').any(|line| {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            name.eq_ignore_ascii_case(b"sec-websocket-protocol")
        });
        let Some(end) = head.len().checked_sub(2).filter(|_| !has_one) else {
            return head.to_vec();
        };
        let mut out = head[..end].to_vec();
        out.extend_from_slice(format!("Sec-WebSocket-Protocol: {protocol}\r\n\r\n").as_bytes());
        out
    })
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
                let before = buf.filled().len();
                ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
                if let Some(tap) = &this.tap {
                    tap.feed(&buf.filled()[before..]);
                }
                return Poll::Ready(Ok(()));
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
                        if let Some(tap) = &this.tap {
                            tap.feed(rest);
                        }
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

    #[test]
    fn a_missing_subprotocol_is_filled_in_and_a_present_one_kept() {
        let rewrite = with_subprotocol("chat".into());
        assert_eq!(
            rewrite(b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n"),
            b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        );
        let selected = b"HTTP/1.1 101 OK\r\nSec-WebSocket-Protocol: x\r\n\r\n";
        assert_eq!(rewrite(selected), selected);
    }

    #[test]
    fn the_tap_keeps_only_data_frames_behind_a_close_frame() {
        let tap = FrameTap::default();
        tap.feed(b"\x81\x02hi\x88\x02\x03");
        tap.feed(b"\xe8\x81\x82\x00\x00\x00\x00ab\x82\x01");
        tap.feed(b"z");
        assert_eq!(
            tap.take_after_close(),
            vec![(false, b"ab".to_vec()), (true, b"z".to_vec())]
        );
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
