'use strict';
// Listeners on `my` and on SocketTasks; tasks side by side.

const test = require('node:test');
const assert = require('node:assert/strict');
const { createMy, destroyMy } = require('..');
const h = require('./helpers');

async function setup(t, onConnection = h.echo, config = {}) {
  const s = await h.startWsServer(onConnection);
  t.after(() => s.stop());
  const my = createMy({ closeTimeoutMs: 300, ...config });
  t.after(() => destroyMy(my));
  return { s, my };
}

test('listeners.order listeners.twice: listeners run in the order added; the same function twice runs twice', async (t) => {
  const { s, my } = await setup(t);
  const rec = h.recorder();
  const a = rec.fn('a');
  const b = rec.fn('b');
  my.onSocketOpen(a);
  my.onSocketOpen(b);
  my.onSocketOpen(a);
  my.connectSocket({ url: s.url });
  await rec.until((e) => rec.events.length === 3);
  await h.settle(20);
  assert.deepEqual(rec.labels(), ['a', 'b', 'a']);
});

test('listeners.off-one: off with a function removes every occurrence of it, and only it', async (t) => {
  const { s, my } = await setup(t);
  const rec = h.recorder();
  const a = rec.fn('a');
  const b = rec.fn('b');
  my.onSocketOpen(a);
  my.onSocketOpen(b);
  my.onSocketOpen(a);
  my.offSocketOpen(a);
  my.offSocketOpen(rec.fn('never added'));
  my.connectSocket({ url: s.url });
  await rec.until('b');
  await h.settle(20);
  assert.deepEqual(rec.labels(), ['b']);
});

test('listeners.off-all: off with no argument removes every listener of that type, not of others', async (t) => {
  const { s, my } = await setup(t);
  const rec = h.recorder();
  my.onSocketOpen(rec.fn('open1'));
  my.onSocketOpen(rec.fn('open2'));
  my.onSocketMessage(rec.fn('message'));
  my.offSocketOpen();
  my.connectSocket({ url: s.url });
  const probe = h.recorder();
  my.onSocketOpen(probe.fn('probe-open'));
  await probe.until('probe-open');
  my.sendSocketMessage({ data: 'hi' });
  await rec.until('message');
  assert.equal(rec.events.some((e) => e.label.startsWith('open')), false);
});

test('listeners.global-persist: listeners on my outlive a connection and hear the next one', async (t) => {
  const { s, my } = await setup(t);
  const rec = h.recorder();
  my.onSocketOpen(rec.fn('open'));
  my.onSocketClose(rec.fn('close'));
  my.connectSocket({ url: s.url });
  await rec.until('open');
  my.closeSocket({});
  await rec.until('close');
  my.connectSocket({ url: s.url });
  await rec.until(() => rec.events.filter((e) => e.label === 'open').length === 2);
  assert.deepEqual(rec.labels(), ['open', 'close', 'open']);
});

test('listeners.scope: my listeners hear only the global socket; a task hears only itself', async (t) => {
  const { s, my } = await setup(t);
  const globalRec = h.recorder();
  const taskRec = h.recorder();
  my.onSocketOpen(globalRec.fn('open'));
  my.onSocketMessage(globalRec.fn('message'));
  const task = my.connectSocket({ url: s.url, multiple: true });
  task.onOpen(taskRec.fn('open'));
  task.onMessage(taskRec.fn('message'));
  await taskRec.until('open');
  task.send({ data: 'task only' });
  await taskRec.until('message');
  my.connectSocket({ url: s.url });
  await globalRec.until('open');
  my.sendSocketMessage({ data: 'global only' });
  await globalRec.until('message');
  await h.settle(30);
  assert.deepEqual(globalRec.events.map((e) => e.res.data ?? e.label), ['open', 'global only']);
  assert.deepEqual(taskRec.events.map((e) => e.res.data ?? e.label), ['open', 'task only']);
});

