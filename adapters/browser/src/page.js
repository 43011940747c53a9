'use strict';
// What the adapter evaluates in a fresh page, in this order:
//
//   1. hostScript(generation, config): `globalThis.myHost` (the config and
//      the host channel) and the output binding;
//   2. protocolScript(): the shared protocol dispatch (adapters/node/src/protocol.js);
//   3. coreScript(): the shared core of the socket API (adapters/node/src/core.js),
//      as `globalThis.mySocketCore`, which impl/my-browser.js builds on;
//   4. the implementation bundle, which defines `globalThis.my`;
//   5. startScript(config, …): the protocol session over `globalThis.my`.
//
// After that the adapter hands each request to `__conformance.handle(request)`
// and host-channel news to `__conformance.deliver(news)`. The page writes
// protocol messages through the binding `__conformanceSend`, tagged with its
// generation so that the adapter drops anything a page sends after it was
// replaced (reset).

const fs = require('node:fs');
const path = require('node:path');

/** The name of the Runtime binding the page writes protocol messages through. */
const BINDING = '__conformanceSend';

const PROTOCOL_FILE = path.join(__dirname, '..', '..', 'node', 'src', 'protocol.js');
const CORE_FILE = path.join(__dirname, '..', '..', 'node', 'src', 'core.js');

/**
 * Runs in the page (serialised with Function.prototype.toString): sets up
 * `globalThis.myHost` and `globalThis.__conformance`.
 */
