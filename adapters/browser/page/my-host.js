'use strict';
// Runs in the page (bundled by the adapter, ../src/scripts.js): the page's
// `myHost`, what a mini-program container's native side would give a page.
// It holds the hello config, the host channel (what the browser's network
// stack saw of each WebSocket's handshake, fed by the adapter from the
// DevTools Network domain) and the request headers of a WebSocket handshake
// (set by the adapter, `Network.setExtraHTTPHeaders`). It talks to the
// adapter through `write` (a `host` event out) and `deliver` (news in).

/**
 * Makes the page's `myHost` over `config` (the hello config) and `write`
 * (sends one message to the adapter); returns `{ myHost, deliver }`,
 * `deliver(news)` taking the adapter's news of the host channel and of the
 * request headers.
 */
function createMyHost(config, write) {
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

  return { myHost, deliver };
}

module.exports = { createMyHost };
