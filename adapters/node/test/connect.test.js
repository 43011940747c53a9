'use strict';
// connectSocket: validation, the request it sends, and the outcome of the handshake.

const test = require('node:test');
const assert = require('node:assert/strict');
const { createMy, destroyMy, SocketTask, MESSAGES } = require('..');
const h = require('./helpers');

/** A `my` with every global listener and the connect callbacks recorded. */
function setup(t, config = {}) {
  const rec = h.recorder();
  const my = createMy({ connectTimeoutMs: 2000, closeTimeoutMs: 500, ...config });
  t.after(() => destroyMy(my));
  my.onSocketOpen(rec.fn('open'));
  my.onSocketMessage(rec.fn('message'));
  my.onSocketError(rec.fn('error'));
  my.onSocketClose(rec.fn('close'));
  const connect = (args, prefix = '') => my.connectSocket({
    ...args,
    success: rec.fn(`${prefix}success`),
    fail: rec.fn(`${prefix}fail`),
    complete: rec.fn(`${prefix}complete`),
  });
  return { my, rec, connect };
}

async function server(t, onConnection = h.echo, options) {
  const s = await h.startWsServer(onConnection, options);
  t.after(() => s.stop());
  return s;
}

test('order.async connect.success: success and complete run after the call returns, before open', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t);
  const returned = connect({ url: s.url });
  assert.equal(returned, undefined); // connect.return: single mode returns nothing
  assert.deepEqual(rec.events, [], 'nothing runs inside the call');
  await rec.until('open');
  assert.deepEqual(rec.labels(), ['success', 'complete', 'open']);
  assert.deepEqual(rec.get('success').res, {});
  assert.deepEqual(rec.get('complete').res, {});
  assert.deepEqual(rec.get('open').res, {}); // connect.open
});

const INVALID_URLS = [
  // [rule, url, code]
  ['connect.url.empty', undefined, 3],
  ['connect.url.empty', null, 3],
  ['connect.url.empty', '', 3],
  ['connect.url.empty', '  \t ', 3],
  ['connect.url.format', 42, 4],
  ['connect.url.format', { href: 'ws://127.0.0.1' }, 4],
  ['connect.url.format', 'not a url', 4],
  ['connect.url.format', 'ws://', 4],
  ['connect.url.format', 'mailto:someone', 4],
  ['connect.url.scheme', 'http://127.0.0.1:1/', 5],
  ['connect.url.scheme', 'ftp://127.0.0.1/', 5],
];

for (const [rule, url, code] of INVALID_URLS) {
  test(`${rule}: url ${JSON.stringify(url)} fails with ${code}, then complete, nothing else`, async (t) => {
    const { rec, connect } = setup(t);
    const args = url === undefined ? {} : { url };
    connect(args);
    assert.deepEqual(rec.events, []);
    await rec.until('complete');
    await h.settle(30);
    assert.deepEqual(rec.labels(), ['fail', 'complete']);
    assert.deepEqual(rec.get('fail').res, { error: code, errorMessage: MESSAGES[code] });
    assert.deepEqual(rec.get('complete').res, rec.get('fail').res);
  });
}

test('connect.url.empty: connectSocket with no argument at all throws nothing and reports nothing', async (t) => {
  const { my, rec } = setup(t);
  assert.equal(my.connectSocket(), undefined);
  await h.settle(30);
  assert.deepEqual(rec.events, []);
});

test('connect.url.scheme: the scheme is case-insensitive (WS:// opens)', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t);
  connect({ url: s.url.replace('ws://', 'WS://') });
  await rec.until('open');
});

test('connect.wss-only: ws:// fails with 8 and nothing reaches the network; the scheme check comes first', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t, { wssOnly: true });
  connect({ url: s.url });
  await rec.until('complete');
  assert.deepEqual(rec.get('fail').res, { error: 8, errorMessage: MESSAGES[8] });
  connect({ url: 'http://127.0.0.1/' }, 'b.');
  await rec.until('b.complete');
  assert.equal(rec.get('b.fail').res.error, 5);
  await h.settle(50);
  assert.equal(s.seen.requests.length, 0);
});

test('connect.single.exists: a second single connect while the first is CONNECTING or OPEN fails with 2', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t);
  connect({ url: s.url });
  connect({ url: s.url }, 'b.');
  await rec.until('b.complete');
  assert.deepEqual(rec.get('b.fail').res, { error: 2, errorMessage: MESSAGES[2] });
  await rec.until('open');
  connect({ url: s.url }, 'c.');
  await rec.until('c.complete');
  assert.equal(rec.get('c.fail').res.error, 2);
  await h.settle(30);
  assert.equal(s.seen.requests.length, 1);
});

