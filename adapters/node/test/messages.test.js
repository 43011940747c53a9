'use strict';
// send, receive and close on an open socket.

const test = require('node:test');
const assert = require('node:assert/strict');
const { createMy, destroyMy, MESSAGES } = require('..');
const h = require('./helpers');

const cb = (rec, prefix) => ({
  success: rec.fn(`${prefix}.success`),
  fail: rec.fn(`${prefix}.fail`),
  complete: rec.fn(`${prefix}.complete`),
});

/** An open global socket on `url`, every listener recorded. */
async function openGlobal(t, url, config = {}) {
  const rec = h.recorder();
  const my = createMy({ connectTimeoutMs: 2000, closeTimeoutMs: 300, ...config });
  t.after(() => destroyMy(my));
  my.onSocketOpen(rec.fn('open'));
  my.onSocketMessage(rec.fn('message'));
  my.onSocketError(rec.fn('error'));
  my.onSocketClose(rec.fn('close'));
  my.connectSocket({ url });
  await rec.until('open');
  return { my, rec };
}

async function server(t, onConnection = h.echo) {
  const s = await h.startWsServer(onConnection);
  t.after(() => s.stop());
  return s;
}

/** Waits until the ws server has recorded `n` closes. */
async function serverCloses(s, n = 1) {
  for (let i = 0; i < 100 && s.seen.closes.length < n; i += 1) await h.settle(20);
  return s.seen.closes;
}

test('send.not-open: sending before any connection, and while CONNECTING, fails with 10', async (t) => {
  const s = await server(t);
  const rec = h.recorder();
  const my = createMy({});
  t.after(() => destroyMy(my));
  my.sendSocketMessage({ data: 'x', ...cb(rec, 'a') });
  my.onSocketOpen(rec.fn('open'));
  my.connectSocket({ url: s.url });
  my.sendSocketMessage({ data: 'x', ...cb(rec, 'b') });
  assert.deepEqual(rec.events, []);
  await rec.until('open');
  assert.deepEqual(rec.get('a.fail').res, { error: 10, errorMessage: MESSAGES[10] });
  assert.deepEqual(rec.get('b.fail').res, { error: 10, errorMessage: MESSAGES[10] });
  assert.deepEqual(rec.get('b.complete').res, rec.get('b.fail').res);
});

test('send.text receive.text: a string goes as a text frame; success once written; the echo arrives', async (t) => {
  const s = await server(t);
  const { my, rec } = await openGlobal(t, s.url);
  my.sendSocketMessage({ data: 'hello 世界', ...cb(rec, 's') });
  assert.equal(rec.get('s.success'), undefined);
  await rec.until('message');
  assert.deepEqual(rec.labels().slice(1), ['s.success', 's.complete', 'message']);
  assert.deepEqual(rec.get('message').res, { data: 'hello 世界', isBuffer: false });
  assert.equal(s.seen.messages[0].isBinary, false);
  assert.equal(s.seen.messages[0].data.toString(), 'hello 世界');
});

test('send.binary receive.binary: isBuffer base64 and an ArrayBuffer go as binary frames; binary arrives as base64', async (t) => {
  const s = await server(t);
  const { my, rec } = await openGlobal(t, s.url);
  my.sendSocketMessage({ data: 'AAEC/w==', isBuffer: true, ...cb(rec, 'a') });
  await rec.until('message');
  assert.deepEqual(rec.get('message').res, { data: 'AAEC/w==', isBuffer: true });
  assert.deepEqual([...s.seen.messages[0].data], [0, 1, 2, 255]);
  assert.equal(s.seen.messages[0].isBinary, true);
  my.sendSocketMessage({ data: new Uint8Array([9, 8, 7]).buffer, ...cb(rec, 'b') });
  await rec.until('b.complete');
  assert.ok(rec.get('b.success'));
  await rec.until((e) => e.label === 'message' && e.res.data === 'CQgH');
  assert.equal(s.seen.messages[1].isBinary, true);
});

