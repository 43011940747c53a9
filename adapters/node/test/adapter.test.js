'use strict';
// The adapter protocol v1, driving `node src/adapter.js` as a child process.

const test = require('node:test');
const assert = require('node:assert/strict');
const { MESSAGES } = require('..');
const { version } = require('../package.json');
const h = require('./helpers');
const { DEFAULT_INSTANCES, instancesFrom } = require('../src/adapter');

async function started(t, config = { connectTimeoutMs: 2000, closeTimeoutMs: 300 }) {
  const adapter = h.startAdapter();
  t.after(() => adapter.kill());
  const hello = await adapter.request({ id: 1, op: 'hello', protocol: 1, config });
  return { adapter, hello };
}

async function echoServer(t) {
  const s = await h.startWsServer(h.echo);
  t.after(() => s.stop());
  return s;
}

/** The messages after the one matching `pred`. */
function after(messages, pred) {
  return messages.slice(messages.findIndex(pred) + 1);
}

test('hello: names the implementation, its version and protocol 1, nothing unsupported, 64 instances', async (t) => {
  const { hello } = await started(t);
  assert.deepEqual(hello, {
    id: 1, ok: true, result: { name: 'node-ws', version, protocol: 1, unsupported: [], instances: DEFAULT_INSTANCES },
  });
  assert.equal(DEFAULT_INSTANCES, 64);
});

test('hello: NODE_WS_INSTANCES=1 declares no instances (one scenario at a time); a value that is not a count stops the adapter', async (t) => {
  const one = h.startAdapter(undefined, [], { NODE_WS_INSTANCES: '1' });
  t.after(() => one.kill());
  assert.deepEqual(await one.request({ id: 1, op: 'hello', protocol: 1, config: {} }), {
    id: 1, ok: true, result: { name: 'node-ws', version, protocol: 1, unsupported: [] },
  });
  const bad = h.startAdapter(undefined, [], { NODE_WS_INSTANCES: 'lots' });
  t.after(() => bad.kill());
  assert.deepEqual(await h.within(bad.exited, 'the adapter to exit'), { code: 2, signal: null });
  assert.match(bad.stderr, /NODE_WS_INSTANCES must be a whole number from 1 \(got "lots"\)/);
  assert.equal(instancesFrom(undefined), 64);
  assert.equal(instancesFrom(''), 64);
  assert.equal(instancesFrom('8'), 8);
  for (const text of ['0', '-2', '1.5', '2x']) assert.equal(typeof instancesFrom(text), 'string', text);
});

test('hello: an unknown config key, protocol version or bad PEM is refused; no call before a hello', async (t) => {
  const adapter = h.startAdapter();
  t.after(() => adapter.kill());
  const early = await adapter.request({ id: 10, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'L' });
  assert.equal(early.ok, false);
  assert.match(early.error, /hello/);
  const bad = await adapter.request({ id: 1, op: 'hello', protocol: 1, config: { maxTask: 2 } });
  assert.equal(bad.ok, false);
  assert.match(bad.error, /maxTask/);
  const v2 = await adapter.request({ id: 2, op: 'hello', protocol: 2, config: {} });
  assert.equal(v2.ok, false);
  const pem = await adapter.request({ id: 3, op: 'hello', protocol: 1, config: { caCertificatesPem: 'not a PEM bundle' } });
  assert.equal(pem.ok, false);
  assert.match(pem.error, /caCertificatesPem/);
  const typed = await adapter.request({ id: 5, op: 'hello', protocol: 1, config: { maxTasks: '5', wssOnly: 1 } });
  assert.equal(typed.ok, false);
  assert.match(typed.error, /maxTasks, wssOnly/);
  const ok = await adapter.request({ id: 4, op: 'hello', protocol: 1, config: {} });
  assert.equal(ok.ok, true);
});

