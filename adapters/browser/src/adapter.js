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
// The protocol dispatch runs inside the page (connectsocket-common/protocol,
// bundled into the page runtime by ./scripts.js), so `then` / `within` calls
// are made in the page's own tick; this process
// relays lines between the runner and the page, owns the browser (a fresh
// temporary HOME, NSS database and profile; killed whole on every way out),
// and feeds the page's host channel from the DevTools Network domain.
// stdout carries protocol messages only; logs go to stderr.

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

// What runs in the page is bundled with esbuild, and the protocol is the
// adapters' shared package: on a fresh clone, say the one command that
// installs them instead of a stack trace. Packages are installed at the root
// of the adapters' npm workspaces (adapters/).
try {
  require.resolve('esbuild');
  require.resolve('connectsocket-common/protocol');
} catch {
  const root = path.dirname(path.dirname(__dirname));
  process.stderr.write(
    `[browser adapter] the browser adapter needs its npm packages, which are not installed: run \`npm ci --prefix ${root} --workspace=browser\` once\n`,
  );
  process.exit(2);
}

const { checkHello, FACES } = require('connectsocket-common/protocol');
const browsers = require('./browser');
const { PageInstance } = require('./instance');
const scripts = require('./scripts');
const { version } = require('../package.json');

const USAGE = 'usage: node adapters/browser/src/adapter.js --impl path/to/bundle.js [--api my|wx|tt] [--instances N]';

function log(text) {
  process.stderr.write(`[browser adapter] ${text}\n`);
}

/** Writes one JSON line to stdout. */
function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * `--impl FILE` (or `--impl=FILE`), `--api my|wx` (default my) and
 * `--instances N` (default BROWSER_INSTANCES, else 16): the bundle's
 * absolute path and script (./scripts.js: a source of impl/ is bundled),
 * the face and the instance count; exits 2 on a bad command line.
 */
function parseArguments(argv) {
  let impl = null;
  let api = 'my';
  let instances = process.env.BROWSER_INSTANCES;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--impl' && i + 1 < argv.length) {
      impl = argv[i + 1];
      i += 1;
    } else if (arg.startsWith('--impl=')) {
      impl = arg.slice('--impl='.length);
    } else if ((arg === '--instances' && i + 1 < argv.length) || arg.startsWith('--instances=')) {
      instances = arg === '--instances' ? argv[(i += 1)] : arg.slice('--instances='.length);
    } else if ((arg === '--api' && i + 1 < argv.length) || arg.startsWith('--api=')) {
      api = arg === '--api' ? argv[(i += 1)] : arg.slice('--api='.length);
      if (!Object.hasOwn(FACES, api)) fail(`--api must be one of ${Object.keys(FACES).join(', ')}, not ${JSON.stringify(api)}\n${USAGE}`);
    } else {
      fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  if (!impl) fail(`--impl is required\n${USAGE}`);
  const file = path.resolve(impl);
  let script;
  try {
    script = scripts.implementationScript(file);
  } catch (err) {
    fail(`cannot read the implementation bundle ${JSON.stringify(file)} given by --impl: ${err.message}`);
  }
  return { file, script, api, instances: instanceCount(instances) };
}

function fail(text) {
  log(text);
  process.exit(2);
}

/**
 * The instances one adapter holds (`instances` in the hello result): one
 * page each, in one browser. `--instances N` or BROWSER_INSTANCES sets it.
 */
const DEFAULT_INSTANCES = 16;

/** Renderer processes the instances' pages share: one per core. */
const RENDERER_PROCESSES = Math.max(2, require('node:os').availableParallelism());

/** `--instances` / BROWSER_INSTANCES: a whole number from 1 to 128, else exit 2. */
function instanceCount(text) {
  if (text === undefined || text === '') return DEFAULT_INSTANCES;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 128) fail(`instances must be a whole number from 1 to 128, not ${JSON.stringify(text)}\n${USAGE}`);
  return count;
}