test('connect.single.reopen: the global socket opens again after its close event', async (t) => {
  const s = await server(t);
  const { my, rec, connect } = setup(t);
  connect({ url: s.url });
  await rec.until('open');
  my.closeSocket({ code: 1000 });
  await rec.until('close');
  connect({ url: s.url }, 'b.');
  await rec.until('b.success');
  await rec.until((e) => e.label === 'open' && rec.events.indexOf(e) > rec.events.findIndex((x) => x.label === 'b.success'));
  assert.equal(s.seen.requests.length, 2);
});

test('connect.return: multiple returns a SocketTask, also when validation fails; that task is CLOSED (10)', async (t) => {
  const { rec, connect } = setup(t);
  const task = connect({ url: '', multiple: true });
  assert.ok(task instanceof SocketTask);
  for (const m of ['send', 'close', 'onOpen', 'onMessage', 'onError', 'onClose', 'offOpen', 'offMessage', 'offError', 'offClose']) {
    assert.equal(typeof task[m], 'function', m);
  }
  await rec.until('complete');
  assert.equal(rec.get('fail').res.error, 3);
  task.send({ data: 'x', success: rec.fn('s.success'), fail: rec.fn('s.fail'), complete: rec.fn('s.complete') });
  task.close({ fail: rec.fn('c.fail'), complete: rec.fn('c.complete') });
  await rec.until('c.complete');
  assert.deepEqual(rec.get('s.fail').res, { error: 10, errorMessage: MESSAGES[10] });
  assert.deepEqual(rec.get('c.fail').res, { error: 10, errorMessage: MESSAGES[10] });
});

test('connect.multiple.limit task.limit: maxTasks counts the global socket; a CLOSED task frees its place', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t, { maxTasks: 2 });
  connect({ url: s.url });
  const t1 = connect({ url: s.url, multiple: true }, 't1.');
  const t2 = connect({ url: s.url, multiple: true }, 't2.');
  assert.ok(t2 instanceof SocketTask);
  await rec.until('t2.complete');
  assert.deepEqual(rec.get('t2.fail').res, { error: 1, errorMessage: MESSAGES[1] });
  const r1 = h.recorder();
  t1.onOpen(r1.fn('open'));
  t1.onClose(r1.fn('close'));
  await r1.until('open');
  t1.close({});
  await r1.until('close');
  connect({ url: s.url, multiple: true }, 't3.');
  await rec.until('t3.complete');
  assert.ok(rec.get('t3.success'));
});

test('connect.listener-in-success: onOpen registered inside success hears the open event', async (t) => {
  const s = await server(t);
  const { my } = setup(t);
  const rec = h.recorder();
  const task = my.connectSocket({
    url: s.url,
    multiple: true,
    success: () => task.onOpen(rec.fn('open')),
  });
  await rec.until('open');
});

test('connect.data: entries become a percent-encoded query string, in order, JSON for non-strings', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t);
  connect({
    url: `${s.url}/path?x=1#frag`,
    data: { a: 'x y', 'k&=': 'é/?', n: 12.5, b: true, o: { k: [1, 'z'] }, z: null },
  });
  await rec.until('open');
  assert.equal(
    s.seen.requests[0].url,
    '/path?x=1&a=x%20y&k%26%3D=%C3%A9%2F%3F&n=12.5&b=true&o=%7B%22k%22%3A%5B1%2C%22z%22%5D%7D&z=null',
  );
  connect({ url: `${s.url}/p`, data: { q: 'v' }, multiple: true }, 'b.');
  await rec.until('b.success');
  await h.settle(100);
  assert.equal(s.seen.requests[1].url, '/p?q=v');
});

test('connect.header: entries become request headers; handshake headers cannot be overridden', async (t) => {
  const s = await server(t);
  const { rec, connect } = setup(t);
  connect({
    url: s.url,
    header: {
      'content-type': 'application/json',
      'X-Number': 7,
      'X-Bool': false,
      Host: 'evil.example',
      Upgrade: 'nope',
      'Sec-WebSocket-Version': '8',
      'Bad Name': 'dropped',
    },
  });
  await rec.until('open');
  const headers = s.seen.requests[0].headers;
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(headers['x-number'], '7');
  assert.equal(headers['x-bool'], 'false');
  assert.equal(headers.host, `127.0.0.1:${s.port}`);
  assert.equal(headers.upgrade, 'websocket');
  assert.equal(headers['sec-websocket-version'], '13');
  assert.equal(headers['bad name'], undefined);
});

test('connect.header: Sec-WebSocket-Protocol in header, or a protocols array, offers subprotocols', async (t) => {
  const s = await server(t, h.echo, { handleProtocols: (set) => [...set][1] });
  const { rec, connect } = setup(t);
  connect({ url: s.url, header: { 'Sec-WebSocket-Protocol': 'one, two' } });
  await rec.until('open');
  assert.equal(s.seen.requests[0].headers['sec-websocket-protocol'], 'one,two');
  connect({ url: s.url, multiple: true, protocols: ['p1', 'p2'] }, 'b.');
  await rec.until('b.success');
  const seen = () => s.seen.requests.length === 2;
  for (let i = 0; i < 50 && !seen(); i += 1) await h.settle(20);
  assert.equal(s.seen.requests[1].headers['sec-websocket-protocol'], 'p1,p2');
});