test('listeners.during-dispatch: removing or adding during a dispatch takes effect from the next event', async (t) => {
  const { s, my } = await setup(t);
  const rec = h.recorder();
  const task = my.connectSocket({ url: s.url, multiple: true });
  const late = rec.fn('late');
  const b = rec.fn('b');
  task.onMessage((res) => {
    rec.fn('a')(res);
    if (res.data === '1') {
      task.offMessage(b); // b still runs for message 1
      task.onMessage(late); // late runs from message 2
    }
  });
  task.onMessage(b);
  task.onOpen(() => {
    task.send({ data: '1' });
  });
  await rec.until('a');
  task.send({ data: '2' });
  await rec.until('late');
  await h.settle(20);
  assert.deepEqual(rec.events.map((e) => `${e.label}:${e.res.data}`), ['a:1', 'b:1', 'a:2', 'late:2']);
});

test('task.api: a task has every method, each with the results of its my twin', async (t) => {
  const { s, my } = await setup(t);
  const rec = h.recorder();
  const task = my.connectSocket({ url: s.url, multiple: true });
  task.onOpen(rec.fn('open'));
  task.onMessage(rec.fn('message'));
  task.onError(rec.fn('error'));
  task.onClose(rec.fn('close'));
  task.send({ data: 'too early', fail: rec.fn('early.fail') });
  await rec.until('open');
  task.send({ data: 'ping', success: rec.fn('send.success'), complete: rec.fn('send.complete') });
  await rec.until('message');
  task.offMessage();
  task.offError(rec.fn('error'));
  task.offOpen();
  task.close({ code: 3000, reason: 'r', success: rec.fn('close.success') });
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['early.fail', 'open', 'send.success', 'send.complete', 'message', 'close.success', 'close']);
  assert.deepEqual(rec.get('close').res, { code: 3000, reason: 'r' });
});

test('task.independent: closing one task does not affect another; messages reach only their task', async (t) => {
  const { s, my } = await setup(t);
  const r1 = h.recorder();
  const r2 = h.recorder();
  const t1 = my.connectSocket({ url: s.url, multiple: true });
  const t2 = my.connectSocket({ url: s.url, multiple: true });
  for (const [task, rec] of [[t1, r1], [t2, r2]]) {
    task.onOpen(rec.fn('open'));
    task.onMessage(rec.fn('message'));
    task.onClose(rec.fn('close'));
  }
  await r1.until('open');
  await r2.until('open');
  t1.close({});
  await r1.until('close');
  t2.send({ data: 'still here' });
  await r2.until('message');
  await h.settle(20);
  assert.deepEqual(r2.labels(), ['open', 'message']);
  assert.deepEqual(r1.labels(), ['open', 'close']);
});

test('task.broadcast: two tasks on a broadcasting server each receive what the other sent', async (t) => {
  const { s, my } = await setup(t, (ws) => {
    ws.on('message', (data, isBinary) => {
      for (const peer of s.wss.clients) if (peer !== ws) peer.send(data, { binary: isBinary });
    });
  });
  const r1 = h.recorder();
  const r2 = h.recorder();
  const t1 = my.connectSocket({ url: s.url, multiple: true });
  const t2 = my.connectSocket({ url: s.url, multiple: true });
  t1.onOpen(r1.fn('open'));
  t2.onOpen(r2.fn('open'));
  t1.onMessage(r1.fn('message'));
  t2.onMessage(r2.fn('message'));
  await r1.until('open');
  await r2.until('open');
  for (let i = 0; i < 100 && s.wss.clients.size < 2; i += 1) await h.settle(10);
  t1.send({ data: 'socketTask1 发送的消息' });
  t2.send({ data: 'socketTask2 发送的消息' });
  assert.equal((await r2.until('message')).res.data, 'socketTask1 发送的消息');
  assert.equal((await r1.until('message')).res.data, 'socketTask2 发送的消息');
});

test('listeners: an exception in a listener does not stop the queue', async (t) => {
  const { s } = await setup(t);
  const logs = [];
  const my = createMy({}, { log: (text) => logs.push(text) });
  t.after(() => destroyMy(my));
  const rec = h.recorder();
  my.onSocketOpen(() => { throw new Error('boom'); });
  my.onSocketOpen(rec.fn('open'));
  my.connectSocket({ url: s.url });
  await rec.until('open');
  assert.ok(logs.some((l) => l.includes('boom')));
});