const INVALID_SENDS = [
  ['no data', {}],
  ['a number', { data: 42 }],
  ['an object', { data: { a: 1 } }],
  ['null', { data: null }],
  ['invalid base64', { data: 'not base64!', isBuffer: true }],
  ['base64 without padding', { data: 'AAE', isBuffer: true }],
  ['base64 with whitespace', { data: 'AA EC', isBuffer: true }],
  ['non-canonical base64', { data: 'AB==', isBuffer: true }],
];

for (const [name, args] of INVALID_SENDS) {
  test(`send.invalid: ${name} fails with 11 and nothing is sent`, async (t) => {
    const s = await server(t);
    const { my, rec } = await openGlobal(t, s.url);
    my.sendSocketMessage({ ...args, ...cb(rec, 's') });
    await rec.until('s.complete');
    assert.deepEqual(rec.get('s.fail').res, { error: 11, errorMessage: MESSAGES[11] });
    await h.settle(30);
    assert.equal(s.seen.messages.length, 0);
  });
}

test('send.too-large: a message over maxMessageBytes fails with 11; one of exactly the limit is sent', async (t) => {
  const s = await server(t);
  const { my, rec } = await openGlobal(t, s.url, { maxMessageBytes: 8 });
  my.sendSocketMessage({ data: '123456789', ...cb(rec, 'a') });
  my.sendSocketMessage({ data: Buffer.alloc(9).toString('base64'), isBuffer: true, ...cb(rec, 'b') });
  my.sendSocketMessage({ data: 'ééééé', ...cb(rec, 'c') }); // 10 UTF-8 bytes
  await rec.until('c.complete');
  for (const p of ['a', 'b', 'c']) assert.equal(rec.get(`${p}.fail`).res.error, 11, p);
  my.sendSocketMessage({ data: '12345678', ...cb(rec, 'd') });
  await rec.until('d.complete');
  assert.ok(rec.get('d.success'));
});

test('receive.fragmented: a message sent in fragments is delivered once, whole', async (t) => {
  const s = await server(t, (ws) => {
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.send('ted', { fin: true });
  });
  const { rec } = await openGlobal(t, s.url);
  await rec.until('message');
  await h.settle(30);
  assert.deepEqual(rec.events.filter((e) => e.label === 'message').map((e) => e.res), [{ data: 'fragmented', isBuffer: false }]);
});

test('error.12.memory: a message over maxMessageBytes is not delivered; onError 12, close 1009, onClose 1009', async (t) => {
  const s = await server(t, (ws) => ws.send('x'.repeat(17)));
  const { rec } = await openGlobal(t, s.url, { maxMessageBytes: 16 });
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['open', 'error', 'close']);
  assert.deepEqual(rec.get('error').res, { error: 12, errorMessage: MESSAGES[12] });
  assert.deepEqual(rec.get('close').res, { code: 1009, reason: '' });
  const closes = await serverCloses(s);
  assert.equal(closes[0].code, 1009);
});

test('close.open: the close frame carries code and reason; success; onClose with the server answer', async (t) => {
  const s = await server(t);
  const { my, rec } = await openGlobal(t, s.url);
  my.closeSocket({ code: 3001, reason: '再见 bye', ...cb(rec, 'c') });
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['open', 'c.success', 'c.complete', 'close']);
  assert.deepEqual(rec.get('close').res, { code: 3001, reason: '再见 bye' });
  assert.deepEqual((await serverCloses(s))[0], { code: 3001, reason: '再见 bye' });
});

test('close.open: defaults are code 1000 and an empty reason', async (t) => {
  const s = await server(t);
  const { my, rec } = await openGlobal(t, s.url);
  my.closeSocket();
  await rec.until('close');
  assert.deepEqual(rec.get('close').res, { code: 1000, reason: '' });
  assert.deepEqual((await serverCloses(s))[0], { code: 1000, reason: '' });
});

