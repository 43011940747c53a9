#!/usr/bin/env node
'use strict';
// The adapter protocol, version 1 (docs/adapter-protocol.md), for an
// implementation of the `my` socket API that runs inside headless Chromium.
//
//   node adapters/browser/src/adapter.js --impl path/to/bundle.js [--api my|wx]
//
// The page serves the bundle's `globalThis.my`, or `globalThis.wx` with
// `--api wx`; a `hello` that names a profile chooses the face instead, as
// the node adapter does (`wechat` serves `wx`, the alipay profiles `my`).
//
// The protocol dispatch runs inside the page (adapters/node/src/protocol.js),
// so `then` / `within` calls are made in the page's own tick; this process
// relays lines between the runner and the page, owns the browser (a fresh
// temporary HOME, NSS database and profile; killed whole on every way out),
// and feeds the page's host channel from the DevTools Network domain.
// stdout carries protocol messages only; logs go to stderr.

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { checkHello, FACES } = require('../../node/src/protocol');
const browsers = require('./browser');
const page = require('./page');
const { version } = require('../package.json');

const USAGE = 'usage: node adapters/browser/src/adapter.js --impl path/to/bundle.js [--api my|wx]';

function log(text) {
  process.stderr.write(`[browser adapter] ${text}\n`);
}

/** Writes one JSON line to stdout. */
function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * `--impl FILE` (or `--impl=FILE`) and `--api my|wx` (default my): the
 * bundle's absolute path and source, and the face; exits 2 on a bad command line.
 */