function pageHost(generation, config, binding) {
  const send = globalThis[binding];
  const write = (message) => send(JSON.stringify([generation, message]));
  const log = (text) => write({ event: 'log', text: String(text) });

  // --- the host channel: what the browser's network stack saw of each WebSocket ---
  // `watch(ws)` must be called right after `new WebSocket(...)`: the adapter
  // reports sockets by DevTools request id in creation order, and the page
  // pairs them with watched sockets of the same URL in the same order.
  const byUrl = new Map(); // url -> [record awaiting its request id]
  const byRequest = new Map(); // requestId -> record
  const unclaimed = new Map(); // url -> [request ids created before being watched]

  function newRecord(url) {
    const record = { url, requestId: null, response: null, errorMessage: null, ended: false, waiters: [] };
    record.settle = () => {
      const outcome = { response: record.response, errorMessage: record.errorMessage };
      for (const resolve of record.waiters.splice(0)) resolve(outcome);
    };
    return record;
  }

  function pair(record, requestId) {
    record.requestId = requestId;
    byRequest.set(requestId, record);
  }

  // --- request headers on a WebSocket handshake (the native side sets them) ---
  // One header-carrying connect at a time per page: the adapter sets the
  // page's extra HTTP headers, the page makes the WebSocket, and the adapter
  // clears them once the handshake request has gone (or the socket ended
  // before it could go). Connects queued behind it wait their turn, so that
  // no other socket of the page is made while the headers are set.
  const opening = []; // [{ url, protocols, headers, created }]
  let headerTicket = 0;
  let inFlight = null; // { ticket, ws, cleared } while headers are set

  function hasHeaders(headers) {
    return headers !== null && typeof headers === 'object' && Object.keys(headers).length > 0;
  }

  function makeSocket(url, protocols) {
    const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
    return { ws, watched: myHost.watch(ws) };
  }

  function openNow({ url, protocols, created }) {
    let made;
    try {
      made = makeSocket(url, protocols);
    } catch (err) {
      created(err, null, null);
      return;
    }
    created(null, made.ws, made.watched);
  }

  function pumpOpening() {
    while (inFlight === null && opening.length > 0) {
      const entry = opening.shift();
      if (!hasHeaders(entry.headers)) {
        openNow(entry);
        continue;
      }
      headerTicket += 1;
      inFlight = { ticket: headerTicket, entry, ws: null, clearAsked: false };
      write({ event: 'host', op: 'setHeaders', ticket: headerTicket, headers: entry.headers });
    }
  }

  /** The page asks the adapter to clear the headers (the socket ended before its handshake request). */
  function askClear() {
    if (inFlight === null || inFlight.clearAsked) return;
    inFlight.clearAsked = true;
    write({ event: 'host', op: 'clearHeaders', ticket: inFlight.ticket });
  }

  function headersSet(news) {
    if (inFlight === null || inFlight.ticket !== news.ticket) return;
    const { entry } = inFlight;
    if (news.error) {
      inFlight = null;
      entry.created(new Error(`the host could not set the request headers: ${news.error}`), null, null);
      pumpOpening();
      return;
    }
    let made;
    try {
      made = makeSocket(entry.url, entry.protocols);
    } catch (err) {
      askClear();
      entry.created(err, null, null);
      return;
    }
    inFlight.ws = made.ws;
    made.ws.addEventListener('error', askClear);
    made.ws.addEventListener('close', askClear);
    entry.created(null, made.ws, made.watched);
  }

  function headersCleared(news) {
    if (inFlight === null || inFlight.ticket !== news.ticket) return;
    if (inFlight.ws) {
      inFlight.ws.removeEventListener('error', askClear);
      inFlight.ws.removeEventListener('close', askClear);
    }
    inFlight = null;
    pumpOpening();
  }

  const myHost = {
    /** The adapter protocol's hello config (read-only copy). */
    config: Object.freeze({ ...config }),
    /** The host channel exists (an implementation must cope without it). */
    available: true,
    /**
     * Starts following `ws`; returns `{ handshake(timeoutMs) }`, whose promise
     * resolves once the network stack has ended the handshake in failure (or
     * the socket has closed) with `{ response: {status, statusText, headers} | null,
     * errorMessage: string | null }`, or with null after `timeoutMs`.
     */
    watch(ws) {
      const record = newRecord(ws.url);
      const early = unclaimed.get(ws.url);
      if (early && early.length > 0) pair(record, early.shift());
      else {
        if (!byUrl.has(ws.url)) byUrl.set(ws.url, []);
        byUrl.get(ws.url).push(record);
      }
      return {
        handshake(timeoutMs) {
          if (record.ended) return Promise.resolve({ response: record.response, errorMessage: record.errorMessage });
          return new Promise((resolve) => {
            const timer = setTimeout(() => resolve(null), timeoutMs);
            record.waiters.push((outcome) => {
              clearTimeout(timer);
              resolve(outcome);
            });
          });
        },
      };
    },
    /**
     * Makes a WebSocket whose handshake request carries `headers` (an
     * object of header names and string values; null or {} for none), as a
     * container's native side would, and watches it (as `watch`). Calls
     * `created(error, ws, watched)` once: at once (synchronously) when no
     * headers are asked for and no header-carrying connect of this page is
     * under way, else once the headers are set. Sockets of this page made
     * with plain `new WebSocket` while a header-carrying connect is under
     * way would carry its headers too: an implementation that uses this
     * makes all its sockets through it.
     */
    openWebSocket(url, protocols, headers, created) {
      const entry = { url, protocols, headers, created };
      if (inFlight === null && opening.length === 0 && !hasHeaders(headers)) openNow(entry);
      else {
        opening.push(entry);
        pumpOpening();
      }
    },
  };

  function deliver(news) {
    if (news.kind === 'headers-set') {
      headersSet(news);
      return;
    }
    if (news.kind === 'headers-cleared') {
      headersCleared(news);
      return;
    }
    if (news.kind === 'created') {
      const waiting = byUrl.get(news.url);
      if (waiting && waiting.length > 0) pair(waiting.shift(), news.requestId);
      else {
        if (!unclaimed.has(news.url)) unclaimed.set(news.url, []);
        unclaimed.get(news.url).push(news.requestId);
      }
      return;
    }
    const record = byRequest.get(news.requestId);
    if (!record) return;
    if (news.kind === 'response') {
      record.response = news.response;
    } else if (news.kind === 'failed' || news.kind === 'closed') {
      if (news.kind === 'failed' && record.errorMessage === null) record.errorMessage = news.errorMessage;
      record.ended = true;
      record.settle();
      if (news.kind === 'closed') byRequest.delete(news.requestId);
    }
  }

  // --- base64, for `{ "$binary": ... }` ---
  function decodeBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }
  function encodeBase64(bytes) {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  let session = null;
  globalThis.myHost = myHost;
  globalThis.__conformance = {
    deliver,
    /**
     * Makes the protocol session over the bundle's `globalThis.my` (or
     * `globalThis.wx`: the face `hello`'s profile names, else `defaultApi`);
     * with a config (a reset), the session is set up as after that `hello`.
     */
    start(helloConfig, defaultApi, helloProfile, instances) {
      const { Session, PROFILE_APIS } = globalThis.__conformanceProtocol;
      const info = globalThis.myImplementation || {};
      session = new Session({
        write,
        log,
        // How many pages (instances) the adapter holds: `instances` in the hello result.
        instances,
        // An event goes page → DevTools binding → adapter → runner; with many
        // pages in one renderer on a busy machine that can take tens of ms
        // (`quietMs` in the hello result: settle windows are no shorter).
        quietMs: 200,
        api: (profile) => (Object.hasOwn(PROFILE_APIS, String(profile)) ? PROFILE_APIS[profile] : defaultApi),
        createMy(_config, api) {
          const my = globalThis[api];
          if (my === null || typeof my !== 'object') throw new Error(`the implementation bundle did not define globalThis.${api}`);
          return my;
        },
        // The adapter replaces the whole page on reset: the page's sockets end with it.
        destroyMy() {},
        isTask: (value) => value !== null && typeof value === 'object',
        decodeBase64,
        encodeBase64,
        hello: () => ({
          name: `browser:${typeof info.name === 'string' ? info.name : 'impl'}`,
          version: `${typeof info.version === 'string' ? info.version : '0.0.0'} (${navigator.userAgent.match(/Chrome\/[\d.]+/) || 'browser'})`,
          unsupported: Array.isArray(info.unsupported) ? info.unsupported.filter((k) => typeof k === 'string') : [],
        }),
        shutdown(id) {
          write({ id, ok: true, result: {} });
        },
      });
      if (helloConfig) {
        session.api = session.host.api(helloProfile);
        session.config = helloConfig;
        session.resetState();
      }
    },
    /** One request of the adapter protocol. */
    handle(request) {
      try {
        session.handle(request);
      } catch (err) {
        log(`request failed: ${err && err.stack ? err.stack : err}`);
        write({ id: Number.isInteger(request && request.id) ? request.id : null, ok: false, error: `internal error: ${err && err.message}` });
      }
    },
  };
}

