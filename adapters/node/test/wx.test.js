'use strict';
// The `wx` face (profile `wechat`): `createWx` of the package's entry
// directly, and the adapter with `--api wx` or a hello that names the profile.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createWx, destroyWx, WxSocketTask, createMy, destroyMy } = require('..');
const h = require('./helpers');

const cb = (rec, prefix) => ({
  success: rec.fn(`${prefix}.success`),
  fail: rec.fn(`${prefix}.fail`),
  complete: rec.fn(`${prefix}.complete`),
});

async function echoServer(t) {
  const s = await h.startWsServer(h.echo);
  t.after(() => s.stop());
  return s;
}

function wx(t, config = {}) {
  const api = createWx({ connectTimeoutMs: 2000, closeTimeoutMs: 300, ...config });
  t.after(() => destroyWx(api));
  return api;
}

/** A task on `url` with every listener recorded under `prefix`, awaited open. */
async function openTask(api, url, rec, prefix = 't') {
  const task = api.connectSocket({ url, ...cb(rec, `${prefix}.connect`) });
  task.onOpen(rec.fn(`${prefix}.open`));
  task.onMessage(rec.fn(`${prefix}.message`));
  task.onError(rec.fn(`${prefix}.error`));
  task.onClose(rec.fn(`${prefix}.close`));
  await rec.until(`${prefix}.open`);
  return task;
}

test('wx connect.return: connectSocket always returns a task with no off* methods; success is connectSocket:ok', async (t) => {
  const s = await echoServer(t);
  const rec = h.recorder();
  const api = wx(t);
  assert.equal(api.offSocketOpen, undefined);
  const task = await openTask(api, s.url, rec);
  assert.ok(task instanceof WxSocketTask);
  for (const off of ['offOpen', 'offMessage', 'offError', 'offClose']) assert.equal(task[off], undefined, off);
  assert.deepEqual(rec.get('t.connect.success').res, { errMsg: 'connectSocket:ok' });
  assert.deepEqual(rec.get('t.connect.complete').res, { errMsg: 'connectSocket:ok' });
  assert.deepEqual(rec.get('t.open').res, {});
  // The my face returns nothing without `multiple`.
  const my = createMy({});
  t.after(() => destroyMy(my));
  assert.equal(my.connectSocket({ url: s.url }), undefined);
});

test('wx send and receive: {data} only, binary as ArrayBuffer both ways, no isBuffer', async (t) => {
  const s = await echoServer(t);
  const rec = h.recorder();
  const api = wx(t);
  const task = await openTask(api, s.url, rec);
  task.send({ data: 'hi', ...cb(rec, 'text') });
  const text = await rec.until((e) => e.label === 't.message');
  assert.deepEqual(text.res, { data: 'hi' });
  assert.deepEqual(rec.get('text.success').res, { errMsg: 'sendSocketMessage:ok' });
  const bytes = new Uint8Array([0, 255, 7]);
  task.send({ data: bytes.buffer, ...cb(rec, 'bin') });
  const binary = await rec.until((e) => e.label === 't.message' && e.res.data instanceof ArrayBuffer);
  assert.deepEqual(Object.keys(binary.res), ['data']);
  assert.deepEqual([...new Uint8Array(binary.res.data)], [0, 255, 7]);
  // isBuffer is not a wx argument: base64 text is sent as text.
  task.send({ data: 'AP8=', isBuffer: true });
  const asText = await rec.until((e) => e.label === 't.message' && e.res.data === 'AP8=');
  assert.deepEqual(asText.res, { data: 'AP8=' });
  assert.deepEqual(s.seen.messages.map((m) => m.isBinary), [false, true, false]);
});

