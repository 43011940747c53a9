'use strict';
// Smoke tests of every layer's shim, through the adapter process as the
// runner drives it: the layer loads over the Node.js implementation, and a
// connect, send, echo, close round trip through its global socket functions
// (the one shape every layer's build supports) reaches the server and back.
// Then what the shims promise beyond that: a rejected Promise next to
// callbacks does not end the process, and instances do not share a layer.

const test = require('node:test');
const assert = require('node:assert');
const { LAYERS } = require('../implementations');
const { echoServer, startAdapter } = require('./helpers');

let server;
test.before(async () => { server = await echoServer(); });
test.after(() => server.close());

const listener = (global, method, name) => ({ op: 'call', target: global, method, listener: name });
const isEvent = (type, name) => (l) => l.event === 'listener' && l.type === type && l.listener === name;
const callback = (id, kind) => (l) => l.event === 'callback' && l.call === id && l.kind === kind;

for (const layer of LAYERS) {
  test(`${layer.id}: loads, and a connect, send, echo, close round trip works`, async () => {
    const adapter = startAdapter(layer.id);
    try {
      const g = layer.build;
      adapter.send({ id: 1, op: 'hello', protocol: 1, config: {} });
      const hello = await adapter.until((l) => l.id === 1, 'hello');
      assert.strictEqual(hello.ok, true, JSON.stringify(hello));
      assert.strictEqual(hello.result.name, `mp-${layer.id}${g === 'wx' ? '+wx' : ''}`);
      assert.strictEqual(hello.result.api ?? 'my', g);
      adapter.send({ id: 2, ...listener(g, 'onSocketOpen', 'O') });
      adapter.send({ id: 3, ...listener(g, 'onSocketMessage', 'M') });
      adapter.send({ id: 4, ...listener(g, 'onSocketClose', 'C') });
      adapter.send({ id: 5, op: 'call', target: g, method: 'connectSocket', args: { url: server.url } });
      await adapter.until(callback(5, 'success'), 'connectSocket success');
      await adapter.until(isEvent('open', 'O'), 'open');
      adapter.send({ id: 6, op: 'call', target: g, method: 'sendSocketMessage', args: { data: 'ping' } });
      const message = await adapter.until(isEvent('message', 'M'), 'the echo');
      assert.strictEqual(message.res.data, 'ping');
      adapter.send({ id: 7, op: 'call', target: g, method: 'closeSocket', args: { code: 1000, reason: 'bye' } });
      const close = await adapter.until(isEvent('close', 'C'), 'close');
      assert.strictEqual(close.res.code, 1000);
      assert.strictEqual(close.res.reason, 'bye');
      for (let id = 2; id <= 7; id += 1) {
        const response = await adapter.until((l) => l.id === id && l.ok !== undefined, `response ${id}`);
        assert.strictEqual(response.ok, true, JSON.stringify(response));
      }
    } finally {
      assert.strictEqual(await adapter.end(), 0, adapter.stderr());
    }
  });
}

test('a failing call whose layer also rejects a Promise does not end the process', async () => {
  // Taro calls `fail` and rejects the Promise it returns, which nobody awaits.
  const adapter = startAdapter('taro-alipay');
  try {
    adapter.send({ id: 1, op: 'hello', protocol: 1, config: {} });
    await adapter.until((l) => l.id === 1, 'hello');
    adapter.send({ id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: '' } });
    const fail = await adapter.until(callback(2, 'fail'), 'fail');
    assert.strictEqual(fail.res.error, 3);
    await adapter.until(callback(2, 'complete'), 'complete');
    // The process is still there and answers (its stderr names the rejection).
    adapter.send({ id: 3, op: 'call', target: 'my', method: 'closeSocket', args: {} });
    await adapter.until(callback(3, 'fail'), 'closeSocket fail');
    adapter.send({ id: 4, op: 'reset' });
    await adapter.until((l) => l.id === 4 && l.ok === true, 'reset');
    assert.match(adapter.stderr(), /connectSocket: the Promise it returned rejected/);
  } finally {
    assert.strictEqual(await adapter.end(), 0, adapter.stderr());
  }
});

test('each instance has its own module instance of the layer', async () => {
  // A listener registered on instance 0 hears nothing of instance 1's socket.
  const adapter = startAdapter('uni-mp-alipay');
  try {
    adapter.send({ id: 1, op: 'hello', protocol: 1, config: {} });
    const hello = await adapter.until((l) => l.id === 1, 'hello');
    assert.strictEqual(hello.result.instances, 64);
    adapter.send({ id: 2, ...listener('my', 'onSocketOpen', 'O0') });
    adapter.send({ id: 2, instance: 1, ...listener('my', 'onSocketOpen', 'O1') });
    adapter.send({ id: 3, instance: 1, op: 'call', target: 'my', method: 'connectSocket', args: { url: server.url } });
    const open = await adapter.until(isEvent('open', 'O1'), 'open on instance 1');
    assert.strictEqual(open.instance, 1);
    adapter.send({ id: 4, op: 'call', target: 'my', method: 'closeSocket', args: {} });
    const fail = await adapter.until(callback(4, 'fail'), 'closeSocket on instance 0 fails: no socket there');
    assert.strictEqual(fail.instance, undefined);
    assert.ok(!adapter.lines.some(isEvent('open', 'O0')), 'instance 0 heard instance 1');
  } finally {
    assert.strictEqual(await adapter.end(), 0, adapter.stderr());
  }
});
