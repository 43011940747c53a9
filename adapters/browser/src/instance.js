'use strict';
// One instance of the implementation (`instances` in the hello result): a
// page of its own (a tab: its own document, sockets and DevTools session)
// with its own config. Requests of one instance are handled one after
// another; those of different instances do not wait for each other.
//
// The pages share the browser's default context and a few renderer
// processes (`--renderer-process-limit`): a renderer of its own per page
// would cost a few hundred ms of CPU each, too slow for sixteen at once on
// two cores. Chromium does not hold one tab's WebSocket handshake behind
// another's to the same host and port (the adapter's tests check it).
//
// A reset gives the instance a fresh document, so that no scenario sees
// another's sockets, listeners or framework state: a navigation, then the
// page runtime and the implementation bundle evaluated again, about 100 ms
// of CPU for Taro H5's bundle (docs/performance.md). A reset of a page that
// was itself made by a reset and has handled no request since, with the
// same config, has nothing to undo: the page is kept (docs/decisions.md).

const scripts = require('./scripts');

/** Whether two checked configs are the same (both come from checkHello, keys in one order). */
function sameConfig(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A page serving one instance; `host` is the adapter (browser, bundle, output). */
class PageInstance {
  /**
   * @param {object} host the adapter: `browser`, `impl`, `profile`,
   *   `instances`, `write(message)` and `log(text)`
   * @param {number} number the instance's number (0 answers `hello`)
   */
  constructor(host, number) {
    this.host = host;
    this.number = number;
    this.targetId = null;
    this.sessionId = null;
    this.config = null;
    this.generation = 0;
    /** Whether the page was made by a reset and has handled no request since. */
    this.fresh = false;
    /** The header-carrying connect under way: `{ ticket, names }`, or null. */
    this.headers = null;
    /** Why the page is gone (its renderer crashed), or null. */
    this.crashed = null;
    this.queue = Promise.resolve();
  }

  /** Runs `work` after this instance's earlier requests. */
  enqueue(work) {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Writes a message of this instance (tagged with its number unless 0). */
  write(message) {
    this.host.write(this.number === 0 ? message : { ...message, instance: this.number });
  }

  /** Makes the page (a tab) and attaches to it. */
  async open() {
    const { cdp } = this.host.browser;
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
    this.targetId = targetId;
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    this.sessionId = sessionId;
    this.crashed = null;
    await this.send('Runtime.enable');
    await this.send('Page.enable');
    await this.send('Network.enable');
    await this.send('Inspector.enable');
    await this.send('Runtime.addBinding', { name: scripts.BINDING });
  }

  /** Closes the page (best effort: the browser may be gone). */
  async close() {
    const { targetId } = this;
    this.sessionId = null;
    this.targetId = null;
    this.fresh = false;
    if (targetId && this.host.browser) {
      await this.host.browser.cdp.send('Target.closeTarget', { targetId }).catch(() => {});
    }
  }

  send(method, params = {}) {
    return this.host.browser.cdp.send(method, params, this.sessionId);
  }

  /**
   * A fresh document with `config` (hello, reset): every socket of the
   * previous one ends with it, and nothing it still sends is relayed. Then
   * the page runtime, its host, the implementation, the session (./scripts.js);
   * `helloed` false before `hello` is answered (the page's session answers
   * it). A crashed page is replaced. For a `reset`, a page made by a reset
   * that has handled no request since, with the same config, is kept.
   */
  async load(config, helloed = true, reset = false) {
    if (this.crashed) {
      await this.close();
      await this.open();
    } else if (reset && this.fresh && sameConfig(config, this.config)) {
      return;
    }
    this.fresh = false;
    this.config = config;
    this.generation += 1;
    if (this.headers) {
      // A header-carrying connect of the old page was under way.
      this.headers = null;
      await this.send('Network.setExtraHTTPHeaders', { headers: {} });
    }
    const { impl, profile, instances } = this.host;
    await this.send('Page.navigate', { url: 'about:blank' });
    await this.evaluate(scripts.runtimeScript(), 'the page runtime', true);
    await this.evaluate(scripts.installScript(this.generation, config), 'the host script', true);
    await this.evaluate(impl.script, `the implementation bundle ${impl.file}`, true);
    await this.evaluate(scripts.startScript(helloed ? config : null, impl.api, profile, instances), 'the session', true);
    this.fresh = reset;
  }

  /** Hands one request to the page's protocol session (it answers through the binding). */
  async handle(request) {
    this.fresh = false;
    if (this.crashed) {
      this.write({ id: request.id, ok: false, error: `${this.crashed}; a reset makes a new page` });
      return;
    }
    await this.evaluate(`globalThis.__conformance.handle(${JSON.stringify(request)})`, 'the request');
  }

  /** Evaluates `expression` in the page; an exception is thrown (`strict`) or logged. */
  async evaluate(expression, what, strict = false) {
    const result = await this.send('Runtime.evaluate', { expression, returnByValue: true });
    if (result.exceptionDetails) {
      const details = result.exceptionDetails;
      const text = details.exception && details.exception.description ? details.exception.description : details.text;
      if (strict) throw new Error(`${what} threw: ${text}`);
      this.log(`${what} threw: ${text}`);
    }
    return result.result;
  }

  log(text) {
    this.host.log(this.host.instances > 1 ? `instance ${this.number}: ${text}` : text);
  }

  /** A DevTools event of this page's session. */
  onEvent(method, params) {
    switch (method) {
      case 'Runtime.bindingCalled':
        if (params.name === scripts.BINDING) this.relay(params.payload);
        return;
      case 'Inspector.targetCrashed':
        this.crashed = `the page of instance ${this.number} crashed (its renderer is gone)`;
        this.log(this.crashed);
        // Commands sent before this event (a request racing the crash) are never answered.
        if (this.host.browser) this.host.browser.cdp.failSession(this.sessionId, new Error(this.crashed));
        return;
      // The host channel: what the network stack saw of each WebSocket's handshake.
      case 'Network.webSocketCreated':
        this.deliver({ kind: 'created', requestId: params.requestId, url: params.url });
        return;
      case 'Network.webSocketWillSendHandshakeRequest':
        this.handshakeRequestSent(params.request);
        return;
      case 'Network.webSocketHandshakeResponseReceived': {
        const { status, statusText, headers } = params.response;
        this.deliver({ kind: 'response', requestId: params.requestId, response: { status, statusText, headers } });
        return;
      }
      case 'Network.webSocketFrameError':
        this.deliver({ kind: 'failed', requestId: params.requestId, errorMessage: params.errorMessage });
        return;
      case 'Network.webSocketClosed':
        this.deliver({ kind: 'closed', requestId: params.requestId });
        return;
      default:
    }
  }

  deliver(news) {
    if (!this.config || this.crashed || !this.sessionId) return;
    this.send('Runtime.evaluate', { expression: `globalThis.__conformance && globalThis.__conformance.deliver(${JSON.stringify(news)})` })
      .catch((err) => this.log(`host channel: ${err.message}`));
  }

  /** A message from the page: `[generation, message]`; an old page's are dropped. */
  relay(payload) {
    let generation;
    let message;
    try {
      [generation, message] = JSON.parse(payload);
    } catch {
      return;
    }
    if (generation !== this.generation) return;
    if (message && message.event === 'log') {
      this.log(`page: ${message.text}`);
      return;
    }
    if (message && message.event === 'host') {
      this.hostRequest(message).catch((err) => this.log(`host channel: ${err.message}`));
      return;
    }
    this.write(message);
  }

  /**
   * The page's requests to its native side: `setHeaders` (extra request
   * headers for the WebSocket the page makes next) and `clearHeaders` (that
   * socket ended before its handshake request went).
   */
  async hostRequest({ op, ticket, headers }) {
    if (op === 'setHeaders') {
      const generation = this.generation;
      this.headers = { ticket, names: Object.keys(headers || {}) };
      try {
        await this.send('Network.setExtraHTTPHeaders', { headers });
      } catch (err) {
        this.headers = null;
        if (generation === this.generation) this.deliver({ kind: 'headers-set', ticket, error: err.message });
        return;
      }
      if (generation === this.generation) this.deliver({ kind: 'headers-set', ticket });
    } else if (op === 'clearHeaders' && this.headers && this.headers.ticket === ticket) {
      await this.clearHeaders();
    }
  }

  /** Clears the page's extra request headers and tells the page its next connect may go. */
  async clearHeaders() {
    const { ticket } = this.headers;
    this.headers = null;
    const generation = this.generation;
    await this.send('Network.setExtraHTTPHeaders', { headers: {} });
    if (generation === this.generation) this.deliver({ kind: 'headers-cleared', ticket });
  }

  /** The handshake request of a header-carrying connect has gone: it must hold the headers; clear them. */
  handshakeRequestSent(request) {
    if (!this.headers) return;
    const sent = new Set(Object.keys((request && request.headers) || {}).map((name) => name.toLowerCase()));
    const missing = this.headers.names.filter((name) => !sent.has(name.toLowerCase()));
    if (missing.length > 0) this.log(`the handshake request went without the headers ${missing.join(', ')}`);
    this.clearHeaders().catch((err) => this.log(`host channel: ${err.message}`));
  }
}

module.exports = { PageInstance };
