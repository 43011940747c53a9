'use strict';
// The Node.js transport of the socket API's core (connectsocket-common/core):
// the `ws` package's client, TLS secure contexts, request headers as Node's
// HTTP client takes them, `maxPayload`, bytes as Node.js counts and encodes
// them, and what ws's errors mean. ./index.js makes the `my` and `wx`
// objects over it.

const crypto = require('node:crypto');
const http = require('node:http');
const tls = require('node:tls');
const WebSocket = require('ws');
const { Socket } = require('connectsocket-common/core');
const { pemCertificates } = require('connectsocket-common/certificates');

/** OpenSSL / Node codes of a server certificate that failed verification (error 7). */
const CERT_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

/** ws's messages for a handshake response that RFC 6455 4.1 makes the client fail (error 8). */
const HANDSHAKE_MESSAGES = [
  'Unexpected server response',
  'Invalid Upgrade header',
  'Invalid Sec-WebSocket-Accept header',
  'Server sent an invalid subprotocol',
  'Server sent no subprotocol',
  'Server sent a Sec-WebSocket-Extensions header',
  'Invalid Sec-WebSocket-Extensions header',
  'Server indicated an extension',
  'Maximum redirects exceeded',
];

/** error.9.protocol-unrequested: ws's message for it. */
const PROTOCOL_UNREQUESTED = 'Server sent a subprotocol but none was requested';

/** The error code of a failed handshake (behaviour.md, "Outcome of the handshake"). */
function handshakeErrorCode(err) {
  if (!err) return 'unknown';
  // error.7.cert
  if (err.code && CERT_ERRORS.has(err.code)) return 'invalidCertificate';
  const message = String(err.message || '');
  // error.9.protocol-unrequested
  if (message.startsWith(PROTOCOL_UNREQUESTED)) return 'protocolUnrequested';
  // error.8.handshake: ws's RFC 6455 checks, or a response HTTP cannot parse.
  if (HANDSHAKE_MESSAGES.some((m) => message.startsWith(m))) return 'invalidHandshake';
  if (typeof err.code === 'string' && err.code.startsWith('HPE_')) return 'invalidHandshake';
  // error.1.network: refused, reset, unknown host, other TLS failures.
  return 'unknown';
}

