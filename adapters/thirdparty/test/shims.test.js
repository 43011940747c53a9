'use strict';
// Each shim's bundle loads in the browser adapter's page and answers hello,
// for the `my` face and the `wx` face, with the framework's version and the
// config keys it declares unsupported. The bundles are built first (esbuild,
// from node_modules). Skipped with one line when chromium or certutil is missing.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { within } = require('connectsocket-common/testing');
const { findChromium, hasCertutil } = require('connectsocket-browser-adapter/src/browser');
const { IMPLEMENTATIONS, installedVersion } = require('../implementations');
const { build } = require('../build');

const ADAPTER = require.resolve('connectsocket-browser-adapter/src/adapter');
const WAIT_MS = 30000;

function skipReason() {
  if (!findChromium()) return 'chromium is not installed (apt-get install chromium libnss3-tools): third-party shim tests skipped';
  if (!hasCertutil()) return 'certutil is not installed (apt-get install libnss3-tools): third-party shim tests skipped';
  return null;
}
const skip = skipReason() || false;
if (skip) console.log(`# ${skip}`);

/** The browser adapter over `bundle`; `request(message)` resolves with the answer to it. */
function startAdapter(t, bundle, extraArgs = []) {
  const child = spawn(process.execPath, [ADAPTER, '--impl', bundle, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const pending = new Map();
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line);
    if (pending.has(message.id)) pending.get(message.id)(message);
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
  return {
    request(message) {
      const answer = new Promise((resolve) => pending.set(message.id, resolve));
      child.stdin.write(`${JSON.stringify(message)}\n`);
      return within(answer, () => `the answer to ${JSON.stringify(message)}; stderr: ${stderr}`, WAIT_MS);
    },
    exited,
  };
}

const hello = (extra = {}) => ({ id: 1, op: 'hello', protocol: 1, config: {}, ...extra });

for (const impl of IMPLEMENTATIONS) {
  test(`${impl.id}: the bundle of ${impl.package} builds, loads in the page and answers hello as my and as wx`, { skip, timeout: 120000 }, async (t) => {
    const bundle = await build(impl);
    const version = installedVersion(impl.package);

    const my = startAdapter(t, bundle);
    const answer = await my.request(hello());
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.result.name, `browser:${impl.id}`);
    assert.ok(answer.result.version.startsWith(`${version} (`), answer.result.version);
    assert.deepEqual(answer.result.unsupported, ['connectTimeoutMs', 'closeTimeoutMs', 'maxMessageBytes', 'maxTasks', 'wssOnly', 'allowedHosts']);
    assert.equal(answer.result.api, undefined);
    // The framework's own connectSocket is what `my.connectSocket` calls: it returns an object.
    const call = await my.request({ id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: 'ws://127.0.0.1:9/' } });
    assert.deepEqual(call.result, { returned: { task: 't1' } });
    // Every framework exports onSocketOpen (some only to warn that it is not supported): it runs without throwing.
    const listen = await my.request({ id: 3, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O' });
    assert.equal(listen.ok, true, JSON.stringify(listen));

    const wx = startAdapter(t, bundle, ['--api', 'wx']);
    const wxAnswer = await wx.request(hello());
    assert.equal(wxAnswer.ok, true, JSON.stringify(wxAnswer));
    assert.equal(wxAnswer.result.api, 'wx');
  });
}
