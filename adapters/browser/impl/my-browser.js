// The Alipay mini-program `my` socket API (my.connectSocket, SocketTask and
// the my.*Socket* family) on a browser's own WebSocket. A classic script:
// loaded in a page, it defines `globalThis.my` and `globalThis.myImplementation`.
//
// It follows the project's behaviour specification as far as a page can
// (comments name rule ids); what a page cannot do is said where it matters:
// - request headers (`header`) cannot be set by a page; the host sets them
//   (`globalThis.myHost.openWebSocket`, the container's native side, here
//   the browser adapter through DevTools); without a host they are dropped,
//   and Sec-WebSocket-Protocol goes as the constructor's `protocols`;
// - a failed handshake is one undifferentiated `error` event. When the page
//   has a host channel (`globalThis.myHost.watch`, given by the browser
//   adapter from the DevTools Network domain, as a mini-program container's
//   native side would), the error code comes from what the network stack
//   saw; without one every handshake failure is error 1;
// - a close frame can carry only 1000 or 3000-4999 (WebSocket.close), so a
//   message over maxMessageBytes gives onError 12, a close frame with 1000,
//   not 1009, and onClose with the code of the server's answer.
(function defineMy(global) {
  'use strict';

  const host = global.myHost && typeof global.myHost === 'object' ? global.myHost : null;

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

  function errorPayload(code) {
    return { error: code, errorMessage: MESSAGES[code] };
  }

  /** The defaults of the adapter protocol's Config. */
  const DEFAULT_CONFIG = Object.freeze({
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

  /** How long to wait for the host channel's account of a failed handshake. */
  const HOST_GRACE_MS = 1000;

  /** An RFC 7230 token: what a subprotocol name must be (the browser refuses anything else). */
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8');

  function isPlainObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) &&
      !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value);
  }

  function encodeComponent(text) {
    return encodeURIComponent(text.toWellFormed());
  }

  /** A query-string value: strings as they are, everything else in its JSON form. */
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

  function bytesToBase64(bytes) {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  /** Strict (canonical, padded) standard base64, as RFC 4648 section 4: bytes or null. */
  function decodeBase64Strict(text) {
    if (typeof text !== 'string' || text.length % 4 !== 0) return null;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    let binary;
    try {
      binary = atob(text);
    } catch {
      return null;
    }
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    // A non-canonical encoding does not survive the round trip.
    if (bytesToBase64(bytes) !== text) return null;
    return bytes;
  }

  function splitProtocols(list) {
    const out = [];
    for (const item of list) {
      const name = String(item).trim();
      if (name && TOKEN.test(name) && !out.includes(name)) out.push(name);
    }
    return out;
  }

  /** The handshake's own headers, which `header` cannot override [impl-defined: ignored]. */
  const HANDSHAKE_HEADERS = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version']);
  /** What HTTP can carry as a header value (no CR, LF or NUL). */
  const HEADER_VALUE = /^[^\r\n\0]*$/;

  /**
   * connect.header: each entry a request header, its value a string; the
   * handshake's own headers and names or values HTTP cannot carry are
   * skipped [impl-defined]. A page cannot set request headers itself: they
   * go through the host (`myHost.openWebSocket`, the container's native
   * side); without one they are dropped with a console warning.
   * Subprotocols come from `protocols` when it offers any, else from
   * `header['Sec-WebSocket-Protocol']` (the constructor's `protocols`).
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
        if (!TOKEN.test(name) || !HEADER_VALUE.test(value)) continue;
        headers[name] = value;
      }
    }
    let offered = [];
    if (Array.isArray(protocolsArg)) offered = splitProtocols(protocolsArg.filter((p) => typeof p === 'string'));
    else if (typeof protocolsArg === 'string') offered = splitProtocols(protocolsArg.split(','));
    return { headers, protocols: offered.length > 0 ? offered : fromHeader };
  }

  /** connect.data: the object's entries, percent-encoded, after `?` or `&`. */
  function appendQuery(url, data) {
    if (!isPlainObject(data)) return;
    const pairs = Object.keys(data).map((key) => `${encodeComponent(key)}=${encodeComponent(stringValue(data[key]))}`);
    if (pairs.length === 0) return;
    url.search = url.search.length > 1 ? `${url.search.slice(1)}&${pairs.join('&')}` : pairs.join('&');
  }

  /** Checks of `connectSocket` that need no state (3, 4, 5, 8): `{code}` or `{url, protocols}`. */
  function checkConnect(options, config) {
    const raw = options.url;
    if (raw === undefined || raw === null) return { code: 3 };
    if (typeof raw !== 'string') return { code: 4 };
    const text = raw.trim();
    if (text === '') return { code: 3 };
    let url;
    try {
      url = new URL(text);
    } catch {
      return { code: 4 };
    }
    if (!url.hostname) return { code: 4 };
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return { code: 5 };
    // connect.wss-only [impl-defined: code 8].
    if (config.wssOnly && url.protocol !== 'wss:') return { code: 8 };
    // connect.domain [impl-defined: option fail-1]: a host off the allowed
    // list fails the call before any traffic.
    if (Array.isArray(config.allowedHosts) && !config.allowedHosts.includes(url.hostname)) {
      return { code: 1 };
    }
    url.hash = '';
    appendQuery(url, options.data);
    const { headers, protocols } = requestHeaders(options.header, options.protocols);
    return { url: url.href, headers, protocols };
  }

  /** send.invalid / send.too-large: `{code}` or `{payload}` (a string or bytes). */
  function checkMessage(options, maxMessageBytes) {
    const data = options.data;
    let payload;
    let length;
    if (typeof data === 'string') {
      if (options.isBuffer) {
        payload = decodeBase64Strict(data);
        if (payload === null) return { code: 11 };
        length = payload.length;
      } else {
        payload = data;
        length = encoder.encode(data).length;
      }
    } else if (data instanceof ArrayBuffer) {
      payload = new Uint8Array(data.slice(0));
      length = payload.length;
    } else {
      return { code: 11 };
    }
    if (length > maxMessageBytes) return { code: 11 };
    return { payload };
  }

  /** close.invalid-code: `{code}` or `{closeCode, reason}`. */
  function checkClose(options) {
    let closeCode = 1000;
    const code = options.code;
    if (code !== undefined && code !== null) {
      if (typeof code !== 'number' || !Number.isInteger(code) || !(code === 1000 || (code >= 3000 && code <= 4999))) {
        return { code: 1 };
      }
      closeCode = code;
    }
    let reason = '';
    if (options.reason !== undefined && options.reason !== null) {
      if (typeof options.reason !== 'string' || encoder.encode(options.reason).length > 123) return { code: 1 };
      reason = options.reason;
    }
    return { closeCode, reason };
  }

  /**
   * The error code of a failed handshake from the host channel's account
   * (DevTools' errorMessage and the response it saw), or 1 without one.
   */
  function handshakeErrorCode(outcome) {
    if (!outcome) return 1;
    const message = outcome.errorMessage || '';
    // error.7.cert: the browser's certificate verdicts.
    if (/net::ERR_CERT_|net::ERR_BAD_SSL_CLIENT_AUTH_CERT/.test(message)) return 7;
    // error.9.protocol-unrequested
    if (/Sec-WebSocket-Protocol' header if not present in request/.test(message)) return 9;
    // error.8.handshake: Chromium's RFC 6455 checks of the response.
    if (/^Error during WebSocket handshake/.test(message)) return 8;
    if (/net::ERR_INVALID_HTTP_RESPONSE|net::ERR_INVALID_RESPONSE/.test(message)) return 8;
    if (outcome.response && outcome.response.status !== 101) return 8;
    return 1;
  }

  function callbacksOf(options) {
    if (options === null || typeof options !== 'object') return null;
    const pick = (name) => (typeof options[name] === 'function' ? options[name] : null);
    return { success: pick('success'), fail: pick('fail'), complete: pick('complete') };
  }

  function newListenerLists() {
    return { open: [], message: [], error: [], close: [] };
  }

  function addListener(lists, type, fn) {
    if (typeof fn === 'function') lists[type].push(fn);
  }

  function removeListener(lists, type, fn) {
    if (typeof fn === 'function') lists[type] = lists[type].filter((f) => f !== fn);
    else lists[type] = [];
  }

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

  function normaliseConfig(config) {
    const merged = { ...DEFAULT_CONFIG };
    if (isPlainObject(config)) {
      for (const key of Object.keys(DEFAULT_CONFIG)) {
        if (config[key] !== undefined && config[key] !== null) merged[key] = config[key];
      }
    }
    return merged;
  }

  /** The page's socket API: the global socket, SocketTasks, listeners, one ordered event queue. */
  class Context {
    constructor(config) {
      this.config = normaliseConfig(config);
      this.queue = [];
      this.scheduled = false;
      this.sockets = new Set();
      this.global = null;
      this.globalListeners = newListenerLists();
    }

    enqueue(occurrence) {
      this.queue.push(occurrence);
      if (!this.scheduled) {
        this.scheduled = true;
        nextMacrotask(() => this.drain());
      }
    }

    /** One occurrence per macrotask (order.async). */
    drain() {
      this.scheduled = false;
      const occurrence = this.queue.shift();
      if (this.queue.length > 0) {
        this.scheduled = true;
        nextMacrotask(() => this.drain());
      }
      if (occurrence) this.dispatch(occurrence);
    }

    invoke(fn, res) {
      try {
        fn(res);
      } catch (err) {
        console.error('uncaught exception in a callback', err);
      }
    }

    settle(callbacks, code) {
      if (!callbacks) return;
      const res = code ? errorPayload(code) : {};
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
      if (!this.sockets.has(socket) || socket.generation !== generation || socket.state === CLOSED) return;
      if (type === 'open') {
        if (socket.state !== CONNECTING) return;
        socket.state = OPEN;
      } else if (type === 'close') {
        socket.state = CLOSED;
        this.sockets.delete(socket);
      }
      // listeners.during-dispatch: the list as it is now.
      const lists = socket.task ? socket.task[kListeners] : this.globalListeners;
      for (const fn of lists[type].slice()) this.invoke(fn, { ...res });
    }

    liveSockets() {
      let n = 0;
      for (const s of this.sockets) if (s.state !== CLOSED) n += 1;
      return n;
    }

    connectSocket(options) {
      const callbacks = callbacksOf(options);
      const opts = options !== null && typeof options === 'object' ? options : {};
      const multiple = Boolean(opts.multiple);
      let checked = checkConnect(opts, this.config);
      if (!checked.code) {
        // connect.single.exists
        if (!multiple && this.global && this.global.state !== CLOSED) checked = { code: 2 };
        // connect.multiple.limit [impl-defined: code 1].
        else if (this.liveSockets() >= this.config.maxTasks) checked = { code: 1 };
      }
      const task = multiple ? new SocketTask(this) : undefined;
      if (checked.code) {
        this.settle(callbacks, checked.code);
        return task;
      }
      const socket = new Socket(this, task);
      if (task) task[kSocket] = socket;
      else this.global = socket;
      this.sockets.add(socket);
      // connect.success: before any outcome of the handshake.
      this.settle(callbacks, 0);
      socket.start(checked);
      return task;
    }

    send(socket, options) {
      const callbacks = callbacksOf(options);
      const opts = options !== null && typeof options === 'object' ? options : {};
      if (!socket || socket.state !== OPEN) {
        this.settle(callbacks, 10);
        return;
      }
      const checked = checkMessage(opts, this.config.maxMessageBytes);
      if (checked.code) {
        this.settle(callbacks, checked.code);
        return;
      }
      socket.write(checked.payload, callbacks);
    }

    close(socket, options) {
      const callbacks = callbacksOf(options);
      const opts = options !== null && typeof options === 'object' ? options : {};
      // close.not-open [impl-defined: code 10].
      if (!socket || socket.state === CLOSING || socket.state === CLOSED) {
        this.settle(callbacks, 10);
        return;
      }
      const checked = checkClose(opts);
      if (checked.code) {
        this.settle(callbacks, checked.code);
        return;
      }
      socket.close(checked, callbacks);
    }
  }

  /** One WebSocket and what it posts to the queue. */
  class Socket {
    constructor(context, task) {
      this.context = context;
      this.task = task;
      this.state = CONNECTING;
      this.generation = 0;
      this.done = false;
      this.opened = false;
      this.weClosed = false;
      this.tooLarge = false;
      this.ws = null;
      this.watch = null;
      this.connectTimer = null;
      this.closeTimer = null;
    }

    post(type, res) {
      this.context.enqueue({ kind: 'socket', socket: this, generation: this.generation, type, res });
    }

    /** The socket's last word: its final events; it reports nothing more. */
    finish(events) {
      if (this.done) return;
      this.done = true;
      clearTimeout(this.connectTimer);
      clearTimeout(this.closeTimer);
      for (const [type, res] of events) this.post(type, res);
    }

    start({ url, headers, protocols }) {
      const config = this.context.config;
      // error.6.timeout: our own deadline over TCP + TLS + the upgrade.
      this.connectTimer = setTimeout(() => {
        this.finish([['error', errorPayload(6)], ['close', { code: 1006, reason: '' }]]);
        this.terminate();
      }, config.connectTimeoutMs);
      const created = (err, ws, watched) => {
        if (err) {
          // The browser refused the request itself (a port it blocks, a bad protocol list).
          console.warn('WebSocket refused the request', err);
          nextMacrotask(() => this.finish([['error', errorPayload(1)], ['close', { code: 1006, reason: '' }]]));
          return;
        }
        this.attach(ws, watched);
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
      ws.onopen = () => this.onOpen();
      ws.onmessage = (event) => this.onMessage(event.data);
      ws.onerror = () => this.onError();
      ws.onclose = (event) => this.onClose(event);
    }

    onOpen() {
      if (this.done) return;
      clearTimeout(this.connectTimer);
      this.opened = true;
      this.post('open', {});
    }

    onMessage(data) {
      if (this.done || this.tooLarge) return;
      const binary = data instanceof ArrayBuffer;
      const length = binary ? data.byteLength : encoder.encode(data).length;
      if (length > this.context.config.maxMessageBytes) {
        this.closeTooLarge();
        return;
      }
      if (binary) this.post('message', { data: bytesToBase64(new Uint8Array(data)), isBuffer: true });
      else this.post('message', { data, isBuffer: false });
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
      if (this.tooLarge) return;
      this.tooLarge = true;
      this.post('error', errorPayload(12));
      this.weClosed = true;
      try {
        this.ws.close(1000);
      } catch {
        // already closing
      }
      // close.no-answer: no close frame back within closeTimeoutMs gives 1006.
      this.closeTimer = setTimeout(() => {
        this.finish([['close', { code: 1006, reason: '' }]]);
      }, this.context.config.closeTimeoutMs);
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
          const code = handshakeErrorCode(outcome);
          for (const [type, res] of [['error', errorPayload(code)], ['close', { code: 1006, reason: '' }]]) this.post(type, res);
        });
        return;
      }
      if (this.weClosed) return; // close.no-answer: the close event says it (1006 alone)
      // close.drop: the connection failed without a close frame.
      this.finish([['error', errorPayload(1)], ['close', { code: 1006, reason: '' }]]);
    }

    onClose(event) {
      if (this.done) return;
      if (!this.opened) {
        this.finish([['error', errorPayload(1)], ['close', { code: 1006, reason: '' }]]);
        return;
      }
      if (event.code === 1006) {
        if (this.weClosed) this.finish([['close', { code: 1006, reason: '' }]]);
        else this.finish([['error', errorPayload(1)], ['close', { code: 1006, reason: '' }]]);
        return;
      }
      // close.open / close.server: what the peer sent (1005 when its frame had no code).
      this.finish([['close', { code: event.code, reason: event.reason }]]);
    }

    write(payload, callbacks) {
      const ws = this.ws;
      if (this.done || !ws || ws.readyState !== WebSocket.OPEN) {
        this.context.settle(callbacks, 11);
        return;
      }
      try {
        ws.send(payload);
        // send.text / send.binary: the browser has taken the message.
        this.context.settle(callbacks, 0);
      } catch {
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
          console.warn('WebSocket refused the close', err);
        }
        // close.no-answer: no close frame back within closeTimeoutMs gives 1006.
        this.closeTimer = setTimeout(() => {
          this.finish([['close', { code: 1006, reason: '' }]]);
        }, this.context.config.closeTimeoutMs);
      }
      this.context.settle(callbacks, 0);
    }

    terminate() {
      clearTimeout(this.connectTimer);
      clearTimeout(this.closeTimer);
      const ws = this.ws;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        try {
          ws.close();
        } catch {
          // already closing
        }
      }
    }
  }

  const kSocket = Symbol('socket');
  const kContext = Symbol('context');
  const kListeners = Symbol('listeners');

  /** A SocketTask, returned by `connectSocket({multiple: true, ...})`. */
  class SocketTask {
    constructor(context) {
      this[kContext] = context;
      this[kSocket] = null;
      this[kListeners] = newListenerLists();
    }

    send(options) { this[kContext].send(this[kSocket], options); }
    close(options) { this[kContext].close(this[kSocket], options); }
    onOpen(fn) { addListener(this[kListeners], 'open', fn); }
    onMessage(fn) { addListener(this[kListeners], 'message', fn); }
    onError(fn) { addListener(this[kListeners], 'error', fn); }
    onClose(fn) { addListener(this[kListeners], 'close', fn); }
    offOpen(fn) { removeListener(this[kListeners], 'open', fn); }
    offMessage(fn) { removeListener(this[kListeners], 'message', fn); }
    offError(fn) { removeListener(this[kListeners], 'error', fn); }
    offClose(fn) { removeListener(this[kListeners], 'close', fn); }
  }

  const context = new Context(host ? host.config : {});
  const lists = () => context.globalListeners;
  global.my = {
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
  global.myImplementation = { name: 'my-browser', version: '0.1.0', unsupported: [] };
}(globalThis));