test('close.open: the server answering with another code is what onClose reports', async (t) => {
  const s = await h.startRawServer((sock, r) => {
    sock.write(h.response101({ accept: r.accept }));
    sock.on('data', () => {
      // Answer any close frame with 4002 "other", then end.
      const payload = Buffer.concat([Buffer.from([0x0f, 0xa2]), Buffer.from('other')]);
      sock.end(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
    });
  });
  t.after(() => s.stop());
  const { my, rec } = await openGlobal(t, s.url);
  my.closeSocket({ code: 1000 });
  await rec.until('close');
  assert.deepEqual(rec.get('close').res, { code: 4002, reason: 'other' });
});

const INVALID_CLOSES = [
  ['code 1001', { code: 1001 }],
  ['code 2999', { code: 2999 }],
  ['code 5000', { code: 5000 }],
  ['code 1005', { code: 1005 }],
  ['code 3000.5', { code: 3000.5 }],
  ['code "1000"', { code: '1000' }],
  ['a 124-byte reason', { code: 1000, reason: 'r'.repeat(124) }],
  ['a 42-character reason of 126 UTF-8 bytes', { code: 1000, reason: '好'.repeat(42) }],
  ['a reason that is not a string', { code: 1000, reason: 5 }],
];

for (const [name, args] of INVALID_CLOSES) {
  test(`close.invalid-code: ${name} fails with 1 and nothing goes on the wire`, async (t) => {
    const s = await server(t);
    const { my, rec } = await openGlobal(t, s.url);
    my.closeSocket({ ...args, ...cb(rec, 'c') });
    await rec.until('c.complete');
    assert.deepEqual(rec.get('c.fail').res, { error: 1, errorMessage: MESSAGES[1] });
    // still open: a message goes through
    my.sendSocketMessage({ data: 'still open', ...cb(rec, 's') });
    await rec.until('message');
    assert.equal(s.seen.closes.length, 0);
  });
}

test('close.invalid-code: a 123-byte reason and code 4999 are accepted', async (t) => {
  const s = await server(t);
  const { my, rec } = await openGlobal(t, s.url);
  my.closeSocket({ code: 4999, reason: 'r'.repeat(123), ...cb(rec, 'c') });
  await rec.until('close');
  assert.ok(rec.get('c.success'));
  assert.equal(rec.get('close').res.code, 4999);
});

test('close.not-open: closing with no socket, while CLOSING, and when CLOSED fails with 10', async (t) => {
  const s = await server(t);
  const rec = h.recorder();
  const my = createMy({});
  t.after(() => destroyMy(my));
  my.closeSocket({ ...cb(rec, 'never') });
  await rec.until('never.complete');
  assert.deepEqual(rec.get('never.fail').res, { error: 10, errorMessage: MESSAGES[10] });
  my.onSocketOpen(rec.fn('open'));
  my.onSocketClose(rec.fn('close'));
  my.connectSocket({ url: s.url });
  await rec.until('open');
  my.closeSocket({});
  my.closeSocket({ ...cb(rec, 'closing') });
  await rec.until('close');
  assert.equal(rec.get('closing.fail').res.error, 10);
  my.closeSocket({ ...cb(rec, 'closed') });
  my.sendSocketMessage({ data: 'x', ...cb(rec, 'send') });
  await rec.until('send.complete');
  assert.equal(rec.get('closed.fail').res.error, 10);
  assert.equal(rec.get('send.fail').res.error, 10);
});

test('close.connecting: closing while CONNECTING succeeds, abandons the handshake: onClose 1006, no onOpen', async (t) => {
  const s = await h.startRawServer(() => {});
  t.after(() => s.stop());
  const rec = h.recorder();
  const my = createMy({ connectTimeoutMs: 200 });
  t.after(() => destroyMy(my));
  for (const type of ['Open', 'Error', 'Close']) my[`onSocket${type}`](rec.fn(type.toLowerCase()));
  my.connectSocket({ url: s.url });
  my.closeSocket({ ...cb(rec, 'c') });
  await rec.until('close');
  await h.settle(300); // past connectTimeoutMs: no late error 6
  assert.deepEqual(rec.labels(), ['c.success', 'c.complete', 'close']);
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
});

test('close.connecting: against a server that answers at once, no onOpen follows the close', async (t) => {
  const s = await server(t);
  const rec = h.recorder();
  const my = createMy({});
  t.after(() => destroyMy(my));
  const task = my.connectSocket({ url: s.url, multiple: true });
  for (const type of ['Open', 'Error', 'Close']) task[`on${type}`](rec.fn(type.toLowerCase()));
  task.close({});
  await rec.until('close');
  await h.settle(100); // long enough for the server's 101 to have arrived
  assert.ok(s.seen.requests.length <= 1);
  assert.deepEqual(rec.labels(), ['close']);
});

test('close.no-answer: no close frame back within closeTimeoutMs gives onClose 1006 and no error', async (t) => {
  const s = await h.startRawServer((sock, r) => sock.write(h.response101({ accept: r.accept })));
  t.after(() => s.stop());
  const { my, rec } = await openGlobal(t, s.url, { closeTimeoutMs: 150 });
  const started = Date.now();
  my.closeSocket({ code: 1000, ...cb(rec, 'c') });
  await rec.until('close');
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
  assert.deepEqual(rec.labels(), ['open', 'c.success', 'c.complete', 'close']);
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
});

test('close.server: the server closing gives onClose with its code and reason; the client answers', async (t) => {
  const s = await server(t, (ws) => setTimeout(() => ws.close(4321, 'server says bye'), 20));
  const { rec } = await openGlobal(t, s.url);
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['open', 'close']);
  assert.deepEqual(rec.get('close').res, { code: 4321, reason: 'server says bye' });
  assert.deepEqual((await serverCloses(s))[0], { code: 4321, reason: 'server says bye' });
});