/** Step 1: the expression that sets up `myHost` for this page. */
function hostScript(generation, config) {
  return `(${pageHost.toString()})(${JSON.stringify(generation)}, ${JSON.stringify(config)}, ${JSON.stringify(BINDING)});`;
}

/** Step 2: the shared protocol dispatch, as `globalThis.__conformanceProtocol`. */
function protocolScript() {
  const source = fs.readFileSync(PROTOCOL_FILE, 'utf8');
  return `globalThis.__conformanceProtocol = (function () { const module = { exports: {} }; ${source}\nreturn module.exports; })();\n//# sourceURL=protocol.js`;
}

/**
 * Step 3: the socket API's shared core, a classic script as it stands
 * (its UMD wrapper defines `globalThis.mySocketCore` outside CommonJS).
 */
function coreScript() {
  return `${fs.readFileSync(CORE_FILE, 'utf8')}\n//# sourceURL=core.js`;
}

/**
 * Step 5: the session; `config` is null before `hello`, the instance's
 * config after a reset; `api` is the face served when `hello` names no
 * profile ("my" or "wx", from --api); `profile` is the one `hello` named;
 * `instances` how many pages the adapter holds (the hello result says it).
 */
function startScript(config, api = 'my', profile = undefined, instances = 1) {
  const args = [config, api, profile === undefined ? null : profile, instances].map((v) => JSON.stringify(v));
  return `globalThis.__conformance.start(${args.join(', ')});`;
}

module.exports = { BINDING, hostScript, protocolScript, coreScript, startScript };