test('order.async connect.open: the response comes when the method returned; callbacks and listeners after', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  assert.deepEqual(await adapter.request({ id: 2, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'L1' }),
    { id: 2, ok: true, result: { returned: null } });
  const response = await adapter.request({ id: 3, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  assert.deepEqual(response, { id: 3, ok: true, result: { returned: null } });
  await adapter.until((m) => m.event === 'listener');
  const rest = after(adapter.messages, (m) => m.id === 3);
  assert.deepEqual(rest, [
    { event: 'callback', call: 3, kind: 'success', res: {} },
    { event: 'callback', call: 3, kind: 'complete', res: {} },
    { event: 'listener', target: 'my', listener: 'L1', type: 'open', res: {} },
  ]);
});

test('connect.return then: a task handle is returned; then-calls on $returned answer after the response', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  adapter.send({
    id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url, multiple: true },
    then: [
      { id: 3, target: '$returned', method: 'onOpen', listener: 'O' },
      { id: 4, target: '$returned', method: 'onMessage', listener: 'M' },
    ],
  });
  await adapter.until((m) => m.event === 'listener' && m.type === 'open');
  assert.deepEqual(adapter.messages.slice(1, 4), [
    { id: 2, ok: true, result: { returned: { task: 't1' } } },
    { id: 3, ok: true, result: { returned: null } },
    { id: 4, ok: true, result: { returned: null } },
  ]);
  // "$binary" args become an ArrayBuffer: sent as binary, echoed back as base64.
  await adapter.request({ id: 5, op: 'call', target: 't1', method: 'send', args: { data: { $binary: 'AQID' } } });
  const message = await adapter.until((m) => m.event === 'listener' && m.type === 'message');
  assert.deepEqual(message, { event: 'listener', target: 't1', listener: 'M', type: 'message', res: { data: 'AQID', isBuffer: true } });
  assert.deepEqual(adapter.messages.filter((m) => m.call === 5).map((m) => m.kind), ['success', 'complete']);
});

test('connect.listener-in-success within: calls inside success run there; their responses follow its event', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  adapter.send({
    id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url, multiple: true },
    within: { success: [{ id: 3, target: '$returned', method: 'onOpen', listener: 'L1' }] },
  });
  await adapter.until((m) => m.event === 'listener');
  assert.deepEqual(adapter.messages.slice(1), [
    { id: 2, ok: true, result: { returned: { task: 't1' } } },
    { event: 'callback', call: 2, kind: 'success', res: {} },
    { id: 3, ok: true, result: { returned: null } },
    { event: 'callback', call: 2, kind: 'complete', res: {} },
    { event: 'listener', target: 't1', listener: 'L1', type: 'open', res: {} },
  ]);
});

