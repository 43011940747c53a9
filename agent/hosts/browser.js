#!/usr/bin/env node
'use strict';
// The agent (../agent.js) inside headless Chromium, over the browser build
// of the socket API (adapters/browser/impl/my-browser.js, on the page's own
// WebSocket), with the page's `fetch` for the agent's own requests: the
// end-to-end check of the agent in a page without a device.
//
//   node agent/hosts/browser.js URL TOKEN [--impl FILE]
//
// Before the page starts, the host fetches the run's mock-server CA from
// the endpoint (`ca.pem`) and installs it in the browser's certificate
// store, as a user installs it on a device. The page has no DevTools host
// channel (`myHost.openWebSocket`, `myHost.watch`): what a page cannot do
// without one (request headers, telling handshake failures apart) fails
// as it would in any page (adapters/browser/README.md). Each `hello` and
// `reset` with a config evaluates the bundle again with it (a fresh `my`),
// and the agent closes what the last one left. Exits 0 when the runner
// ends the run, 1 when the agent stops on an error or the browser dies.

const fs = require('node:fs');
const path = require('node:path');

const ADAPTERS = path.join(__dirname, '..', '..', 'adapters');
const browsers = require(path.join(ADAPTERS, 'browser', 'src', 'browser.js'));
const scripts = require(path.join(ADAPTERS, 'browser', 'src', 'scripts.js'));

/** The binding through which the page says the agent has finished. */
const DONE = '__agentDone';

function log(text) {
  process.stderr.write(`[agent browser] ${text}\n`);
}

function parseArgs(argv) {
  const out = { impl: path.join(ADAPTERS, 'browser', 'impl', 'my-browser.js') };
  const rest = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--impl') out.impl = path.resolve(argv[(i += 1)] || '');
    else rest.push(argv[i]);
  }
  [out.url, out.token] = rest;
  if (!out.url || !out.token || rest.length !== 2) {
    process.stderr.write('usage: node agent/hosts/browser.js URL TOKEN [--impl FILE]\n');
    process.exit(2);
  }
  return out;
}

/** The run's CA from the endpoint, once the run has one (at most 60 s). */
async function fetchCa(url, token) {
  const until = Date.now() + 60000;
  for (;;) {
    const res = await fetch(`${url}/ca.pem?token=${encodeURIComponent(token)}`);
    if (res.status === 200) return res.text();
    if (res.status !== 503 || Date.now() > until) throw new Error(`ca.pem: HTTP ${res.status}: ${await res.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the page evaluates after the bundle factory and agent.js: the agent's start. */
function startScript(url, token) {
  const options = JSON.stringify({ url, token });
  return `(function () {
  var options = ${options};
  var agent = globalThis.ConnectSocketAgent;
  var info = function () { return globalThis.myImplementation || {}; };
  options.request = agent.requestVia.fetch(fetch.bind(globalThis));
  options.face = 'my';
  options.name = 'my-browser';
  options.version = String(navigator.userAgent.match(/Chrome\\/[\\d.]+/) || 'browser');
  options.create = function (config, face) {
    globalThis.myHost = { config: config };
    globalThis.__makeImplementation();
    return globalThis[face];
  };
  options.onFinish = function (error, reason) {
    globalThis.${DONE}(JSON.stringify({ error: error, reason: reason }));
  };
  agent.start(options);
}());`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const executable = browsers.findChromium();
  if (!executable) throw new Error('chromium is not installed (apt-get install chromium libnss3-tools), or set CHROMIUM');
  if (!browsers.hasCertutil()) throw new Error('certutil is not installed (apt-get install libnss3-tools)');
  const ca = await fetchCa(args.url, args.token);
  const home = browsers.makeTemporaryHome();
  browsers.makeNssDatabase(home, ca);
  const browser = await browsers.launchBrowser({ executable, home, log });
  const end = (code) => {
    browser.kill();
    fs.rmSync(home, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => end(1));
  process.on('SIGINT', () => end(1));
  browser.exit.then(() => {
    log('the browser exited');
    end(1);
  });
  const { cdp } = browser;
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  cdp.on('event', (method, params, from) => {
    if (from !== sessionId) return;
    if (method === 'Runtime.bindingCalled' && params.name === DONE) {
      const { error, reason } = JSON.parse(params.payload);
      log(error ? `stopped: ${error}` : `finished: ${reason}`);
      end(error ? 1 : 0);
    } else if (method === 'Runtime.consoleAPICalled' && process.env.AGENT_BROWSER_CONSOLE) {
      log(`console: ${params.args.map((a) => a.value).join(' ')}`);
    } else if (method === 'Inspector.targetCrashed') {
      log('the page crashed');
      end(1);
    }
  });
  const send = (method, params = {}) => cdp.send(method, params, sessionId);
  await send('Runtime.enable');
  await send('Inspector.enable');
  await send('Runtime.addBinding', { name: DONE });
  const evaluate = async (expression) => {
    const { exceptionDetails } = await send('Runtime.evaluate', { expression });
    if (exceptionDetails) throw new Error(`the page refused a script: ${exceptionDetails.exception ? exceptionDetails.exception.description : exceptionDetails.text}`);
  };
  // The bundle as a factory: each call defines a fresh `my` (and `wx`, `tt`) with `myHost.config`.
  await evaluate(`globalThis.__makeImplementation = function () {\n${scripts.implementationScript(args.impl)}\n};`);
  await evaluate(fs.readFileSync(path.join(__dirname, '..', 'agent.js'), 'utf8'));
  await evaluate(startScript(args.url, args.token));
  log(`agent started in ${browser.version || 'chromium'}`);
}

main().catch((err) => {
  log(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