function parseArguments(argv) {
  let impl = null;
  let api = 'my';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--impl' && i + 1 < argv.length) {
      impl = argv[i + 1];
      i += 1;
    } else if (arg.startsWith('--impl=')) {
      impl = arg.slice('--impl='.length);
    } else if ((arg === '--api' && i + 1 < argv.length) || arg.startsWith('--api=')) {
      api = arg === '--api' ? argv[(i += 1)] : arg.slice('--api='.length);
      if (!Object.hasOwn(FACES, api)) fail(`--api must be my or wx, not ${JSON.stringify(api)}\n${USAGE}`);
    } else {
      fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  if (!impl) fail(`--impl is required\n${USAGE}`);
  const file = path.resolve(impl);
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read the implementation bundle ${JSON.stringify(file)} given by --impl: ${err.message}`);
  }
  return { file, source, api };
}

function fail(text) {
  log(text);
  process.exit(2);
}

/** The adapter: the browser, the page, and the relay between them and the runner. */
class BrowserAdapter {
  constructor({ executable, impl }) {
    this.executable = executable;
    this.impl = impl;
    this.home = browsers.makeTemporaryHome();
    this.browser = null;
    this.caPem = null;
    this.sessionId = null;
    this.targetId = null;
    this.config = null;
    this.profile = undefined;
    this.generation = 0;
    /** The header-carrying connect under way: `{ ticket, names }`, or null. */
    this.headers = null;
    this.ending = false;
  }

  /** Handles one request line; requests are handled one after another. */
  async handleLine(line) {
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      write({ id: null, ok: false, error: `not JSON: ${err.message}` });
      return;
    }
    const id = request && Number.isInteger(request.id) && request.id >= 0 ? request.id : null;
    const op = request && typeof request === 'object' ? request.op : undefined;
    if (id !== null && op === 'hello') await this.hello(id, request);
    else if (id !== null && op === 'reset' && this.config) {
      await this.loadPage();
      write({ id, ok: true, result: {} });
    } else if (id !== null && op === 'shutdown') {
      await this.end(0, { id, ok: true, result: {} });
    } else if (id !== null && op === 'call' && !this.config) {
      write({ id, ok: false, error: 'no `hello` yet: the implementation is not set up' });
    } else if (id !== null && op === 'reset') {
      write({ id, ok: true, result: {} });
    } else {
      // call, and every malformed request: the page's session answers as the node adapter does.
      if (!this.config) {
        write({ id, ok: false, error: id === null ? 'a request needs an unsigned integer "id"' : `unknown op ${JSON.stringify(op)}` });
        return;
      }
      await this.evaluate(`globalThis.__conformance.handle(${JSON.stringify(request)})`, 'the request');
    }
  }

  async hello(id, request) {
    const checked = checkHello(request);
    if (checked.error) {
      write({ id, ok: false, error: checked.error });
      return;
    }
    const config = checked.config;
    try {
      const caPem = config.caCertificatesPem || '';
      if (!this.browser || caPem !== this.caPem) await this.startBrowser(caPem);
      this.config = config;
      this.profile = request.profile;
      await this.loadPage(false);
    } catch (err) {
      this.config = null;
      write({ id, ok: false, error: `config refused: ${err.message}` });
      return;
    }
    // The page's session checks the bundle's `my` and answers.
    await this.evaluate(`globalThis.__conformance.handle(${JSON.stringify(request)})`, 'hello');
  }

  /** (Re)starts the browser with an NSS database that trusts `caPem` (the CA changed: restart). */
  async startBrowser(caPem) {
    if (this.browser) {
      log('the CA changed: restarting the browser');
      const old = this.browser;
      this.browser = null;
      await old.close();
    }
    this.sessionId = null;
    this.headers = null;
    browsers.makeNssDatabase(this.home, caPem);
    const started = Date.now();
    const browser = await browsers.launchBrowser({ executable: this.executable, home: this.home, log });
    this.browser = browser;
    this.caPem = caPem;
    log(`${browser.version} started in ${Date.now() - started} ms (pid ${browser.child.pid}, HOME ${this.home})`);
    browser.exit.then(({ code, signal }) => {
      if (this.browser === browser && !this.ending) {
        log(`chromium exited unexpectedly (code ${code}, signal ${signal})`);
        this.end(1);
      }
    });
    browser.cdp.on('event', (method, params, sessionId) => this.onEvent(method, params, sessionId));
    const { targetId } = await browser.cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.cdp.send('Target.attachToTarget', { targetId, flatten: true });
    this.targetId = targetId;
    this.sessionId = sessionId;
    await this.send('Runtime.enable');
    await this.send('Page.enable');
    await this.send('Network.enable');
    await this.send('Runtime.addBinding', { name: page.BINDING });
  }

  send(method, params = {}) {
    return this.browser.cdp.send(method, params, this.sessionId);
  }

  /**
   * A fresh document (hello, reset): every socket of the previous one ends
   * with it, and nothing it still sends is relayed. Then host, protocol,
   * bundle, session.
   */
  async loadPage(helloed = true) {
    this.generation += 1;
    if (this.headers) {
      // A header-carrying connect of the old page was under way.
      this.headers = null;
      await this.send('Network.setExtraHTTPHeaders', { headers: {} });
    }
    await this.send('Page.navigate', { url: 'about:blank' });
    await this.evaluate(page.hostScript(this.generation, this.config), 'the host script', true);
    await this.evaluate(page.protocolScript(), 'the protocol script', true);
    await this.evaluate(`${this.impl.source}\n//# sourceURL=${this.impl.file}`, `the implementation bundle ${this.impl.file}`, true);
    await this.evaluate(page.startScript(helloed ? this.config : null, this.impl.api, this.profile), 'the session', true);
  }

  /** Evaluates `expression` in the page; an exception is thrown (`strict`) or logged. */
  async evaluate(expression, what, strict = false) {
    const result = await this.send('Runtime.evaluate', { expression, returnByValue: true });
    if (result.exceptionDetails) {
      const details = result.exceptionDetails;
      const text = details.exception && details.exception.description ? details.exception.description : details.text;
      if (strict) throw new Error(`${what} threw: ${text}`);
      log(`${what} threw: ${text}`);
    }
    return result.result;
  }

  onEvent(method, params, sessionId) {
    if (sessionId !== this.sessionId) return;
    switch (method) {
      case 'Runtime.bindingCalled':
        if (params.name === page.BINDING) this.relay(params.payload);
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
    if (!this.config || this.ending) return;
    this.send('Runtime.evaluate', { expression: `globalThis.__conformance && globalThis.__conformance.deliver(${JSON.stringify(news)})` })
      .catch((err) => log(`host channel: ${err.message}`));
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
      log(`page: ${message.text}`);
      return;
    }
    if (message && message.event === 'host') {
      this.hostRequest(message).catch((err) => log(`host channel: ${err.message}`));
      return;
    }
    write(message);
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
    if (missing.length > 0) log(`the handshake request went without the headers ${missing.join(', ')}`);
    this.clearHeaders().catch((err) => log(`host channel: ${err.message}`));
  }

  /** Ends the browser, removes the temporary HOME, writes `last` (if any) and exits. */
  async end(code, last = null) {
    if (this.ending) return;
    this.ending = true;
    if (this.browser) await this.browser.close();
    fs.rmSync(this.home, { recursive: true, force: true });
    const finish = () => process.exit(code);
    if (last) process.stdout.write(`${JSON.stringify(last)}\n`, finish);
    else process.stdout.write('', finish);
  }

  /** The synchronous last resort (process 'exit'): kill the group, remove HOME. */
  endNow() {
    if (this.browser) this.browser.kill();
    try {
      fs.rmSync(this.home, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

function main() {
  const impl = parseArguments(process.argv.slice(2));
  const executable = browsers.findChromium();
  if (!executable) fail('chromium is not installed (apt-get install chromium libnss3-tools), or set CHROMIUM to its path');
  if (!browsers.hasCertutil()) fail('certutil is not installed (apt-get install libnss3-tools)');
  const adapter = new BrowserAdapter({ executable, impl });
  process.on('exit', () => adapter.endNow());
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => adapter.end(0));
  process.stdout.on('error', () => adapter.end(0));

  let queue = Promise.resolve();
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  input.on('line', (line) => {
    if (line.trim() === '') return;
    queue = queue.then(() => adapter.handleLine(line)).catch((err) => {
      log(`request failed: ${err && err.stack ? err.stack : err}`);
      adapter.end(1);
    });
  });
  // stdin closed (the runner is gone or done): end everything.
  input.on('close', () => adapter.end(0));
  log(`browser adapter ${version} on Node.js ${process.version}, impl ${impl.file} (${impl.api} face), browser ${executable}`);
}

if (require.main === module) main();

module.exports = { BrowserAdapter, parseArguments };