test('listeners.during-dispatch within.listener: calls inside a listener take effect from the next event', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  await adapter.request({
    id: 2, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O1',
    within: { listener: [
      { id: 3, target: 'my', method: 'offSocketOpen', listener: 'O2' },
      { id: 4, target: 'my', method: 'onSocketOpen', listener: 'O3' },
    ] },
  });
  await adapter.request({ id: 5, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O2' });
  await adapter.request({ id: 9, op: 'call', target: 'my', method: 'onSocketClose', listener: 'C' });
  await adapter.request({ id: 6, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  await adapter.until((m) => m.event === 'listener' && m.listener === 'O2');
  assert.deepEqual(after(adapter.messages, (m) => m.call === 6 && m.kind === 'complete'), [
    { event: 'listener', target: 'my', listener: 'O1', type: 'open', res: {} },
    { id: 3, ok: true, result: { returned: null } },
    { id: 4, ok: true, result: { returned: null } },
    { event: 'listener', target: 'my', listener: 'O2', type: 'open', res: {} },
  ]);
  await adapter.request({ id: 7, op: 'call', target: 'my', method: 'closeSocket' });
  await adapter.until((m) => m.event === 'listener' && m.listener === 'C');
  await adapter.request({ id: 8, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  await adapter.until((m) => m.event === 'listener' && m.listener === 'O3');
  assert.deepEqual(after(adapter.messages, (m) => m.call === 8 && m.kind === 'complete'), [
    { event: 'listener', target: 'my', listener: 'O1', type: 'open', res: {} },
    { event: 'listener', target: 'my', listener: 'O3', type: 'open', res: {} },
  ]);
});

test('connect.url.empty noArgument: fail reports the code; noArgument calls with nothing (no callbacks)', async (t) => {
  const { adapter } = await started(t);
  await adapter.request({ id: 2, op: 'call', target: 'my', method: 'connectSocket', noArgument: true });
  await adapter.request({ id: 3, op: 'call', target: 'my', method: 'connectSocket', args: { url: '   ' } });
  await adapter.until((m) => m.call === 3 && m.kind === 'complete');
  assert.deepEqual(adapter.messages.filter((m) => m.event), [
    { event: 'callback', call: 3, kind: 'fail', res: { error: 3, errorMessage: MESSAGES[3] } },
    { event: 'callback', call: 3, kind: 'complete', res: { error: 3, errorMessage: MESSAGES[3] } },
  ]);
});

test('listeners.twice listeners.off-one: one function per (target, type, name), shared by on and off', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  const call = (id, method, listener) => adapter.request({ id, op: 'call', target: 'my', method, listener });
  await call(2, 'onSocketOpen', 'A');
  await call(3, 'onSocketOpen', 'B');
  await call(4, 'onSocketOpen', 'A');
  await call(5, 'offSocketOpen', 'B');
  await call(6, 'onSocketClose', 'A'); // another function: my/close/A
  await call(7, 'offSocketClose'); // no listener: removes all close listeners
  await adapter.request({ id: 8, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  await adapter.until((m) => m.event === 'listener' && adapter.messages.filter((x) => x.event === 'listener').length === 2);
  await adapter.request({ id: 9, op: 'call', target: 'my', method: 'closeSocket', args: { code: 1000 } });
  await adapter.until((m) => m.call === 9 && m.kind === 'complete');
  await h.settle(100);
  assert.deepEqual(adapter.messages.filter((m) => m.event === 'listener').map((m) => `${m.listener}:${m.type}`), ['A:open', 'A:open']);
});

test('protocol errors: a line that is not JSON, an unknown op, method or target; the adapter goes on', async (t) => {
  const { adapter } = await started(t);
  adapter.send('this is not json');
  const notJson = await adapter.until((m) => m.id === null);
  assert.equal(notJson.ok, false);
  assert.equal(typeof notJson.error, 'string');
  const op = await adapter.request({ id: 2, op: 'dance' });
  assert.equal(op.ok, false);
  const method = await adapter.request({ id: 3, op: 'call', target: 'my', method: 'send' });
  assert.equal(method.ok, false);
  assert.match(method.error, /unknown method/);
  const target = await adapter.request({ id: 4, op: 'call', target: 't9', method: 'send' });
  assert.equal(target.ok, false);
  assert.match(target.error, /unknown target/);
  const returned = await adapter.request({ id: 5, op: 'call', target: '$returned', method: 'send' });
  assert.equal(returned.ok, false);
  const fine = await adapter.request({ id: 6, op: 'call', target: 'my', method: 'offSocketOpen' });
  assert.equal(fine.ok, true);
});

test('reset: sockets end without events, listeners and handles are dropped, numbering restarts at t1', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  adapter.send({
    id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url, multiple: true },
    then: [{ id: 3, target: '$returned', method: 'onOpen', listener: 'O' }, { id: 4, target: '$returned', method: 'onClose', listener: 'C' }],
  });
  await adapter.request({ id: 5, op: 'call', target: 'my', method: 'onSocketClose', listener: 'G' });
  await adapter.request({ id: 6, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  await adapter.until((m) => m.event === 'listener' && m.type === 'open');
  for (let i = 0; i < 100 && s.wss.clients.size < 2; i += 1) await h.settle(10);
  assert.deepEqual(await adapter.request({ id: 7, op: 'reset' }), { id: 7, ok: true, result: {} });
  const mark = adapter.messages.length;
  for (let i = 0; i < 100 && s.wss.clients.size > 0; i += 1) await h.settle(10);
  assert.equal(s.wss.clients.size, 0, 'every socket ended');
  const stale = await adapter.request({ id: 8, op: 'call', target: 't1', method: 'send', args: { data: 'x' } });
  assert.equal(stale.ok, false, 't1 is gone');
  const again = await adapter.request({ id: 9, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url, multiple: true } });
  assert.deepEqual(again.result, { returned: { task: 't1' } });
  await adapter.until((m) => m.call === 9 && m.kind === 'complete');
  // A global connect works again at once: the old global socket is gone.
  await adapter.request({ id: 10, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  await adapter.until((m) => m.call === 10 && m.kind === 'complete');
  await h.settle(100);
  const events = adapter.messages.slice(mark).filter((m) => m.event);
  assert.deepEqual(events.map((m) => `${m.call}:${m.kind}`), ['9:success', '9:complete', '10:success', '10:complete']);
});

test('shutdown: replies, then exits with status 0', async (t) => {
  const { adapter } = await started(t);
  assert.deepEqual(await adapter.request({ id: 2, op: 'shutdown' }), { id: 2, ok: true, result: {} });
  assert.deepEqual(await h.within(adapter.exited, 'the adapter to exit'), { code: 0, signal: null });
});

test('the adapter exits when stdin closes, sockets open or not; stdout holds only JSON lines', async (t) => {
  const s = await echoServer(t);
  const { adapter } = await started(t);
  await adapter.request({ id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url } });
  adapter.child.stdin.end();
  assert.deepEqual(await h.within(adapter.exited, 'the adapter to exit'), { code: 0, signal: null });
  assert.match(adapter.stderr, /node-ws/);
});

test('order.async: a callback an IUT runs inside the call is written before the response, with sync: true', () => {
  const { Session } = require('../src/adapter');
  const session = new Session();
  {
    // A non-conforming IUT: success and complete inside the call.
    session.my = {
      connectSocket(options) {
        options.success({});
        options.complete({});
      },
    };
  }
  const lines = [];
  const original = process.stdout.write;
  process.stdout.write = (chunk) => { lines.push(JSON.parse(chunk)); return true; };
  try {
    session.handle({ id: 7, op: 'call', target: 'my', method: 'connectSocket', args: { url: 'ws://127.0.0.1:1' } });
  } finally {
    process.stdout.write = original;
  }
  assert.deepEqual(lines, [
    { event: 'callback', call: 7, kind: 'success', res: {}, sync: true },
    { event: 'callback', call: 7, kind: 'complete', res: {}, sync: true },
    { id: 7, ok: true, result: { returned: null } },
  ]);
});

test('examples/minimal-adapter.js (the README example) speaks the protocol: then, within, $binary, reset, shutdown', async (t) => {
  const s = await echoServer(t);
  const adapter = h.startAdapter(require('node:path').join(__dirname, '..', 'examples', 'minimal-adapter.js'));
  t.after(() => adapter.kill());
  assert.equal((await adapter.request({ id: 1, op: 'hello', protocol: 1, config: {} })).result.protocol, 1);
  adapter.send({
    id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: s.url, multiple: true },
    within: { success: [{ id: 3, target: '$returned', method: 'onOpen', listener: 'O' }] },
    then: [{ id: 4, target: '$returned', method: 'onMessage', listener: 'M' }],
  });
  await adapter.until((m) => m.event === 'listener' && m.type === 'open');
  assert.deepEqual(adapter.messages.slice(1).map((m) => m.id ?? `${m.call ?? m.listener}.${m.kind ?? m.type}`),
    [2, 4, '2.success', 3, '2.complete', 'O.open']);
  await adapter.request({ id: 5, op: 'call', target: 't1', method: 'send', args: { data: { $binary: 'AQID' } } });
  const message = await adapter.until((m) => m.event === 'listener' && m.type === 'message');
  assert.deepEqual(message.res, { data: 'AQID', isBuffer: true });
  assert.equal((await adapter.request({ id: 6, op: 'reset' })).ok, true);
  assert.equal((await adapter.request({ id: 7, op: 'call', target: 't1', method: 'send', args: {} })).ok, false);
  assert.equal((await adapter.request({ id: 8, op: 'shutdown' })).ok, true);
  assert.deepEqual(await h.within(adapter.exited, 'the adapter to exit'), { code: 0, signal: null });
});
