'use strict';
// Several instances in one adapter process (`instances` in the hello
// result, `instance` on every line): each is an implementation of its own.

const test = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

const INSTANCES = 4;

async function echoServer(t) {
  const s = await h.startWsServer(h.echo);
  t.after(() => s.stop());
  return s;
}

/** The adapter holding INSTANCES instances, introduced with `config`. */
async function started(t, config) {
  const adapter = h.startAdapter(undefined, [], { NODE_WS_INSTANCES: String(INSTANCES) });
  t.after(() => adapter.kill());
  const hello = await adapter.request({ id: 1, op: 'hello', protocol: 1, config });
  assert.equal(hello.ok, true, JSON.stringify(hello));
  assert.equal(hello.result.instances, INSTANCES);
  return adapter;
}

/** A connect on `instance` (undefined: 0) with `listener` on its open; `multiple` makes a task. */
function connect(adapter, instance, id, url, multiple) {
  return adapter.request({
    id,
    instance,
    op: 'call',
    target: 'my',
    method: 'connectSocket',
    args: multiple ? { url, multiple: true } : { url },
  });
}

/** The first callback of call `id` on `instance` that is not `complete`. */
function outcome(adapter, instance, id) {
  return adapter.until((m) => m.event === 'callback' && m.call === id && m.instance === instance && m.kind !== 'complete');
}

test('instances: a new instance runs with the hello config, not the config a reset gave instance 0', async (t) => {
  const s = await echoServer(t);
  const adapter = await started(t, { connectTimeoutMs: 2000 });
  // Instance 0 takes wssOnly before instance 1 is first used.
  const reset = await adapter.request({ id: 2, op: 'reset', config: { wssOnly: true } });
  assert.equal(reset.ok, true, JSON.stringify(reset));
  const refused = await connect(adapter, undefined, 3, s.url, false);
  assert.equal(refused.ok, true);
  assert.deepEqual((await outcome(adapter, undefined, 3)).kind, 'fail');
  // Instance 1 knows nothing of it: a ws:// URL connects (wssOnly would fail it with 8).
  const call = await connect(adapter, 1, 1, s.url, false);
  assert.equal(call.ok, true, JSON.stringify(call));
  const first = await outcome(adapter, 1, 1);
  assert.equal(first.kind, 'success', JSON.stringify(first));
  await h.within(new Promise((resolve) => {
    const check = () => (s.seen.requests.length === 1 ? resolve() : setTimeout(check, 10));
    check();
  }), 'the handshake of instance 1');
});

test('instances: one instance\'s open sockets do not count against another\'s maxTasks', async (t) => {
  const s = await echoServer(t);
  const adapter = await started(t, { connectTimeoutMs: 2000, maxTasks: 1 });
  for (const instance of [undefined, 1, 2]) {
    await adapter.request({ id: 1, instance, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O' });
    await connect(adapter, instance, 2, s.url, false);
    assert.equal((await outcome(adapter, instance, 2)).kind, 'success', `instance ${instance}`);
    await adapter.until((m) => m.event === 'listener' && m.listener === 'O' && m.instance === instance);
  }
  // The limit still holds within an instance: a task on instance 1 is its second socket.
  await connect(adapter, 1, 3, s.url, true);
  const second = await outcome(adapter, 1, 3);
  assert.equal(second.kind, 'fail');
  assert.equal(second.res.error, 1);
  assert.equal(s.seen.requests.length, 3);
});

test('instances: a reset of one instance ends its sockets only', async (t) => {
  const s = await echoServer(t);
  const adapter = await started(t, { connectTimeoutMs: 2000, closeTimeoutMs: 300 });
  for (const instance of [undefined, 1]) {
    await adapter.request({ id: 1, instance, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O' });
    await adapter.request({ id: 2, instance, op: 'call', target: 'my', method: 'onSocketMessage', listener: 'M' });
    await connect(adapter, instance, 3, s.url, false);
    await adapter.until((m) => m.event === 'listener' && m.listener === 'O' && m.instance === instance);
  }
  assert.equal((await adapter.request({ id: 4, op: 'reset' })).ok, true);
  await adapter.request({
    id: 4, instance: 1, op: 'call', target: 'my', method: 'sendSocketMessage', args: { data: 'still here' },
  });
  const echoed = await adapter.until((m) => m.event === 'listener' && m.listener === 'M' && m.instance === 1);
  assert.equal(echoed.res.data, 'still here');
  // Instance 0's socket ended without events; its global socket is gone.
  await adapter.request({ id: 5, op: 'call', target: 'my', method: 'sendSocketMessage', args: { data: 'gone' } });
  assert.equal((await outcome(adapter, undefined, 5)).res.error, 10);
  assert.equal(adapter.messages.filter((m) => m.event === 'listener' && m.listener === 'M' && m.instance === undefined).length, 0);
});

test('instances: a request for an instance the adapter does not hold, or a hello off instance 0, is refused', async (t) => {
  const adapter = await started(t, {});
  // The refusal names the instance the request named, so that it is not
  // taken for an answer on instance 0; an instance that is not a count
  // has none to name.
  adapter.send({ id: 2, instance: INSTANCES, op: 'reset' });
  const beyond = await adapter.until((m) => m.id === 2);
  assert.equal(beyond.ok, false);
  assert.equal(beyond.instance, INSTANCES);
  assert.match(beyond.error, /no instance/);
  adapter.send({ id: 6, instance: 'one', op: 'reset' });
  const named = await adapter.until((m) => m.id === 6);
  assert.equal(named.ok, false);
  assert.equal(named.instance, undefined);
  const hello = await adapter.request({ id: 3, instance: 1, op: 'hello', protocol: 1, config: {} });
  assert.equal(hello.ok, false);
});

test('secure context: Contexts trusting the same CA text share one (made once, not at every reset)', () => {
  const tls = require('node:tls');
  const { _internal } = require('../src/ws-transport');
  const pem = tls.rootCertificates[0];
  const first = _internal.secureContext(pem);
  assert.ok(first instanceof tls.SecureContext);
  assert.equal(_internal.secureContext(pem), first);
  assert.notEqual(_internal.secureContext(`${pem}\n${tls.rootCertificates[1]}`), first);
  assert.throws(() => _internal.secureContext('no PEM here'), /no PEM certificate/);
});

test('instances: an uncaught exception ends the process with a last stderr line that says so', async (t) => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { spawn } = require('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-ws-crash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const preload = path.join(dir, 'crash.js');
  fs.writeFileSync(preload, "process.stdin.on('data', () => setImmediate(() => { throw new Error('boom: injected'); }));\n");
  const child = spawn(process.execPath, ['-r', preload, path.join(__dirname, '..', 'src', 'adapter.js')], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, NODE_WS_INSTANCES: '3' },
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.write('{"id":1,"op":"hello","protocol":1,"config":{}}\n');
  assert.equal(await h.within(exited, 'the adapter to exit'), 1);
  const lines = stderr.trim().split('\n');
  assert.match(stderr, /uncaught exception: Error: boom: injected\n\s+at /);
  assert.equal(lines[lines.length - 1],
    '[node-ws adapter] the process ends on an uncaught exception, with its 3 instance(s): boom: injected');
});