test('close.server: a close frame without a code gives 1005', async (t) => {
  const s = await h.startRawServer((sock, r) => {
    sock.write(h.response101({ accept: r.accept }));
    setTimeout(() => sock.write(Buffer.from([0x88, 0x00])), 20);
    sock.on('data', () => sock.end());
  });
  t.after(() => s.stop());
  const { rec } = await openGlobal(t, s.url);
  await rec.until('close');
  assert.deepEqual(rec.get('close').res, { code: 1005, reason: '' });
});

test('close.drop: the connection ending without a close frame gives onError 1 then onClose 1006; nothing after', async (t) => {
  const s = await server(t, (ws) => setTimeout(() => ws.terminate(), 20));
  const { my, rec } = await openGlobal(t, s.url);
  await rec.until('close');
  assert.deepEqual(rec.labels(), ['open', 'error', 'close']);
  assert.deepEqual(rec.get('error').res, { error: 1, errorMessage: MESSAGES[1] });
  assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
  my.sendSocketMessage({ data: 'late', ...cb(rec, 's') });
  await rec.until('s.complete');
  assert.equal(rec.get('s.fail').res.error, 10);
  await h.settle(30);
  assert.equal(rec.labels().at(-1), 's.complete');
});

test('receive.text: messages arrive in order, then the close (messages before a server close are kept)', async (t) => {
  const s = await server(t, (ws) => {
    for (let i = 0; i < 20; i += 1) ws.send(`m${i}`);
    ws.close(1000, 'done');
  });
  const { rec } = await openGlobal(t, s.url);
  await rec.until('close');
  const messages = rec.events.filter((e) => e.label === 'message').map((e) => e.res.data);
  assert.deepEqual(messages, Array.from({ length: 20 }, (_, i) => `m${i}`));
  assert.equal(rec.labels().at(-1), 'close');
});

for (const [how, drop] of [['a FIN', (sock) => sock.end()], ['an RST', (sock) => sock.resetAndDestroy()]]) {
  test(`close.drop: ${how} after the handshake, without a close frame, gives onError 1 then onClose 1006`, async (t) => {
    const s = await h.startRawServer((sock, r) => {
      sock.write(h.response101({ accept: r.accept }));
      setTimeout(() => drop(sock), 30);
    });
    t.after(() => s.stop());
    const { rec } = await openGlobal(t, s.url);
    await rec.until('close');
    await h.settle(30);
    assert.deepEqual(rec.labels(), ['open', 'error', 'close']);
    assert.equal(rec.get('error').res.error, 1);
    assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
  });
}

