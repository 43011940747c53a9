'use strict';
// The Alipay mini-program `my` socket API (my.connectSocket, SocketTask and
// the my.*Socket* family) for Node.js 20, on the `ws` package.
//
// It behaves as the project's behaviour specification says; comments name
// its rule ids (`connect.url.empty`, `close.drop`, ...). Everything the API
// reports (success / fail / complete, listener events) goes through one
// ordered event queue and is never run inside the call that caused it
// (`order.async`).
//
// The same machinery serves WeChat's `wx` face (./wx.js): a face (MY_FACE
// here) decides every point where the two differ: payload forms, whether
// a connect always returns a task, which arguments exist.

const crypto = require('node:crypto');
const http = require('node:http');
const tls = require('node:tls');
const WebSocket = require('ws');

/** The seed's description of each error code (`errorMessage`). */
const MESSAGES = Object.freeze({
  1: '未知错误。',
  2: '网络连接已经存在。',
  3: 'URL 参数为空。',
  4: '无法识别的 URL 格式。',
  5: 'URL 必须以 ws 或者 wss 开头。',
  6: '连接服务器超时。',
  7: '服务器返回的 https 证书无效。',
  8: '服务端返回协议头无效。',
  9: 'WebSocket 请求没有指定 Sec-WebSocket-Protocol 请求头。',
  10: '网络连接没有打开，无法发送消息。',
  11: '消息发送失败。',
  12: '无法申请更多内存来读取网络数据。',
});

/** The `{error, errorMessage}` payload of `fail` and `onError`. */
function errorPayload(code) {
  return { error: code, errorMessage: MESSAGES[code] };
}

/**
 * The `my` face: what the Context asks wherever `my` and `wx` differ.
 * Codes are the `my` codes throughout; a face turns them into payloads.
 */
const MY_FACE = Object.freeze({
  /** The name of the global object (the adapter protocol's target). */
  name: 'my',
  /** `success` / `fail` payload of `method` (a global name); `code` 0 is success. */
  callbackPayload: (method, code) => (code ? errorPayload(code) : {}),
  /** The payload of an error event. */
  errorPayload,
  /** receive.text */
  textMessage: (text) => ({ data: text, isBuffer: false }),
  /** receive.binary: base64 with isBuffer. */
  binaryMessage: (buffer) => ({ data: buffer.toString('base64'), isBuffer: true }),
  /** connect.return: a task only with `multiple`. */
  alwaysTask: false,
  /** The wx.* calls and listeners follow the newest task (wx only). */
  globalFollowsNewest: false,
  /** send.binary: base64 data with `isBuffer`. */
  honoursIsBuffer: true,
  /** connect.data */
  honoursData: true,
  /** The `timeout` argument (not in the seed). */
  honoursTimeout: false,
  /** connect.url.format: the code of a `url` that is not a string. */
  wrongTypeCode: 4,
});

/** The defaults of the adapter protocol's Config. */
const DEFAULT_CONFIG = Object.freeze({
  caCertificatesPem: '',
  connectTimeoutMs: 30000,
  closeTimeoutMs: 5000,
  maxMessageBytes: 16 * 1024 * 1024,
  maxTasks: 5,
  wssOnly: false,
  // connect.domain: the host names a URL may name; null: no list.
  allowedHosts: null,
});

const CONNECTING = 'CONNECTING';
const OPEN = 'OPEN';
const CLOSING = 'CLOSING';
const CLOSED = 'CLOSED';

const TYPES = ['open', 'message', 'error', 'close'];

/** The handshake's own headers, which `header` cannot override [impl-defined: ignored]. */
const HANDSHAKE_HEADERS = new Set([
  'host',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
]);

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