/** Whether Node's HTTP client can carry `name: value` as a request header. */
function headerAllowed(name, value) {
  try {
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/** Bytes as Node.js counts and encodes them (Buffer is a Uint8Array). */
const NODE_CODEC = Object.freeze({
  utf8Length: (text) => Buffer.byteLength(text, 'utf8'),
  encodeBase64: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  decodeBase64: (text) => Buffer.from(text, 'base64'),
});

/**
 * The secure contexts made so far, by the PEM text they trust (at most
 * SECURE_CONTEXTS_KEPT, the oldest dropped first). Making one parses Node's
 * ~140 root certificates: tens of ms of CPU in which the process answers
 * nothing, and an adapter holding many instances makes a Context at every
 * `reset`. A SecureContext is read-only once made (verification settings
 * only; Node keeps no client sessions in it), so Contexts with the same CAs
 * share one.
 */
const secureContexts = new Map();
const SECURE_CONTEXTS_KEPT = 8;

/**
 * Node's roots plus the configured CAs (never instead of them), always
 * verifying. Throws when `caPem` holds no certificate or one that does not parse.
 */
function secureContext(caPem) {
  if (!caPem) return undefined;
  if (typeof caPem !== 'string') throw new TypeError('caCertificatesPem must be a string');
  const kept = secureContexts.get(caPem);
  if (kept) return kept;
  const blocks = pemCertificates(caPem);
  for (const block of blocks) {
    try {
      new crypto.X509Certificate(block); // eslint-disable-line no-new
    } catch (err) {
      throw new Error(`caCertificatesPem holds a certificate that does not parse: ${err.message}`);
    }
  }
  const made = tls.createSecureContext({ ca: [...tls.rootCertificates, ...blocks] });
  if (secureContexts.size >= SECURE_CONTEXTS_KEPT) secureContexts.delete(secureContexts.keys().next().value);
  secureContexts.set(caPem, made);
  return made;
}

/** A peer's close reason (ws gives a Buffer) as text. */
function reasonText(reason) {
  return Buffer.isBuffer(reason) ? reason.toString('utf8') : String(reason || '');
}

/** One socket's connection: the ws client, and what its events mean. */
class WsSocket extends Socket {
  connect({ url, headers, protocols }) {
    const config = this.context.config;
    let ws;
    try {
      ws = new WebSocket(url, protocols, {
        headers,
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload: config.maxMessageBytes,
        closeTimeout: config.closeTimeoutMs,
        secureContext: this.context.secureContext,
        rejectUnauthorized: true,
      });
    } catch (err) {
      this.refuse(`ws refused the request: ${err && err.message}`);
      return;
    }
    this.ws = ws;
    this.context.connections.add(this);
    ws.binaryType = 'nodebuffer';
    ws.on('upgrade', (res) => this.onUpgrade(res));
    ws.on('open', () => this.onOpen());
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (err) => this.onError(err));
    ws.on('close', (code, reason) => this.onClose(code, reason));
  }

  /** RFC 6455 4.1 checks ws leaves out: the HTTP version, `Connection: upgrade`. */
  onUpgrade(res) {
    if (this.done) return;
    // RFC 6455 4.1 asks for an HTTP/1.1 (or later) response, as tungstenite does.
    if (res.httpVersionMajor < 1 || (res.httpVersionMajor === 1 && res.httpVersionMinor < 1)) {
      this.context.log(`handshake: HTTP/${res.httpVersion} response`);
      this.failWith('invalidHandshake');
      this.terminate();
      return;
    }
    const connection = String(res.headers.connection || '');
    const tokens = connection.split(',').map((t) => t.trim().toLowerCase());
    if (!tokens.includes('upgrade')) {
      this.context.log('handshake: Connection header without "upgrade"');
      this.failWith('invalidHandshake');
      this.terminate();
    }
  }

  onOpen() {
    if (this.done) return;
    // The peer's close frame, as soon as it arrives: ws's own listener runs
    // first and answers it; ws's 'close' event would wait for the TCP
    // connection to end. `_receiver` is ws's internal parser (stable across
    // ws 8); without it, the 'close' event reports the same payload later.
    const receiver = this.ws && this.ws._receiver;
    if (receiver && typeof receiver.on === 'function') {
      receiver.on('conclude', (code, reason) => this.onCloseFrame(code, reason));
    }
    this.connectionOpened();
  }

  onMessage(data, isBinary) {
    if (this.done) return;
    const buffer = Buffer.isBuffer(data) ? data : Buffer.concat([].concat(data).map((d) => Buffer.from(d)));
    // receive.text / receive.binary / receive.fragmented (ws delivers messages whole).
    if (isBinary) this.deliverBinary(buffer);
    else this.deliverText(buffer.toString('utf8'));
  }

  onError(err) {
    if (this.done) return;
    if (!this.opened) {
      const code = handshakeErrorCode(err);
      this.context.log(`handshake failed (error ${code}): ${err && (err.code || '')} ${err && err.message}`);
      this.failWith(code);
      this.terminate();
      return;
    }
    if (err && err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // error.12.memory: not delivered; ws sends a close frame with 1009.
      this.finish([['error', this.context.face.errorPayload('outOfMemory')], ['close', { code: 1009, reason: '' }]]);
      this.linger();
      return;
    }
    // The peer broke the protocol: as a dropped connection (close.drop).
    this.context.log(`connection error: ${err && (err.code || '')} ${err && err.message}`);
    this.failWith('unknown');
    this.terminate();
  }

  onClose(code, reason) {
    clearTimeout(this.closeTimer);
    this.ws = null;
    this.context.connections.delete(this);
    this.connectionClosed(code, reasonText(reason));
  }

  /** close.open / close.server: the peer's close frame (1005 when it has no code). */
  onCloseFrame(code, reason) {
    if (this.done) return;
    this.closeWith(code, Buffer.isBuffer(reason) ? reason.toString('utf8') : '');
    this.linger();
  }

  transmit({ payload, binary }, callbacks) {
    const generation = this.generation;
    try {
      this.ws.send(payload, { binary }, (err) => {
        // Dropped only after a reset; a send settles even when the close event came first.
        if (this.generation !== generation) return;
        // send.text / send.binary: success once written; a refused write fails with 11.
        this.context.settle(callbacks, err ? 'sendFailed' : 0);
      });
    } catch (err) {
      this.context.settle(callbacks, 'sendFailed');
    }
  }

  /** ws answers the peer's close frame, or gives 1006 after its closeTimeout. */
  sendClose(closeCode, reason) {
    try {
      this.ws.close(closeCode, reason);
    } catch (err) {
      this.context.log(`ws refused the close: ${err && err.message}`);
    }
  }

  /** Leaves ws to finish its closing handshake, but never past closeTimeoutMs. */
  linger() {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.terminate(), this.context.config.closeTimeoutMs);
  }

  endConnection() {
    try {
      this.ws.terminate();
    } catch {
      // already ended
    }
  }
}

/** The Node.js transport of the core: the `ws` client. */
const WS_TRANSPORT = Object.freeze({
  Socket: WsSocket,
  nextMacrotask: setImmediate,
  headerAllowed,
  codec: NODE_CODEC,
  prepare(context) {
    context.secureContext = secureContext(context.config.caCertificatesPem);
  },
});

module.exports = {
  WS_TRANSPORT,
  NODE_CODEC,
  // exported for unit tests
  _internal: { handshakeErrorCode, secureContext },
};