/** The adapter: the browser, a page per instance, and the relay between them and the runner. */
class BrowserAdapter {
  constructor({ executable, impl, instances = 1 }) {
    this.executable = executable;
    this.impl = impl;
    this.instances = instances;
    this.home = browsers.makeTemporaryHome();
    this.browser = null;
    this.caPem = null;
    /** The hello config (every instance starts with it), or null before hello. */
    this.config = null;
    this.profile = undefined;
    /** Instance number -> PageInstance, made when first needed. */
    this.pages = new Map();
    /** DevTools session id -> PageInstance. */
    this.bySession = new Map();
    this.ending = false;
    this.log = log;
    this.write = write;
  }

  /**
   * Handles one request line. Requests of one instance are handled one
   * after another, in order; the returned promise settles when this one is.
   */
  handleLine(line) {
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      write({ id: null, ok: false, error: `not JSON: ${err.message}` });
      return Promise.resolve();
    }
    const isObject = request !== null && typeof request === 'object' && !Array.isArray(request);
    const id = isObject && Number.isInteger(request.id) && request.id >= 0 ? request.id : null;
    const number = isObject && request.instance !== undefined ? request.instance : 0;
    if (!Number.isInteger(number) || number < 0 || number >= this.instances) {
      write({ id, ok: false, error: `no instance ${JSON.stringify(number)} (this adapter holds ${this.instances})` });
      return Promise.resolve();
    }
    const instance = this.instance(number);
    return instance.enqueue(() => this.handle(instance, request, id));
  }

  /** The instance `number` (its page is opened on its first request after hello). */
  instance(number) {
    let instance = this.pages.get(number);
    if (!instance) {
      instance = new PageInstance(this, number);
      this.pages.set(number, instance);
    }
    return instance;
  }

  async handle(instance, request, id) {
    const op = request && typeof request === 'object' ? request.op : undefined;
    if (id !== null && op === 'hello') {
      if (instance.number !== 0) instance.write({ id, ok: false, error: 'hello goes to instance 0 only' });
      else await this.hello(id, request);
      return;
    }
    if (id !== null && op === 'shutdown') {
      await this.end(0, { id, ok: true, result: {} });
      return;
    }
    if (!this.config) {
      if (id !== null && op === 'call') instance.write({ id, ok: false, error: 'no `hello` yet: the implementation is not set up' });
      else if (id !== null && op === 'reset' && request.config === undefined) instance.write({ id, ok: true, result: {} });
      else if (id !== null && op === 'reset') instance.write({ id, ok: false, error: 'reset with a config before hello' });
      else instance.write({ id, ok: false, error: id === null ? 'a request needs an unsigned integer "id"' : `unknown op ${JSON.stringify(op)}` });
      return;
    }
    try {
      if (!instance.sessionId) await this.openInstance(instance);
      if (id !== null && op === 'reset') await this.reset(instance, id, request);
      // call, and every malformed request: the page's session answers as the node adapter does.
      else await instance.handle(request);
    } catch (err) {
      if (this.ending || !this.browser) return;
      // The page is gone (a crash) or refused a script: this instance's request fails, the others go on.
      instance.log(`request failed: ${err && err.stack ? err.stack : err}`);
      instance.crashed = instance.crashed || `the page of instance ${instance.number} failed: ${err.message}`;
      instance.write({ id, ok: false, error: `${instance.crashed}; a reset makes a new page` });
    }
  }

  /**
   * Opens the page of an instance other than 0, as after hello (its
   * config), on its first request. Pages are not opened ahead: a runner
   * retires a whole process after an adapter fault, and pages nobody uses
   * would cost CPU on every restart.
   */
  async openInstance(instance) {
    if (instance.targetId) await instance.close();
    await instance.open();
    this.bySession.set(instance.sessionId, instance);
    await instance.load(this.config);
  }

  /**
   * `reset`, with an optional `config` the instance takes from then on: a
   * fresh page (or the page as it is, when a reset made it and it has
   * handled nothing since: src/instance.js).
   */
  async reset(instance, id, request) {
    let config = instance.config;
    if (request.config !== undefined) {
      const checked = checkHello({ protocol: 1, config: request.config });
      if (checked.error) {
        instance.write({ id, ok: false, error: checked.error });
        return;
      }
      config = checked.config;
      if ((config.caCertificatesPem || '') !== this.caPem) {
        // One NSS database per browser: every instance trusts hello's CA.
        instance.write({ id, ok: false, error: 'config refused: caCertificatesPem differs from hello\'s (one browser trusts one CA set; send hello again to change it)' });
        return;
      }
    }
    const before = instance.sessionId;
    await instance.load(config, true, true);
    if (instance.sessionId !== before) {
      // The crashed page was replaced by a new one.
      this.bySession.delete(before);
      this.bySession.set(instance.sessionId, instance);
    }
    instance.write({ id, ok: true, result: {} });
  }

  async hello(id, request) {
    const checked = checkHello(request);
    if (checked.error) {
      write({ id, ok: false, error: checked.error });
      return;
    }
    const config = checked.config;
    const first = this.instance(0);
    try {
      const caPem = config.caCertificatesPem || '';
      if (!this.browser || caPem !== this.caPem) await this.startBrowser(caPem);
      else await this.closeOtherInstances();
      this.config = config;
      this.profile = request.profile;
      if (!first.sessionId || first.crashed) {
        this.bySession.delete(first.sessionId);
        await first.close();
        await first.open();
        this.bySession.set(first.sessionId, first);
      }
      await first.load(config, false);
    } catch (err) {
      this.config = null;
      write({ id, ok: false, error: `config refused: ${err.message}` });
      return;
    }
    // The page's session checks the bundle's `my` and answers.
    await first.handle(request);
  }

  /** A later hello: the other instances are made again, with its config, when next asked for. */
  async closeOtherInstances() {
    for (const instance of this.pages.values()) {
      if (instance.number === 0 || !instance.sessionId) continue;
      this.bySession.delete(instance.sessionId);
      await instance.close();
    }
  }

  /** (Re)starts the browser with an NSS database that trusts `caPem` (the CA changed: restart). */
  async startBrowser(caPem) {
    if (this.browser) {
      log('the CA changed: restarting the browser');
      const old = this.browser;
      this.browser = null;
      await old.close();
    }
    for (const instance of this.pages.values()) {
      instance.sessionId = null;
      instance.targetId = null;
      instance.fresh = false;
    }
    this.bySession.clear();
    browsers.makeNssDatabase(this.home, caPem);
    const started = Date.now();
    // The instances' pages share a few renderer processes (src/instance.js).
    const extraArguments = this.instances > 1 ? [`--renderer-process-limit=${RENDERER_PROCESSES}`] : [];
    const browser = await browsers.launchBrowser({ executable: this.executable, home: this.home, log, extraArguments });
    this.browser = browser;
    this.caPem = caPem;
    log(`${browser.version} started in ${Date.now() - started} ms (pid ${browser.child.pid}, HOME ${this.home}), ${this.instances} instance(s)`);
    browser.exit.then(({ code, signal }) => {
      if (this.browser === browser && !this.ending) {
        log(`chromium exited unexpectedly (code ${code}, signal ${signal})`);
        this.end(1);
      }
    });
    browser.cdp.on('event', (method, params, sessionId) => {
      const instance = this.bySession.get(sessionId);
      if (instance) instance.onEvent(method, params);
    });
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
  try {
    scripts.runtimeScript();
  } catch (err) {
    fail(`cannot bundle the page runtime: ${err.message}`);
  }
  const executable = browsers.findChromium();
  if (!executable) fail('chromium is not installed (apt-get install chromium libnss3-tools), or set CHROMIUM to its path');
  if (!browsers.hasCertutil()) fail('certutil is not installed (apt-get install libnss3-tools)');
  const adapter = new BrowserAdapter({ executable, impl, instances: impl.instances });
  process.on('exit', () => adapter.endNow());
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => adapter.end(0));
  process.stdout.on('error', () => adapter.end(0));

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  input.on('line', (line) => {
    if (line.trim() === '') return;
    adapter.handleLine(line).catch((err) => {
      log(`request failed: ${err && err.stack ? err.stack : err}`);
      adapter.end(1);
    });
  });
  // stdin closed (the runner is gone or done): end everything.
  input.on('close', () => adapter.end(0));
  log(`browser adapter ${version} on Node.js ${process.version}, impl ${impl.file} (${impl.api} face, ${impl.instances} instance(s)), browser ${executable}`);
}

if (require.main === module) main();

module.exports = { BrowserAdapter, parseArguments };
