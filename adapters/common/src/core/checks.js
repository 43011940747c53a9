'use strict';
// The checks of the socket API's arguments, which need no state: what
// `connectSocket`, `send` and `close` refuse before anything goes on the
// wire, with the code of each refusal (a name of spec.json's errorCodes) (the face turns it into a
// payload), and what they make of the arguments they accept.

const { decodeBase64Strict } = require('../base64');

/** The handshake's own headers, which `header` cannot override [impl-defined: ignored]. */
const HANDSHAKE_HEADERS = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version']);

/** An RFC 7230 token: what a subprotocol name must be (ws and browsers refuse anything else). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** An object of keys and values: not null, an array, an ArrayBuffer or a view of one. */
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

/**
 * Checks of `connectSocket` that need no state, in behaviour.md's order
 * (3, 4, 5, 8); returns `{code}` or `{url, headers, protocols, timeoutMs}`.
 */
function checkConnect(options, config, face, transport) {
  const raw = options.url;
  // connect.url.empty: absent or null.
  if (raw === undefined || raw === null) return { code: 'urlEmpty' };
  // connect.url.format: not a string (the profile's code: 4, or 2 invalid argument).
  if (typeof raw !== 'string') return { code: face.wrongTypeCode };
  const text = raw.trim();
  // connect.url.empty: empty after trimming white space.
  if (text === '') return { code: 'urlEmpty' };
  let url;
  try {
    url = new URL(text);
  } catch {
    // connect.url.format: not an absolute URL.
    return { code: 'urlFormat' };
  }
  // connect.url.format: no host.
  if (!url.hostname) return { code: 'urlFormat' };
  // connect.url.scheme (URL lower-cases the scheme).
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return { code: 'urlScheme' };
  // connect.wss-only [impl-defined: code 8, or the profile's].
  if (config.wssOnly && url.protocol !== 'wss:') return { code: face.wssOnlyCode };
  // connect.domain [impl-defined: option fail-1]: a host off the allowed
  // list fails the call before any traffic.
  if (Array.isArray(config.allowedHosts) && !config.allowedHosts.includes(url.hostname)) {
    return { code: 'unknown' };
  }
  // The `timeout` argument (where the profile has it): a number of ms replaces connectTimeoutMs.
  let timeoutMs = config.connectTimeoutMs;
  if (face.honoursTimeout && options.timeout !== undefined && options.timeout !== null) {
    const t = options.timeout;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return { code: face.wrongTypeCode };
    if (t > 0) timeoutMs = t;
  }
  url.hash = '';
  if (face.honoursData) appendQuery(url, options.data);
  const allowed = (name, value) => !face.unsettableHeaders.includes(name.toLowerCase()) && transport.headerAllowed(name, value);
  const { headers, protocols } = requestHeaders(options.header, options.protocols, allowed);
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
 * handshake's own headers, the face's unsettable ones (`tt`: referer) and
 * names or values the transport's HTTP cannot carry (`headerAllowed`) are
 * skipped [impl-defined]. Subprotocols come
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
      if (payload === null) return { code: 'sendFailed' };
      length = payload.length;
    } else {
      payload = data;
      length = codec.utf8Length(data);
    }
  } else if (data instanceof ArrayBuffer) {
    payload = new Uint8Array(data.slice(0));
    length = payload.length;
  } else {
    return { code: 'sendFailed' };
  }
  if (length > maxMessageBytes) return { code: 'sendFailed' };
  return { payload, binary: typeof payload !== 'string' };
}

/** close.invalid-code: `{code}` (error) or `{closeCode, reason}`. */
function checkClose(options, codec) {
  let closeCode = 1000;
  const code = options.code;
  if (code !== undefined && code !== null) {
    if (typeof code !== 'number' || !Number.isInteger(code) ||
        !(code === 1000 || (code >= 3000 && code <= 4999))) {
      return { code: 'unknown' };
    }
    closeCode = code;
  }
  let closeReason = '';
  if (options.reason !== undefined && options.reason !== null) {
    if (typeof options.reason !== 'string' || codec.utf8Length(options.reason) > 123) return { code: 'unknown' };
    closeReason = options.reason;
  }
  return { closeCode, reason: closeReason };
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

module.exports = { checkConnect, checkMessage, checkClose, callbacksOf };
