'use strict';
// The Alipay mini-program `my` socket API (my.connectSocket, SocketTask and
// the my.*Socket* family), and WeChat's `wx` face of it, on a browser's own
// WebSocket. The entry of a bundle: the browser adapter bundles it with the
// shared core (connectsocket-common/core) into one classic script
// (src/scripts.js); evaluated in a page after `globalThis.myHost`, it defines
// `globalThis.my`, `globalThis.wx` and `globalThis.myImplementation`.
//
// The checks, error codes, listeners, event queue, state machine and tasks
// are the core's, the same as the Node.js implementation's. This file is the
// browser transport: the WebSocket, the page's host (`globalThis.myHost`),
// and what a page cannot do, said where it matters:
// - request headers (`header`) cannot be set by a page; the host sets them
//   (`myHost.openWebSocket`, the container's native side, here the browser
//   adapter through DevTools); without a host they are dropped, and
//   Sec-WebSocket-Protocol goes as the constructor's `protocols`;
// - a failed handshake is one undifferentiated `error` event. When the page
//   has a host channel (`myHost.watch`, given by the browser adapter from
//   the DevTools Network domain, as a mini-program container's native side
//   would), the error code comes from what the network stack saw; without
//   one every handshake failure is error 1;
// - a close frame can carry only 1000 or 3000-4999 (WebSocket.close), so a
//   message over maxMessageBytes gives onError 12, a close frame with 1000,
//   not 1009, and onClose with the code of the server's answer; and the
//   page enforces maxMessageBytes itself (a browser has no limit to set).

const core = require('connectsocket-common/core');
const { WEB_CODEC } = require('connectsocket-common/base64');
const { FACES } = require('connectsocket-common/spec');

const host = globalThis.myHost && typeof globalThis.myHost === 'object' ? globalThis.myHost : null;

/** How long to wait for the host channel's account of a failed handshake. */
const HOST_GRACE_MS = 1000;

/** An RFC 7230 token: what a header name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What HTTP can carry as a header value (no CR, LF or NUL). */
const HEADER_VALUE = /^[^\r\n\0]*$/;

const encoder = new TextEncoder();

/** A macrotask, without setTimeout's clamping. */
const channel = new MessageChannel();
const macrotasks = [];
channel.port1.onmessage = () => {
  const task = macrotasks.shift();
  if (task) task();
};
function nextMacrotask(fn) {
  macrotasks.push(fn);
  channel.port2.postMessage(null);
}

/**
 * The error code of a failed handshake from the host channel's account
 * (DevTools' errorMessage and the response it saw), or `unknown` (1) without
 * one: a name of spec.json's errorCodes.
 */
