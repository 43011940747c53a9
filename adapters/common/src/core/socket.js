'use strict';
// One socket: its state, the state machine a transport drives, and what it
// posts to its context's event queue. The transport's subclass makes the
// connection itself (below, `Socket`).

/** The states of a socket. */
const CONNECTING = 'CONNECTING';
const OPEN = 'OPEN';
const CLOSING = 'CLOSING';
const CLOSED = 'CLOSED';

/** readyState OPEN of both the `ws` package's WebSocket and the browser's. */
const READY_STATE_OPEN = 1;

/** onClose of a connection that ended without a close frame. */
const ABNORMAL_CLOSE = Object.freeze({ code: 1006, reason: '' });

/**
 * One socket's state and what it posts to the queue. A transport extends
 * it with the connection itself:
 *
 * - `connect({url, headers, protocols})`: makes the connection (`this.ws`,
 *   whose `readyState` 1 is OPEN) and reports through `connectionOpened()`,
 *   `deliverText` / `deliverBinary`, `connectionClosed(code, reason)`,
 *   `failWith(code)` (a code's name) and `refuse(text)`;
 * - `transmit(message, callbacks)`: sends `{payload, binary}` on an open
 *   connection and settles the callbacks;
 * - `sendClose(closeCode, reason)`: starts the closing handshake;
 * - `endConnection()`: ends the connection at once, without a handshake.
 */
class Socket {
  constructor(context, task) {
    this.context = context;
    this.task = task;
    this.state = CONNECTING;
    // Bumped when the connection is abandoned: occurrences posted before are dropped.
    this.generation = 0;
    // The connection has posted its last event (its close event is queued).
    this.done = false;
    this.opened = false;
    this.weClosed = false;
    this.ws = null;
    this.connectTimer = null;
    // Bounds the closing handshake (closeTimeoutMs).
    this.closeTimer = null;
  }

  post(type, res) {
    this.context.enqueue({ kind: 'socket', socket: this, generation: this.generation, type, res });
  }

  /** The connection's last word: its final events; it reports nothing more. */
  finish(events) {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.closeTimer);
    for (const [type, res] of events) this.post(type, res);
  }

  /** onError with `code` (a name of spec.json's errorCodes), then onClose 1006. */
  failWith(code) {
    this.finish([['error', this.context.face.errorPayload(code)], ['close', ABNORMAL_CLOSE]]);
  }

  /** onClose with `code` and `reason` alone. */
  closeWith(code, closeReason) {
    this.finish([['close', { code, reason: closeReason }]]);
  }

  start(checked) {
    // error.6.timeout: our own deadline over TCP + TLS + the upgrade.
    this.connectTimer = setTimeout(() => {
      this.failWith('connectTimeout');
      this.terminate();
    }, checked.timeoutMs);
    this.connect(checked);
  }

  /** The transport refused to make the connection: error 1 in a later macrotask. */
  refuse(text) {
    this.context.log(text);
    clearTimeout(this.connectTimer);
    this.context.transport.nextMacrotask(() => this.failWith('unknown'));
  }

  /** connect.open */
  connectionOpened() {
    if (this.done) return;
    clearTimeout(this.connectTimer);
    this.opened = true;
    this.post('open', {});
  }

  /** receive.text */
  deliverText(text) {
    if (this.done) return;
    this.post('message', this.context.face.textMessage(text));
  }

  /** receive.binary */
  deliverBinary(bytes) {
    if (this.done) return;
    this.post('message', this.context.face.binaryMessage(bytes, this.context.transport.codec));
  }

  /** The connection's close event (1006: it ended without a close frame). */
  connectionClosed(code, closeReason) {
    if (this.done) return;
    // The handshake ended without an error event: a network failure.
    if (!this.opened) {
      this.failWith('unknown');
      return;
    }
    if (code === 1006) {
      // close.no-answer (we closed, no close frame came back): 1006 alone;
      // close.drop (the connection ended without a close frame): error 1 first.
      if (this.weClosed) this.closeWith(1006, '');
      else this.failWith('unknown');
      return;
    }
    // close.open / close.server: what the peer sent (1005 when its frame had no code).
    this.closeWith(code, closeReason);
  }

  /** close.no-answer: no close frame back within closeTimeoutMs gives onClose 1006. */
  awaitCloseAnswer() {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.closeWith(1006, ''), this.context.config.closeTimeoutMs);
  }

  write(message, callbacks) {
    const ws = this.ws;
    if (this.done || !ws || ws.readyState !== READY_STATE_OPEN) {
      // The connection is gone although the close event is still queued.
      this.context.settle(callbacks, 'sendFailed');
      return;
    }
    this.transmit(message, callbacks);
  }

  close({ closeCode, reason: closeReason }, callbacks) {
    if (this.state === CONNECTING) {
      // close.connecting: abandon the handshake; onClose 1006; no onOpen.
      this.state = CLOSING;
      this.generation += 1;
      this.done = true;
      clearTimeout(this.connectTimer);
      this.terminate();
      this.context.settle(callbacks, 0);
      this.post('close', ABNORMAL_CLOSE);
      return;
    }
    // close.open: the frame carries code and reason; onClose with the answer.
    this.state = CLOSING;
    if (!this.done && this.ws && this.ws.readyState === READY_STATE_OPEN) {
      this.weClosed = true;
      this.sendClose(closeCode, closeReason);
    }
    this.context.settle(callbacks, 0);
  }

  /** Ends the connection now, and its timers. */
  terminate() {
    clearTimeout(this.connectTimer);
    clearTimeout(this.closeTimer);
    if (this.ws) this.endConnection();
  }

  /** reset: end now, report nothing. */
  abandon() {
    this.generation += 1;
    this.done = true;
    this.state = CLOSED;
    this.terminate();
    this.ws = null;
  }
}

module.exports = { Socket, CONNECTING, OPEN, CLOSING, CLOSED, ABNORMAL_CLOSE };