test('wx failures: errMsg "<method>:fail <reason>"; a failed handshake gives onError({errMsg}) then onClose 1006', async (t) => {
  const port = await h.refusedPort();
  const rec = h.recorder();
  const api = wx(t);
  const task = api.connectSocket({ url: `ws://127.0.0.1:${port}`, ...cb(rec, 'c') });
  task.onError(rec.fn('error'));
  task.onClose(rec.fn('close'));
  task.send({ data: 'early', ...cb(rec, 'send') });
  await rec.until('close');
  assert.deepEqual(rec.get('c.success').res, { errMsg: 'connectSocket:ok' });
  assert.deepEqual(rec.get('send.fail').res, { errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
  assert.deepEqual(rec.get('send.complete').res, rec.get('send.fail').res);
  const error = rec.get('error').res;
  assert.deepEqual(Object.keys(error), ['errMsg']);
  assert.ok(typeof error.errMsg === 'string' && error.errMsg.length > 0);
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
  assert.deepEqual(rec.labels(), ['c.success', 'c.complete', 'send.fail', 'send.complete', 'error', 'close']);
  // Argument checks fail the call, which still returns a (CLOSED) task.
  const bad = api.connectSocket({ url: '', ...cb(rec, 'empty') });
  assert.ok(bad instanceof WxSocketTask);
  api.connectSocket({ url: 42, ...cb(rec, 'typed') });
  await rec.until('typed.complete');
  assert.match(rec.get('empty.fail').res.errMsg, /^connectSocket:fail \S/);
  assert.equal(rec.get('typed.fail').res.errMsg, 'connectSocket:fail parameter error');
});

test('wx close: closeSocket:ok, then onClose({code, reason}); closing again fails', async (t) => {
  const s = await echoServer(t);
  const rec = h.recorder();
  const api = wx(t);
  const task = await openTask(api, s.url, rec);
  task.close({ code: 4000, reason: 'bye', ...cb(rec, 'close') });
  await rec.until('t.close');
  assert.deepEqual(rec.get('close.success').res, { errMsg: 'closeSocket:ok' });
  assert.deepEqual(rec.get('t.close').res, { code: 4000, reason: 'bye' });
  task.close({ ...cb(rec, 'again') });
  await rec.until('again.complete');
  assert.match(rec.get('again.fail').res.errMsg, /^closeSocket:fail /);
});

test('wx connect.multiple.limit: five connections; the sixth fails', async (t) => {
  const s = await echoServer(t);
  const rec = h.recorder();
  const api = wx(t);
  for (let i = 1; i <= 5; i += 1) await openTask(api, s.url, rec, `t${i}`);
  const sixth = api.connectSocket({ url: s.url, ...cb(rec, 'sixth') });
  assert.ok(sixth instanceof WxSocketTask);
  await rec.until('sixth.complete');
  assert.match(rec.get('sixth.fail').res.errMsg, /^connectSocket:fail /);
  await h.settle(50);
  assert.equal(s.seen.requests.length, 5);
});

test('wx has no `data` argument; `timeout` bounds the handshake', async (t) => {
  const s = await echoServer(t);
  const rec = h.recorder();
  const api = wx(t, { connectTimeoutMs: 5000 });
  const task = api.connectSocket({ url: `${s.url}/p`, data: { a: 1 } });
  task.onOpen(rec.fn('open'));
  await rec.until('open');
  assert.equal(s.seen.requests[0].url, '/p');
  // A server that never answers the upgrade: onError after `timeout`, not connectTimeoutMs.
  const raw = await h.startRawServer(() => {});
  t.after(() => raw.stop());
  const started = Date.now();
  const slow = api.connectSocket({ url: `ws://127.0.0.1:${raw.port}`, timeout: 200 });
  slow.onError(rec.fn('slow.error'));
  slow.onClose(rec.fn('slow.close'));
  await rec.until('slow.close', 3000);
  assert.ok(Date.now() - started < 3000);
  assert.deepEqual(rec.get('slow.error').res, { errMsg: 'timeout' });
  assert.deepEqual(rec.get('slow.close').res, { code: 1006, reason: '' });
});

test('wx.* calls and listeners follow the newest connection', async (t) => {
  const s = await echoServer(t);
  const rec = h.recorder();
  const api = wx(t);
  api.onSocketOpen(rec.fn('wx.open'));
  api.onSocketMessage(rec.fn('wx.message'));
  const task = api.connectSocket({ url: s.url });
  task.onOpen(rec.fn('t.open'));
  await rec.until('wx.open');
  assert.deepEqual(rec.labels(), ['t.open', 'wx.open']);
  api.sendSocketMessage({ data: 'via wx', ...cb(rec, 'send') });
  const message = await rec.until('wx.message');
  assert.deepEqual(message.res, { data: 'via wx' });
  assert.deepEqual(rec.get('send.success').res, { errMsg: 'sendSocketMessage:ok' });
});

// ------------------------------------------------------------- the adapter

async function startedWx(t, args, hello = {}) {
  const adapter = h.startAdapter(path.join(__dirname, '..', 'src', 'adapter.js'), args);
  t.after(() => adapter.kill());
  const response = await adapter.request({ id: 1, op: 'hello', protocol: 1, config: { connectTimeoutMs: 2000 }, ...hello });
  return { adapter, hello: response };
}

test('adapter --api wx: hello says api wx; target wx; my and off* are protocol errors; binary as $binary', async (t) => {
  const s = await echoServer(t);
  const { adapter, hello } = await startedWx(t, ['--api', 'wx']);
  assert.equal(hello.ok, true);
  assert.equal(hello.result.api, 'wx');
  assert.equal(hello.result.name, 'node-ws+wx');
  const onMy = await adapter.request({ id: 2, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'L' });
  assert.equal(onMy.ok, false);
  const offWx = await adapter.request({ id: 3, op: 'call', target: 'wx', method: 'offSocketOpen' });
  assert.equal(offWx.ok, false);
  const connect = await adapter.request({
    id: 4, op: 'call', target: 'wx', method: 'connectSocket', args: { url: s.url },
    then: [{ id: 5, target: '$returned', method: 'onOpen', listener: 'O' },
      { id: 6, target: '$returned', method: 'onMessage', listener: 'M' }],
  });
  assert.deepEqual(connect.result, { returned: { task: 't1' } });
  await adapter.until((m) => m.event === 'listener' && m.type === 'open');
  assert.deepEqual(adapter.messages.find((m) => m.event === 'callback' && m.kind === 'success').res,
    { errMsg: 'connectSocket:ok' });
  const offTask = await adapter.request({ id: 7, op: 'call', target: 't1', method: 'offOpen', listener: 'O' });
  assert.equal(offTask.ok, false);
  await adapter.request({ id: 8, op: 'call', target: 't1', method: 'send', args: { data: { $binary: 'AP8=' } } });
  const message = await adapter.until((m) => m.event === 'listener' && m.type === 'message');
  assert.deepEqual(message, { event: 'listener', target: 't1', listener: 'M', type: 'message', res: { data: { $binary: 'AP8=' } } });
});

test('adapter: hello.profile chooses the face; an unknown profile leaves the command line one', async (t) => {
  const chosen = await startedWx(t, [], { profile: 'wechat' });
  assert.equal(chosen.hello.result.api, 'wx');
  const mine = await startedWx(t, ['--api', 'wx'], { profile: 'alipay-current' });
  assert.equal(mine.hello.result.api, undefined);
  assert.equal(mine.hello.result.name, 'node-ws');
  const unknown = await startedWx(t, ['--api=wx'], { profile: 'tt' });
  assert.equal(unknown.hello.result.api, 'wx');
  const plain = await startedWx(t, []);
  assert.equal(plain.hello.result.api, undefined);
});