function handshakeErrorCode(outcome) {
  if (!outcome) return 'unknown';
  const message = outcome.errorMessage || '';
  // error.7.cert: the browser's certificate verdicts.
  if (/net::ERR_CERT_|net::ERR_BAD_SSL_CLIENT_AUTH_CERT/.test(message)) return 'invalidCertificate';
  // error.9.protocol-unrequested
  if (/Sec-WebSocket-Protocol' header if not present in request/.test(message)) return 'protocolUnrequested';
  // error.8.handshake: Chromium's RFC 6455 checks of the response.
  if (/^Error during WebSocket handshake/.test(message)) return 'invalidHandshake';
  if (/net::ERR_INVALID_HTTP_RESPONSE|net::ERR_INVALID_RESPONSE/.test(message)) return 'invalidHandshake';
  if (outcome.response && outcome.response.status !== 101) return 'invalidHandshake';
  return 'unknown';
}

/** One socket's connection: a page's WebSocket, and what its events mean. */
class PageSocket extends core.Socket {
  constructor(context, task) {
    super(context, task);
    // The host channel's view of this socket (myHost.watch).
    this.watch = null;
    // A message over maxMessageBytes came: nothing more is delivered.
    this.tooLarge = false;
  }

  connect({ url, headers, protocols }) {
    const created = (err, ws, watched) => {
      // The browser refused the request itself (a port it blocks, a bad protocol list).
      if (err) this.refuse(`WebSocket refused the request: ${err && err.message}`);
      else this.attach(ws, watched);
    };
    if (host && typeof host.openWebSocket === 'function') {
      // The host sets the request headers on the handshake (and makes every socket, so that none other carries them).
      host.openWebSocket(url, protocols, headers, created);
      return;
    }
    const names = Object.keys(headers);
    if (names.length > 0) console.warn(`my.connectSocket: without a host a page cannot send the request headers ${names.join(', ')}; dropped`);
    let ws;
    try {
      ws = new WebSocket(url, protocols);
    } catch (err) {
      created(err, null, null);
      return;
    }
    created(null, ws, host && typeof host.watch === 'function' ? host.watch(ws) : null);
  }

  /** The socket's WebSocket exists (at once, or once the host has set its headers). */
  attach(ws, watched) {
    if (this.done) {
      // Closed or timed out while the host was setting its headers.
      try {
        ws.close();
      } catch {
        // already closing
      }
      return;
    }
    this.ws = ws;
    this.watch = watched;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => this.connectionOpened();
    ws.onmessage = (event) => this.onMessage(event.data);
    ws.onerror = () => this.onError();
    ws.onclose = (event) => this.connectionClosed(event.code, event.reason);
  }

  onMessage(data) {
    if (this.done || this.tooLarge) return;
    const binary = data instanceof ArrayBuffer;
    const length = binary ? data.byteLength : encoder.encode(data).length;
    if (length > this.context.config.maxMessageBytes) {
      this.closeTooLarge();
      return;
    }
    if (binary) this.deliverBinary(new Uint8Array(data));
    else this.deliverText(data);
  }

  /**
   * error.12.memory: a message over maxMessageBytes is not delivered, and
   * neither is anything behind it; onError 12 at once, then the close
   * handshake. A page cannot send close code 1009 (WebSocket.close allows
   * 1000 and 3000-4999 only), so the frame carries 1000, and onClose
   * reports the code of the close event, the server's answer (RFC 6455
   * 7.1.5; error.12.close = other-code), or 1006 when no answer comes
   * within closeTimeoutMs. The browser has already read the whole message
   * (it has no limit a page can set) [a browser's limit, documented].
   */
  closeTooLarge() {
    this.tooLarge = true;
    this.post('error', this.context.face.errorPayload('outOfMemory'));
    this.weClosed = true;
    try {
      this.ws.close(1000);
    } catch {
      // already closing
    }
    this.awaitCloseAnswer();
  }

  onError() {
    if (this.done) return;
    if (!this.opened) {
      // The browser says only "error": ask the host channel what happened.
      const watch = this.watch;
      const generation = this.generation;
      const ask = watch ? watch.handshake(HOST_GRACE_MS) : Promise.resolve(null);
      this.done = true; // nothing else from the browser counts from here
      clearTimeout(this.connectTimer);
      ask.then((outcome) => {
        if (this.generation !== generation) return;
        this.post('error', this.context.face.errorPayload(handshakeErrorCode(outcome)));
        this.post('close', { code: 1006, reason: '' });
      });
      return;
    }
    if (this.weClosed) return; // close.no-answer: the close event says it (1006 alone)
    // close.drop: the connection failed without a close frame.
    this.failWith('unknown');
  }

  transmit({ payload }, callbacks) {
    try {
      this.ws.send(payload);
      // send.text / send.binary: the browser has taken the message.
      this.context.settle(callbacks, 0);
    } catch {
      this.context.settle(callbacks, 'sendFailed');
    }
  }

  /** The close frame; no answer within closeTimeoutMs gives onClose 1006. */
  sendClose(closeCode, reason) {
    try {
      this.ws.close(closeCode, reason);
    } catch (err) {
      console.warn('WebSocket refused the close', err);
    }
    this.awaitCloseAnswer();
  }

  endConnection() {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    try {
      this.ws.close();
    } catch {
      // already closing
    }
  }
}

/** The browser transport of the core. */
const PAGE_TRANSPORT = Object.freeze({
  Socket: PageSocket,
  nextMacrotask,
  headerAllowed: (name, value) => TOKEN.test(name) && HEADER_VALUE.test(value),
  codec: WEB_CODEC,
});

const config = host ? host.config : {};
const hooks = { log: (text) => console.warn(text) };
// Every face spec/spec.json describes (`my`, `wx`, …), each under its first profile.
for (const face of Object.keys(FACES)) globalThis[face] = core.createApi(core.faceOf(face), config, PAGE_TRANSPORT, hooks);
globalThis.myImplementation = { name: 'my-browser', version: '0.1.0', unsupported: [] };