/** An RFC 7230 token: what a subprotocol name must be (ws refuses anything else). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The error code of a failed handshake (behaviour.md, "Outcome of the handshake"). */
function handshakeErrorCode(err) {
  if (!err) return 1;
  // error.7.cert
  if (err.code && CERT_ERRORS.has(err.code)) return 7;
  const message = String(err.message || '');
  // error.9.protocol-unrequested
  if (message.startsWith(PROTOCOL_UNREQUESTED)) return 9;
  // error.8.handshake: ws's RFC 6455 checks, or a response HTTP cannot parse.
  if (HANDSHAKE_MESSAGES.some((m) => message.startsWith(m))) return 8;
  if (typeof err.code === 'string' && err.code.startsWith('HPE_')) return 8;
  // error.1.network: refused, reset, unknown host, other TLS failures.
  return 1;
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value);
}

/** encodeURIComponent, with lone surrogates replaced rather than thrown on. */
function encodeComponent(text) {
  return encodeURIComponent(text.toWellFormed());
}

/** A query-string or header value: strings as they are, everything else in its JSON form. */
function stringValue(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}

/** Strict (canonical, padded) standard base64, as RFC 4648 section 4. */
function decodeBase64Strict(text) {
  if (typeof text !== 'string' || text.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // A non-canonical encoding (bits left over, misplaced padding) does not survive the round trip.
  if (bytes.toString('base64') !== text) return null;
  return bytes;
}

/**
 * Checks of `connectSocket` that need no state, in behaviour.md's order
 * (3, 4, 5, 8); returns `{code}` or `{url, headers, protocols}`.
 */
function checkConnect(options, config, face = MY_FACE) {
  const raw = options.url;
  // connect.url.empty: absent or null.
  if (raw === undefined || raw === null) return { code: 3 };
  // connect.url.format: not a string (wx: a parameter error).
  if (typeof raw !== 'string') return { code: face.wrongTypeCode };
  const text = raw.trim();
  // connect.url.empty: empty after trimming white space.
  if (text === '') return { code: 3 };
  let url;
  try {
    url = new URL(text);
  } catch {
    // connect.url.format: not an absolute URL.
    return { code: 4 };
  }
  // connect.url.format: no host.
  if (!url.hostname) return { code: 4 };
  // connect.url.scheme (URL lower-cases the scheme).
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return { code: 5 };
  // connect.wss-only [impl-defined: code 8].
  if (config.wssOnly && url.protocol !== 'wss:') return { code: 8 };
  // connect.domain [impl-defined: option fail-1]: a host off the allowed
  // list fails the call before any traffic.
  if (Array.isArray(config.allowedHosts) && !config.allowedHosts.includes(url.hostname)) {
    return { code: 1 };
  }
  // The `timeout` argument (wx): a number of ms replaces connectTimeoutMs.
  let timeoutMs = config.connectTimeoutMs;
  if (face.honoursTimeout && options.timeout !== undefined && options.timeout !== null) {
    const t = options.timeout;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return { code: face.wrongTypeCode };
    if (t > 0) timeoutMs = t;
  }
  url.hash = '';
  if (face.honoursData) appendQuery(url, options.data);
  const { headers, protocols } = requestHeaders(options.header, options.protocols);
  return { url: url.href, headers, protocols, timeoutMs };
}

/**
 * connect.data: the object's entries, in order, percent-encoded, after `?`
 * (or `&` when the URL has a query). A `data` that is not an object adds
 * nothing [impl-defined].
 */
function appendQuery(url, data) {
  if (!isPlainObject(data)) return;
  const pairs = Object.keys(data).map(
    (key) => `${encodeComponent(key)}=${encodeComponent(stringValue(data[key]))}`,
  );
  if (pairs.length === 0) return;
  const query = url.search.length > 1 ? `${url.search.slice(1)}&${pairs.join('&')}` : pairs.join('&');
  url.search = query;
}

/** Splits a `Sec-WebSocket-Protocol` value into distinct tokens. */
function splitProtocols(list) {
  const out = [];
  for (const item of list) {
    const name = String(item).trim();
    // Not a token, or twice: ws would refuse the whole request [impl-defined: dropped].
    if (name && TOKEN.test(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * connect.header: each entry a request header, its value a string; the
 * handshake's own headers and names or values HTTP cannot carry are skipped
 * [impl-defined]. Subprotocols come from `protocols` (an array, or one
 * string) when it offers any, else from `header['Sec-WebSocket-Protocol']`.
 */
function requestHeaders(header, protocolsArg) {
  const headers = {};
  let fromHeader = [];
  if (isPlainObject(header)) {
    for (const name of Object.keys(header)) {
      const lower = name.toLowerCase();
      if (HANDSHAKE_HEADERS.has(lower)) continue;
      const value = stringValue(header[name]);
      if (lower === 'sec-websocket-protocol') {
        fromHeader = splitProtocols(value.split(','));
        continue;
      }
      try {
        http.validateHeaderName(name);
        http.validateHeaderValue(name, value);
      } catch {
        continue;
      }
      headers[name] = value;
    }
  }
  let offered = [];
  if (Array.isArray(protocolsArg)) {
    offered = splitProtocols(protocolsArg.filter((p) => typeof p === 'string'));
  } else if (typeof protocolsArg === 'string') {
    offered = splitProtocols(protocolsArg.split(','));
  }
  return { headers, protocols: offered.length > 0 ? offered : fromHeader };
}

/** send.invalid / send.too-large: `{code}` or `{payload, binary}`. */
function checkMessage(options, maxMessageBytes, face = MY_FACE) {
  const data = options.data;
  let payload;
  let binary;
  if (typeof data === 'string') {
    if (options.isBuffer && face.honoursIsBuffer) {
      payload = decodeBase64Strict(data);
      if (payload === null) return { code: 11 };
      binary = true;
    } else {
      payload = data;
      binary = false;
    }
  } else if (data instanceof ArrayBuffer) {
    payload = Buffer.from(data);
    binary = true;
  } else {
    return { code: 11 };
  }
  const length = binary ? payload.length : Buffer.byteLength(payload, 'utf8');
  if (length > maxMessageBytes) return { code: 11 };
  return { payload, binary };
}

/** close.invalid-code: `{code}` (error) or `{closeCode, reason}`. */
function checkClose(options) {
  let closeCode = 1000;
  const code = options.code;
  if (code !== undefined && code !== null) {
    if (typeof code !== 'number' || !Number.isInteger(code) ||
        !(code === 1000 || (code >= 3000 && code <= 4999))) {
      return { code: 1 };
    }
    closeCode = code;
  }
  let reason = '';
  if (options.reason !== undefined && options.reason !== null) {
    if (typeof options.reason !== 'string' || Buffer.byteLength(options.reason, 'utf8') > 123) {
      return { code: 1 };
    }
    reason = options.reason;
  }
  return { closeCode, reason };
}

function normaliseConfig(config) {
  const merged = { ...DEFAULT_CONFIG };
  if (isPlainObject(config)) {
    for (const key of Object.keys(DEFAULT_CONFIG)) {
      if (config[key] !== undefined && config[key] !== null) merged[key] = config[key];
    }
  }
  return merged;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

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
  const blocks = caPem.match(PEM_CERTIFICATE) || [];
  if (blocks.length === 0) throw new Error('caCertificatesPem holds no PEM certificate');
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

/**
 * The callbacks of an options object, kept only when they are functions,
 * with the global name of the method they belong to (for `wx`'s errMsg).
 */
function callbacksOf(options, method) {
  if (options === null || typeof options !== 'object') return null;
  const pick = (name) => (typeof options[name] === 'function' ? options[name] : null);
  return { success: pick('success'), fail: pick('fail'), complete: pick('complete'), method };
}

/**
 * One JavaScript context's socket API: the global socket, up to `maxTasks`
 * SocketTasks, their listeners and one ordered event queue.
 */
class Context {
  constructor(config, face = MY_FACE) {
    this.face = face;
    // connect.return: the SocketTask a connect makes (./wx.js makes its own).
    this.makeTask = () => new SocketTask(this);
    this.config = normaliseConfig(config);
    this.secureContext = secureContext(this.config.caCertificatesPem);
    this.queue = [];
    this.scheduled = false;
    this.destroyed = false;
    this.sockets = new Set();
    // Sockets whose ws has not closed yet (a CLOSED socket may still be finishing).
    this.transports = new Set();
    this.global = null;
    this.globalListeners = newListenerLists();
  }

  log(text) {
    if (this.logger) this.logger(text);
  }

  // --- the event queue -------------------------------------------------

  enqueue(occurrence) {
    if (this.destroyed) return;
    this.queue.push(occurrence);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** One occurrence per macrotask, as a host's event loop would. */
  drain() {
    this.scheduled = false;
    if (this.destroyed) return;
    const occurrence = this.queue.shift();
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
    if (occurrence) this.dispatch(occurrence);
  }

  invoke(fn, res) {
    try {
      fn(res);
    } catch (err) {
      // An exception in application code does not stop the queue.
      this.log(`uncaught exception in a callback: ${err && err.stack ? err.stack : err}`);
    }
  }

  /** `success` or `fail`, then `complete` with the same object (order.async). */
  settle(callbacks, code) {
    if (!callbacks) return;
    const res = this.face.callbackPayload(callbacks.method, code);
    const first = code ? callbacks.fail : callbacks.success;
    if (first) this.enqueue({ kind: 'callback', fn: first, res: { ...res } });
    if (callbacks.complete) this.enqueue({ kind: 'callback', fn: callbacks.complete, res: { ...res } });
  }

  dispatch(occurrence) {
    if (occurrence.kind === 'callback') {
      this.invoke(occurrence.fn, occurrence.res);
      return;
    }
    const { socket, generation, type, res } = occurrence;
    // Nothing after onClose; nothing from an abandoned handshake; nothing after a reset.
    if (!this.sockets.has(socket) || socket.generation !== generation || socket.state === CLOSED) return;
    if (type === 'open') {
      if (socket.state !== CONNECTING) return;
      socket.state = OPEN;
    } else if (type === 'close') {
      // A CLOSED socket frees its place (task.limit).
      socket.state = CLOSED;
      this.sockets.delete(socket);
    }
    // listeners.during-dispatch: the list as it is now; changes count from the next event.
    const lists = socket.task ? socket.task[kListeners] : this.globalListeners;
    const fns = lists[type].slice();
    // wx: the wx.onSocket* listeners hear the newest task too.
    if (socket.task && this.face.globalFollowsNewest && socket === this.global) {
      fns.push(...this.globalListeners[type]);
    }
    for (const fn of fns) this.invoke(fn, { ...res });
  }

  // --- sockets -----------------------------------------------------------

  liveSockets() {
    let n = 0;
    for (const s of this.sockets) if (s.state !== CLOSED) n += 1;
    return n;
  }

  connectSocket(options) {
    const callbacks = callbacksOf(options, 'connectSocket');
    const opts = options !== null && typeof options === 'object' ? options : {};
    // connect.return: a task with `multiple` (wx: always).
    const multiple = this.face.alwaysTask || Boolean(opts.multiple);
    let checked = checkConnect(opts, this.config, this.face);
    if (!checked.code) {
      // connect.single.exists
      if (!multiple && this.global && this.global.state !== CLOSED) checked = { code: 2 };
      // connect.multiple.limit: the global socket counts too [impl-defined: code 1].
      else if (this.liveSockets() >= this.config.maxTasks) checked = { code: 1 };
    }
    const task = multiple ? this.makeTask() : undefined;
    if (checked.code) {
      // connect.return: a task that failed validation is CLOSED.
      this.settle(callbacks, checked.code);
      return task;
    }
    const socket = new Socket(this, task);
    if (task) task[kSocket] = socket;
    if (!task || this.face.globalFollowsNewest) this.global = socket;
    this.sockets.add(socket);
    // connect.success: success and complete come before any outcome of the handshake.
    this.settle(callbacks, 0);
    socket.start(checked);
    return task;
  }

  send(socket, options) {
    const callbacks = callbacksOf(options, 'sendSocketMessage');
    const opts = options !== null && typeof options === 'object' ? options : {};
    // send.not-open
    if (!socket || socket.state !== OPEN) {
      this.settle(callbacks, 10);
      return;
    }
    // send.invalid / send.too-large
    const checked = checkMessage(opts, this.config.maxMessageBytes, this.face);
    if (checked.code) {
      this.settle(callbacks, checked.code);
      return;
    }
    socket.write(checked, callbacks);
  }

  close(socket, options) {
    const callbacks = callbacksOf(options, 'closeSocket');
    const opts = options !== null && typeof options === 'object' ? options : {};
    // close.not-open: never existed, CLOSING or CLOSED [impl-defined: code 10].
    if (!socket || socket.state === CLOSING || socket.state === CLOSED) {
      this.settle(callbacks, 10);
      return;
    }
    // close.invalid-code: nothing on the wire [impl-defined: code 1].
    const checked = checkClose(opts);
    if (checked.code) {
      this.settle(callbacks, checked.code);
      return;
    }
    socket.close(checked, callbacks);
  }

  /** Ends every socket at once without events and forgets everything (adapter `reset`). */
  destroy() {
    this.destroyed = true;
    this.queue.length = 0;
    for (const socket of [...this.sockets, ...this.transports]) socket.abandon();
    this.sockets.clear();
    this.transports.clear();
    this.global = null;
    this.globalListeners = newListenerLists();
  }
}

function newListenerLists() {
  return { open: [], message: [], error: [], close: [] };
}

/** listeners.order / listeners.twice: appended, duplicates kept. */
function addListener(lists, type, fn) {
  if (typeof fn === 'function') lists[type].push(fn);
}

/** listeners.off-one (every occurrence) / listeners.off-all (no function). */
function removeListener(lists, type, fn) {
  if (typeof fn === 'function') lists[type] = lists[type].filter((f) => f !== fn);
  else lists[type] = [];
}

/** The I/O of one socket: the ws client, its timers, and what it posts to the queue. */
class Socket {
  constructor(context, task) {
    this.context = context;
    this.task = task;
    this.state = CONNECTING;
    // Bumped when the I/O is abandoned: occurrences posted before are dropped.
    this.generation = 0;
    // The I/O has posted its last event (its close event is queued).
    this.done = false;
    this.ws = null;
    this.connectTimer = null;
    this.lingerTimer = null;
    this.weClosed = false;
  }

  post(type, res) {
    this.context.enqueue({ kind: 'socket', socket: this, generation: this.generation, type, res });
  }

  /** The I/O's last word: its final events; it reports nothing more. */
  finish(events) {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.connectTimer);
    for (const [type, res] of events) this.post(type, res);
  }

  start({ url, headers, protocols, timeoutMs }) {
    const config = this.context.config;
    // error.6.timeout: our own deadline over TCP + TLS + the upgrade.
    this.connectTimer = setTimeout(() => {
      this.finish([['error', this.context.face.errorPayload(6)], ['close', { code: 1006, reason: '' }]]);
      this.terminate();
    }, timeoutMs);
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
      this.context.log(`ws refused the request: ${err && err.message}`);
      setImmediate(() => this.finish([['error', this.context.face.errorPayload(1)], ['close', { code: 1006, reason: '' }]]));
      clearTimeout(this.connectTimer);
      return;
    }
    this.ws = ws;
    this.context.transports.add(this);
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
      this.finish([['error', this.context.face.errorPayload(8)], ['close', { code: 1006, reason: '' }]]);
      this.terminate();
      return;
    }
    const connection = String(res.headers.connection || '');
    const tokens = connection.split(',').map((t) => t.trim().toLowerCase());
    if (!tokens.includes('upgrade')) {
      this.context.log('handshake: Connection header without "upgrade"');
      this.finish([['error', this.context.face.errorPayload(8)], ['close', { code: 1006, reason: '' }]]);
      this.terminate();
    }
  }

  onOpen() {
    if (this.done) return;
    clearTimeout(this.connectTimer);
    this.opened = true;
    // The peer's close frame, as soon as it arrives: ws's own listener runs
    // first and answers it; ws's 'close' event would wait for the TCP
    // connection to end. `_receiver` is ws's internal parser (stable across
    // ws 8); without it, the 'close' event reports the same payload later.
    const receiver = this.ws && this.ws._receiver;
    if (receiver && typeof receiver.on === 'function') {
      receiver.on('conclude', (code, reason) => this.onCloseFrame(code, reason));
    }
    // connect.open
    this.post('open', {});
  }

  onMessage(data, isBinary) {
    if (this.done) return;
    const buffer = Buffer.isBuffer(data) ? data : Buffer.concat([].concat(data).map((d) => Buffer.from(d)));
    // receive.text / receive.binary / receive.fragmented (ws delivers messages whole).
    const face = this.context.face;
    if (isBinary) this.post('message', face.binaryMessage(buffer));
    else this.post('message', face.textMessage(buffer.toString('utf8')));
  }

  onError(err) {
    if (this.done) return;
    if (!this.opened) {
      const code = handshakeErrorCode(err);
      this.context.log(`handshake failed (error ${code}): ${err && (err.code || '')} ${err && err.message}`);
      this.finish([['error', this.context.face.errorPayload(code)], ['close', { code: 1006, reason: '' }]]);
      this.terminate();
      return;
    }
    if (err && err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // error.12.memory: not delivered; ws sends a close frame with 1009.
      this.finish([['error', this.context.face.errorPayload(12)], ['close', { code: 1009, reason: '' }]]);
      this.linger();
      return;
    }
    // The peer broke the protocol: as a dropped connection (close.drop).
    this.context.log(`connection error: ${err && (err.code || '')} ${err && err.message}`);
    this.finish([['error', this.context.face.errorPayload(1)], ['close', { code: 1006, reason: '' }]]);
    this.terminate();
  }

  onClose(code, reason) {
    clearTimeout(this.lingerTimer);
    this.ws = null;
    this.context.transports.delete(this);
    if (this.done) return;
    if (!this.opened) {
      // The handshake ended without an error event: a network failure.
      this.finish([['error', this.context.face.errorPayload(1)], ['close', { code: 1006, reason: '' }]]);
      return;
    }
    if (code === 1006) {
      // close.no-answer (we closed, no close frame came back): 1006 alone;
      // close.drop (the connection ended without a close frame): error 1 first.
      if (this.weClosed) this.finish([['close', { code: 1006, reason: '' }]]);
      else this.finish([['error', this.context.face.errorPayload(1)], ['close', { code: 1006, reason: '' }]]);
      return;
    }
    // close.open / close.server: what the peer sent (1005 when its frame had no code).
    this.finish([['close', { code, reason: Buffer.isBuffer(reason) ? reason.toString('utf8') : String(reason || '') }]]);
  }

  /** close.open / close.server: the peer's close frame (1005 when it has no code). */
  onCloseFrame(code, reason) {
    if (this.done) return;
    this.finish([['close', { code, reason: Buffer.isBuffer(reason) ? reason.toString('utf8') : '' }]]);
    this.linger();
  }

  write({ payload, binary }, callbacks) {
    const ws = this.ws;
    if (this.done || !ws || ws.readyState !== WebSocket.OPEN) {
      // The transport is gone although the close event is still queued.
      this.context.settle(callbacks, 11);
      return;
    }
    const generation = this.generation;
    try {
      ws.send(payload, { binary }, (err) => {
        // Dropped only after a reset; a send settles even when the close event came first.
        if (this.generation !== generation) return;
        // send.text / send.binary: success once written; a refused write fails with 11.
        this.context.settle(callbacks, err ? 11 : 0);
      });
    } catch (err) {
      this.context.settle(callbacks, 11);
    }
  }

  close({ closeCode, reason }, callbacks) {
    if (this.state === CONNECTING) {
      // close.connecting: abandon the handshake; onClose 1006; no onOpen.
      this.state = CLOSING;
      this.generation += 1;
      this.done = true;
      clearTimeout(this.connectTimer);
      this.terminate();
      this.context.settle(callbacks, 0);
      this.context.enqueue({
        kind: 'socket', socket: this, generation: this.generation, type: 'close', res: { code: 1006, reason: '' },
      });
      return;
    }
    // close.open: the frame carries code and reason; onClose with the answer.
    this.state = CLOSING;
    if (!this.done && this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.weClosed = true;
      try {
        this.ws.close(closeCode, reason);
      } catch (err) {
        this.context.log(`ws refused the close: ${err && err.message}`);
      }
    }
    this.context.settle(callbacks, 0);
  }

  /** Leaves ws to finish its closing handshake, but never past closeTimeoutMs. */
  linger() {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => this.terminate(), this.context.config.closeTimeoutMs);
  }

  terminate() {
    clearTimeout(this.connectTimer);
    clearTimeout(this.lingerTimer);
    const ws = this.ws;
    if (ws) {
      try {
        ws.terminate();
      } catch {
        // already ended
      }
    }
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

const kSocket = Symbol('socket');
const kContext = Symbol('context');
const kListeners = Symbol('listeners');

/** What every SocketTask has (`wx`'s has nothing more): send, close, on*. */
class SocketTaskBase {
  constructor(context) {
    this[kContext] = context;
    // Stays null for a task that failed validation: it is CLOSED.
    this[kSocket] = null;
    this[kListeners] = newListenerLists();
  }

  send(options) {
    this[kContext].send(this[kSocket], options);
  }

  close(options) {
    this[kContext].close(this[kSocket], options);
  }

  onOpen(fn) { addListener(this[kListeners], 'open', fn); }
  onMessage(fn) { addListener(this[kListeners], 'message', fn); }
  onError(fn) { addListener(this[kListeners], 'error', fn); }
  onClose(fn) { addListener(this[kListeners], 'close', fn); }
}

/** A SocketTask, returned by `connectSocket({multiple: true, ...})`: with off*. */
class SocketTask extends SocketTaskBase {
  offOpen(fn) { removeListener(this[kListeners], 'open', fn); }
  offMessage(fn) { removeListener(this[kListeners], 'message', fn); }
  offError(fn) { removeListener(this[kListeners], 'error', fn); }
  offClose(fn) { removeListener(this[kListeners], 'close', fn); }
}

/** A Context for `face`, logging through `hooks.log`. */
function createContext(config, hooks, face) {
  const context = new Context(config, face);
  context.logger = hooks && typeof hooks.log === 'function' ? hooks.log : null;
  return context;
}

/** Ties `object` (a `my` or `wx`) to its context, for destroyMy. */
function attachContext(object, context) {
  Object.defineProperty(object, kContext, { value: context });
  return object;
}

/**
 * Makes a `my` object with the socket API.
 *
 * @param {object} [config] the adapter protocol's Config (absent keys take defaults)
 * @param {object} [hooks] `{ log(text) }` for diagnostics
 */
function createMy(config, hooks = {}) {
  const context = createContext(config, hooks, MY_FACE);
  const lists = () => context.globalListeners;
  const my = {
    connectSocket: (options) => context.connectSocket(options),
    sendSocketMessage: (options) => context.send(context.global, options),
    closeSocket: (options) => context.close(context.global, options),
    onSocketOpen: (fn) => addListener(lists(), 'open', fn),
    onSocketMessage: (fn) => addListener(lists(), 'message', fn),
    onSocketError: (fn) => addListener(lists(), 'error', fn),
    onSocketClose: (fn) => addListener(lists(), 'close', fn),
    offSocketOpen: (fn) => removeListener(lists(), 'open', fn),
    offSocketMessage: (fn) => removeListener(lists(), 'message', fn),
    offSocketError: (fn) => removeListener(lists(), 'error', fn),
    offSocketClose: (fn) => removeListener(lists(), 'close', fn),
  };
  return attachContext(my, context);
}

/** Ends every socket of `my` at once, without events; `my` must not be used after. */
function destroyMy(my) {
  const context = my && my[kContext];
  if (context) context.destroy();
}

module.exports = {
  createMy,
  destroyMy,
  SocketTask,
  SocketTaskBase,
  MESSAGES,
  DEFAULT_CONFIG,
  TYPES,
  // exported for unit tests
  _internal: { checkConnect, checkMessage, checkClose, decodeBase64Strict, handshakeErrorCode, secureContext },
  // for ./wx.js: the machinery with another face
  MY_FACE,
  createContext,
  attachContext,
  addListener,
};