// error.8.handshake: one fault per "the client MUST fail" step of RFC 6455 4.1.
const HANDSHAKE_FAULTS = [
  ['a 403 status', (s) => s.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'), {}],
  ['a 200 status', (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'), {}],
  ['no Upgrade header', (s, r) => s.write(h.response101({ upgrade: null, accept: r.accept })), {}],
  ['a wrong Upgrade header', (s, r) => s.write(h.response101({ upgrade: 'h2c', accept: r.accept })), {}],
  ['no Connection header', (s, r) => s.write(h.response101({ connection: null, accept: r.accept })), {}],
  ['a wrong Sec-WebSocket-Accept', (s) => s.write(h.response101({ accept: 'dGhlIHNhbXBsZSBub25jZQ==' })), {}],
  ['no Sec-WebSocket-Accept', (s) => s.write(h.response101({ accept: null })), {}],
  ['an HTTP/1.0 response', (s, r) => s.write(h.response101({ accept: r.accept }).replace('HTTP/1.1', 'HTTP/1.0')), {}],
  ['a response that is not HTTP', (s) => s.write('SSH-2.0-OpenSSH\r\n\r\n'), {}],
  ['a subprotocol that was not offered', (s, r) => s.write(h.response101({ accept: r.accept, protocol: 'other' })),
    { header: { 'Sec-WebSocket-Protocol': 'chat' } }],
  ['no subprotocol although one was offered', (s, r) => s.write(h.response101({ accept: r.accept })),
    { protocols: ['chat'] }],
];

for (const [name, respond, args] of HANDSHAKE_FAULTS) {
  test(`error.8.handshake: ${name} gives onError 8 then onClose 1006, no onOpen`, async (t) => {
    const s = await h.startRawServer(respond);
    t.after(() => s.stop());
    const { rec, connect } = setup(t);
    connect({ url: s.url, ...args });
    await rec.until('close');
    await h.settle(30);
    assert.deepEqual(rec.labels(), ['success', 'complete', 'error', 'close']);
    assert.deepEqual(rec.get('error').res, { error: 8, errorMessage: MESSAGES[8] });
    assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
  });
}

test('error.9.protocol-unrequested: a subprotocol the request did not ask for gives 9', async (t) => {
  const s = await h.startRawServer((sock, r) => sock.write(h.response101({ accept: r.accept, protocol: 'chat' })));
  t.after(() => s.stop());
  const { rec, connect } = setup(t);
  connect({ url: s.url });
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['success', 'complete', 'error', 'close']);
  assert.deepEqual(rec.get('error').res, { error: 9, errorMessage: MESSAGES[9] });
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
});

test('connect.open: the offered subprotocol chosen by the server opens', async (t) => {
  const s = await h.startRawServer((sock, r) => sock.write(h.response101({ accept: r.accept, protocol: 'chat' })));
  t.after(() => s.stop());
  const { rec, connect } = setup(t);
  connect({ url: s.url, header: { 'Sec-WebSocket-Protocol': 'chat' } });
  await rec.until('open');
  assert.equal(s.requests[0].headers['sec-websocket-protocol'], 'chat');
});

test('error.6.timeout: a server that never answers the upgrade gives 6 then 1006 within connectTimeoutMs', async (t) => {
  const s = await h.startRawServer(() => {});
  t.after(() => s.stop());
  const { rec, connect } = setup(t, { connectTimeoutMs: 150 });
  const started = Date.now();
  connect({ url: s.url });
  await rec.until('close');
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
  assert.deepEqual(rec.labels(), ['success', 'complete', 'error', 'close']);
  assert.deepEqual(rec.get('error').res, { error: 6, errorMessage: MESSAGES[6] });
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
});

test('error.1.network: a refused connection gives 1 then 1006', async (t) => {
  const port = await h.refusedPort();
  const { rec, connect } = setup(t);
  connect({ url: `ws://127.0.0.1:${port}/` });
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['success', 'complete', 'error', 'close']);
  assert.deepEqual(rec.get('error').res, { error: 1, errorMessage: MESSAGES[1] });
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
});

test('error.1.network: a server that closes before answering gives 1', async (t) => {
  const s = await h.startRawServer((sock) => sock.end());
  t.after(() => s.stop());
  const { rec, connect } = setup(t);
  connect({ url: s.url });
  await rec.until('close');
  assert.equal(rec.get('error').res.error, 1);
});
