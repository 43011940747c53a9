// The transport-independent core of the Alipay mini-program socket API
// (my.connectSocket, SocketTask, the my.*Socket* family) and of WeChat's
// `wx` face: argument checks, error codes and messages, config defaults,
// listener lists, the ordered event queue, the socket state machine, the
// task classes and the faces. One source for two transports:
//
// - Node.js (./my.js, ./wx.js) on the `ws` package, which requires this
//   file as a CommonJS module;
// - a browser page (../../browser/impl/my-browser.js) on the browser's own
//   WebSocket: the browser adapter evaluates this file as a classic script
//   before the bundle, and it defines `globalThis.mySocketCore`.
//
// It uses nothing either platform lacks (URL, timers, Promise). Everything
// that depends on the connection comes in as a *transport* (see
// `createMy`): a Socket subclass that drives the connection, the macrotask
// scheduler, header validation and the byte codec.
//
// It behaves as the project's behaviour specification says; comments name
// its rule ids (`connect.url.empty`, `close.drop`, ...). Everything the API
// reports (success / fail / complete, listener events) goes through one
// ordered event queue and is never run inside the call that caused it
// (`order.async`).
(function defineCore(root, factory) {
  if (typeof module === 'object' && module && module.exports) module.exports = factory();
  else root.mySocketCore = factory();
}(globalThis, function makeCore() {
  'use strict';

  // --- error codes and payloads --------------------------------------------

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

  /** The `{error, errorMessage}` payload of `fail` and `onError` (`my`). */
  function errorPayload(code) {
    return { error: code, errorMessage: MESSAGES[code] };
  }

  /** `wx`: the reason after "<method>:fail " and in an error event, by `my` code (informational). */
  const REASONS = Object.freeze({
    1: 'unknown error',
    // Under wx, 2 is only an argument of the wrong type (every connect is a
    // task, so no single connection can exist), as in Alipay's 2022-11 table.
    2: 'parameter error',
    3: 'url is empty',
    4: 'invalid url',
    5: 'url must start with ws or wss',
    6: 'timeout',
    7: 'invalid server certificate',
    8: 'invalid handshake response',
    9: 'the server selected a subprotocol not requested',
    10: 'WebSocket is not connected',
    11: 'send failed',
    12: 'message too large',
  });

  function reason(code) {
    return REASONS[code] || 'unknown error';
  }

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

  /** readyState OPEN of both the `ws` package's WebSocket and the browser's. */
  const READY_STATE_OPEN = 1;

  /** onClose of a connection that ended without a close frame. */
  const ABNORMAL_CLOSE = Object.freeze({ code: 1006, reason: '' });

  // --- argument checks (no state) --------------------------------------------

  /** The handshake's own headers, which `header` cannot override [impl-defined: ignored]. */
  const HANDSHAKE_HEADERS = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version']);

  /** An RFC 7230 token: what a subprotocol name must be (ws and browsers refuse anything else). */
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

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

  /** Strict (canonical, padded) standard base64, as RFC 4648 section 4: bytes or null. */
  function decodeBase64Strict(text, codec) {
    if (typeof text !== 'string' || text.length % 4 !== 0) return null;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    let bytes;
    try {
      bytes = codec.decodeBase64(text);
    } catch {
      return null;
    }
    // A non-canonical encoding (bits left over, misplaced padding) does not survive the round trip.
    if (codec.encodeBase64(bytes) !== text) return null;
    return bytes;
  }

  /**
   * Checks of `connectSocket` that need no state, in behaviour.md's order
   * (3, 4, 5, 8); returns `{code}` or `{url, headers, protocols, timeoutMs}`.
   */
  function checkConnect(options, config, face, transport) {
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
    const { headers, protocols } = requestHeaders(options.header, options.protocols, transport.headerAllowed);
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
    url.search = url.search.length > 1 ? `${url.search.slice(1)}&${pairs.join('&')}` : pairs.join('&');
  }

  /** Splits a `Sec-WebSocket-Protocol` value into distinct tokens. */
  function splitProtocols(list) {
    const out = [];
    for (const item of list) {
      const name = String(item).trim();
      // Not a token, or twice: the whole request would be refused [impl-defined: dropped].
      if (name && TOKEN.test(name) && !out.includes(name)) out.push(name);
    }
    return out;
  }

  /**
   * connect.header: each entry a request header, its value a string; the
   * handshake's own headers and names or values the transport's HTTP cannot
   * carry (`headerAllowed`) are skipped [impl-defined]. Subprotocols come
   * from `protocols` (an array, or one string) when it offers any, else from
   * `header['Sec-WebSocket-Protocol']`.
   */
  function requestHeaders(header, protocolsArg, headerAllowed) {
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
        if (headerAllowed(name, value)) headers[name] = value;
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

  /**
   * send.invalid / send.too-large: `{code}` or `{payload, binary}`, the
   * payload a string or a Uint8Array of its own.
   */
  function checkMessage(options, maxMessageBytes, face, codec) {
    const data = options.data;
    let payload;
    let length;
    if (typeof data === 'string') {
      if (options.isBuffer && face.honoursIsBuffer) {
        payload = decodeBase64Strict(data, codec);
        if (payload === null) return { code: 11 };
        length = payload.length;
      } else {
        payload = data;
        length = codec.utf8Length(data);
      }
    } else if (data instanceof ArrayBuffer) {
      payload = new Uint8Array(data.slice(0));
      length = payload.length;
    } else {
      return { code: 11 };
    }
    if (length > maxMessageBytes) return { code: 11 };
    return { payload, binary: typeof payload !== 'string' };
  }

  /** close.invalid-code: `{code}` (error) or `{closeCode, reason}`. */
  function checkClose(options, codec) {
    let closeCode = 1000;
    const code = options.code;
    if (code !== undefined && code !== null) {
      if (typeof code !== 'number' || !Number.isInteger(code) ||
          !(code === 1000 || (code >= 3000 && code <= 4999))) {
        return { code: 1 };
      }
      closeCode = code;
    }
    let closeReason = '';
    if (options.reason !== undefined && options.reason !== null) {
      if (typeof options.reason !== 'string' || codec.utf8Length(options.reason) > 123) return { code: 1 };
      closeReason = options.reason;
    }
    return { closeCode, reason: closeReason };
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

  /**
   * The callbacks of an options object, kept only when they are functions,
   * with the global name of the method they belong to (for `wx`'s errMsg).
   */
  function callbacksOf(options, method) {
    if (options === null || typeof options !== 'object') return null;
    const pick = (name) => (typeof options[name] === 'function' ? options[name] : null);
    return { success: pick('success'), fail: pick('fail'), complete: pick('complete'), method };
  }

  // --- listeners ---------------------------------------------------------------

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

  // --- the context: state, queue, calls --------------------------------------

  /**
   * One JavaScript context's socket API: the global socket, up to `maxTasks`
   * SocketTasks, their listeners and one ordered event queue.
   */
  class Context {
    constructor(config, face, transport, hooks) {
      this.face = face;
      this.transport = transport;
      this.logger = hooks && typeof hooks.log === 'function' ? hooks.log : null;
      this.config = normaliseConfig(config);
      this.queue = [];
      this.scheduled = false;
      this.destroyed = false;
      this.sockets = new Set();
      // Sockets whose connection has not ended yet (a CLOSED socket may still be finishing).
      this.connections = new Set();
      this.global = null;
      this.globalListeners = newListenerLists();
      // What the transport keeps per context (Node.js: the TLS secure context); may throw.
      if (typeof transport.prepare === 'function') transport.prepare(this);
    }

    log(text) {
      if (this.logger) this.logger(text);
    }

    // --- the event queue -----------------------------------------------------

    enqueue(occurrence) {
      if (this.destroyed) return;
      this.queue.push(occurrence);
      if (!this.scheduled) {
        this.scheduled = true;
        this.transport.nextMacrotask(() => this.drain());
      }
    }

    /** One occurrence per macrotask, as a host's event loop would. */
    drain() {
      this.scheduled = false;
      if (this.destroyed) return;
      const occurrence = this.queue.shift();
      if (this.queue.length > 0) {
        this.scheduled = true;
        this.transport.nextMacrotask(() => this.drain());
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

    // --- the calls -------------------------------------------------------------

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
      let checked = checkConnect(opts, this.config, this.face, this.transport);
      if (!checked.code) {
        // connect.single.exists
        if (!multiple && this.global && this.global.state !== CLOSED) checked = { code: 2 };
        // connect.multiple.limit: the global socket counts too [impl-defined: code 1].
        else if (this.liveSockets() >= this.config.maxTasks) checked = { code: 1 };
      }
      const task = multiple ? new this.face.Task(this) : undefined;
      if (checked.code) {
        // connect.return: a task that failed validation is CLOSED.
        this.settle(callbacks, checked.code);
        return task;
      }
      const socket = new this.transport.Socket(this, task);
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
      const checked = checkMessage(opts, this.config.maxMessageBytes, this.face, this.transport.codec);
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
      const checked = checkClose(opts, this.transport.codec);
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
      for (const socket of [...this.sockets, ...this.connections]) socket.abandon();
      this.sockets.clear();
      this.connections.clear();
      this.global = null;
      this.globalListeners = newListenerLists();
    }
  }

  // --- one socket: the state machine a transport drives ------------------------

  /**
   * One socket's state and what it posts to the queue. A transport extends
   * it with the connection itself:
   *
   * - `connect({url, headers, protocols})`: makes the connection (`this.ws`,
   *   whose `readyState` 1 is OPEN) and reports through `connectionOpened()`,
   *   `deliverText` / `deliverBinary`, `connectionClosed(code, reason)`,
   *   `failWith(code)` and `refuse(text)`;
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

    /** onError with `code`, then onClose 1006. */
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
        this.failWith(6);
        this.terminate();
      }, checked.timeoutMs);
      this.connect(checked);
    }

    /** The transport refused to make the connection: error 1 in a later macrotask. */
    refuse(text) {
      this.context.log(text);
      clearTimeout(this.connectTimer);
      this.context.transport.nextMacrotask(() => this.failWith(1));
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
        this.failWith(1);
        return;
      }
      if (code === 1006) {
        // close.no-answer (we closed, no close frame came back): 1006 alone;
        // close.drop (the connection ended without a close frame): error 1 first.
        if (this.weClosed) this.closeWith(1006, '');
        else this.failWith(1);
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
        this.context.settle(callbacks, 11);
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

  // --- the tasks -----------------------------------------------------------------

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

  /** A SocketTask, returned by `my.connectSocket({multiple: true, ...})`: with off*. */
  class SocketTask extends SocketTaskBase {
    offOpen(fn) { removeListener(this[kListeners], 'open', fn); }
    offMessage(fn) { removeListener(this[kListeners], 'message', fn); }
    offError(fn) { removeListener(this[kListeners], 'error', fn); }
    offClose(fn) { removeListener(this[kListeners], 'close', fn); }
  }

  /** A SocketTask of the `wx` face: send, close, on*; no off* methods. */
  class WxSocketTask extends SocketTaskBase {}

  // --- the faces -----------------------------------------------------------------

  /**
   * The `my` face: what the Context asks wherever `my` and `wx` differ.
   * Codes are the `my` codes throughout; a face turns them into payloads.
   */
  const MY_FACE = Object.freeze({
    /** The name of the global object (the adapter protocol's target). */
    name: 'my',
    /** connect.return: the class of the tasks a connect makes. */
    Task: SocketTask,
    /** my.offSocket* exist. */
    offMethods: true,
    /** `success` / `fail` payload of `method` (a global name); `code` 0 is success. */
    callbackPayload: (method, code) => (code ? errorPayload(code) : {}),
    /** The payload of an error event. */
    errorPayload,
    /** receive.text */
    textMessage: (text) => ({ data: text, isBuffer: false }),
    /** receive.binary: base64 with isBuffer. */
    binaryMessage: (bytes, codec) => ({ data: codec.encodeBase64(bytes), isBuffer: true }),
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

  /** A fresh ArrayBuffer holding a byte view's bytes. */
  function arrayBufferOf(bytes) {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  /**
   * WeChat's `wx` face (profiles.md, `wechat`), where it differs from `my`:
   * - wx.connectSocket always returns a SocketTask; there is no `multiple`
   *   and no `data`; at most `maxTasks` (5) connections at once;
   * - results and errors are `{errMsg}`: "connectSocket:ok",
   *   "sendSocketMessage:fail <reason>" (a task's send and close name their
   *   global twins); error events are `{errMsg}`;
   * - binary travels as an ArrayBuffer, both ways, with no `isBuffer`;
   *   messages are `{data}`;
   * - a `timeout` argument (ms) bounds the handshake (error event after it);
   * - no off* methods; the wx.onSocket* listeners and wx.sendSocketMessage /
   *   wx.closeSocket act on the newest connection.
   */
  const WX_FACE = Object.freeze({
    ...MY_FACE,
    name: 'wx',
    Task: WxSocketTask,
    offMethods: false,
    callbackPayload: (method, code) => ({ errMsg: code ? `${method}:fail ${reason(code)}` : `${method}:ok` }),
    errorPayload: (code) => ({ errMsg: reason(code) }),
    textMessage: (text) => ({ data: text }),
    binaryMessage: (bytes) => ({ data: arrayBufferOf(bytes) }),
    alwaysTask: true,
    globalFollowsNewest: true,
    honoursIsBuffer: false,
    honoursData: false,
    honoursTimeout: true,
    // A parameter of the wrong type (WeChat checks parameter types).
    wrongTypeCode: 2,
  });

  // --- the global objects ----------------------------------------------------------

  /**
   * Makes the global object of `face` (`my` or `wx`) with the socket API
   * over `transport`:
   *
   * - `Socket`: a subclass of `Socket` (above) that drives the connection;
   * - `nextMacrotask(fn)`: runs `fn` in a later macrotask;
   * - `headerAllowed(name, value)`: whether the transport's HTTP can carry
   *   that request header;
   * - `codec`: `{ utf8Length(text), encodeBase64(bytes), decodeBase64(text) }`;
   * - `prepare(context)` (optional): sets up what the transport keeps per
   *   context; throws on a config it cannot honour.
   *
   * @param {object} face MY_FACE or WX_FACE
   * @param {object} [config] the adapter protocol's Config (absent keys take defaults)
   * @param {object} transport as above
   * @param {object} [hooks] `{ log(text) }` for diagnostics
   */
  function createApi(face, config, transport, hooks = {}) {
    const context = new Context(config, face, transport, hooks);
    const lists = () => context.globalListeners;
    const api = {
      connectSocket: (options) => context.connectSocket(options),
      sendSocketMessage: (options) => context.send(context.global, options),
      closeSocket: (options) => context.close(context.global, options),
      onSocketOpen: (fn) => addListener(lists(), 'open', fn),
      onSocketMessage: (fn) => addListener(lists(), 'message', fn),
      onSocketError: (fn) => addListener(lists(), 'error', fn),
      onSocketClose: (fn) => addListener(lists(), 'close', fn),
    };
    if (face.offMethods) {
      Object.assign(api, {
        offSocketOpen: (fn) => removeListener(lists(), 'open', fn),
        offSocketMessage: (fn) => removeListener(lists(), 'message', fn),
        offSocketError: (fn) => removeListener(lists(), 'error', fn),
        offSocketClose: (fn) => removeListener(lists(), 'close', fn),
      });
    }
    // Ties the object to its context, for destroyApi.
    Object.defineProperty(api, kContext, { value: context });
    return api;
  }

  /** Ends every socket of a `my` or `wx` object at once, without events; it must not be used after. */
  function destroyApi(api) {
    const context = api && api[kContext];
    if (context) context.destroy();
  }

  return {
    createApi,
    destroyApi,
    Socket,
    SocketTaskBase,
    SocketTask,
    WxSocketTask,
    MY_FACE,
    WX_FACE,
    MESSAGES,
    REASONS,
    DEFAULT_CONFIG,
    TYPES,
    checkConnect,
    checkMessage,
    checkClose,
    decodeBase64Strict,
  };
}));