test('send.not-open: a send while CLOSING (our close frame sent, no answer yet) fails with 10', async (t) => {
  const s = await h.startRawServer((sock, r) => {
    sock.write(h.response101({ accept: r.accept }));
    sock.on('data', () => {});
  });
  t.after(() => s.stop());
  const { my, rec } = await openGlobal(t, s.url, { closeTimeoutMs: 100 });
  my.closeSocket({});
  my.sendSocketMessage({ data: 'while closing', fail: rec.fn('s.fail'), complete: rec.fn('s.complete') });
  await rec.until('s.complete');
  assert.equal(rec.get('s.fail').res.error, 10);
  await rec.until('close');
});

test('error.12.memory: the 1009 close frame goes out; a reset ends the socket still waiting for the answer', async (t) => {
  let serverSocket;
  let received = Buffer.alloc(0);
  const s = await h.startRawServer((sock, r) => {
    serverSocket = sock;
    sock.write(h.response101({ accept: r.accept }));
    sock.on('data', (d) => { received = Buffer.concat([received, d]); }); // never answers
    sock.write(Buffer.concat([Buffer.from([0x82, 20]), Buffer.alloc(20)]));
  });
  t.after(() => s.stop());
  const rec = h.recorder();
  const my = createMy({ maxMessageBytes: 16, closeTimeoutMs: 10000 });
  t.after(() => destroyMy(my));
  my.onSocketError(rec.fn('error'));
  my.onSocketClose(rec.fn('close'));
  my.connectSocket({ url: s.url });
  await rec.until('close');
  assert.equal(rec.get('error').res.error, 12);
  assert.deepEqual(rec.get('close').res, { code: 1009, reason: '' });
  const frames = h.parseClientFrames(received).frames;
  assert.equal(frames[0].opcode, 8);
  assert.equal(frames[0].payload.readUInt16BE(0), 1009);
  const ended = new Promise((resolve) => serverSocket.once('close', resolve));
  destroyMy(my);
  await h.within(ended, 'the server socket to close', 2000); // well before closeTimeoutMs
});

test('close.server: onClose comes with the close frame, not when TCP ends (a server that keeps TCP open)', async (t) => {
  let received = Buffer.alloc(0);
  const s = await h.startRawServer((sock, r) => {
    sock.write(h.response101({ accept: r.accept }));
    sock.on('data', (d) => { received = Buffer.concat([received, d]); });
    const payload = Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('keep')]); // 4000 "keep"
    setTimeout(() => sock.write(Buffer.concat([Buffer.from([0x88, payload.length]), payload])), 20);
  });
  t.after(() => s.stop());
  const { rec } = await openGlobal(t, s.url, { closeTimeoutMs: 10000 });
  const started = Date.now();
  await rec.until('close', 2000);
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(rec.get('close').res, { code: 4000, reason: 'keep' });
  for (let i = 0; i < 50 && h.parseClientFrames(received).frames.length === 0; i += 1) await h.settle(10);
  const [answer] = h.parseClientFrames(received).frames;
  assert.equal(answer.opcode, 8, 'the client answered the close frame');
  assert.equal(answer.payload.readUInt16BE(0), 4000);
});

test('close.open: onClose comes with the answer frame even when the server keeps TCP open', async (t) => {
  const s = await h.startRawServer((sock, r) => {
    sock.write(h.response101({ accept: r.accept }));
    sock.once('data', () => {
      const payload = Buffer.concat([Buffer.from([0x0b, 0xb9]), Buffer.from('ok')]); // 3001 "ok"
      sock.write(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
    });
  });
  t.after(() => s.stop());
  const { my, rec } = await openGlobal(t, s.url, { closeTimeoutMs: 10000 });
  my.closeSocket({ code: 3001, reason: 'ok' });
  await rec.until('close', 2000);
  assert.deepEqual(rec.get('close').res, { code: 3001, reason: 'ok' });
});
