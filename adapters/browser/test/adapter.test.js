'use strict';
// The browser adapter as the runner sees it: start-up, hello and the
// protocol inside the page, CA trust through the profile's NSS database,
// reset, and no browser process left behind on any way out.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

const skip = h.skipReason() || false;
if (skip) console.log(`# ${skip}`);

const hello = (id, config = {}) => ({ id, op: 'hello', protocol: 1, config });
const connect = (id, url, extra = {}) => ({
  id, op: 'call', target: 'my', method: 'connectSocket', args: { url, multiple: true },
  then: [
    { id: id + 1, target: '$returned', method: 'onOpen', listener: 'O' },
    { id: id + 2, target: '$returned', method: 'onError', listener: 'E' },
    { id: id + 3, target: '$returned', method: 'onMessage', listener: 'M' },
  ],
  ...extra,
});
const isListener = (type, target = 't1') => (m) => m.event === 'listener' && m.type === type && m.target === target;

function started(t, args) {
  const adapter = h.startAdapter(args);
  t.after(() => adapter.kill());
  return adapter;
}

test('a bad --impl path exits with status 2 and says which file it could not read', async (t) => {
  const adapter = started(t, ['--impl', 'no/such/bundle.js']);
  assert.deepEqual(await adapter.exit(), { code: 2, signal: null });
  assert.match(adapter.stderr, /cannot read the implementation bundle ".*no\/such\/bundle\.js" given by --impl/);
  assert.deepEqual(adapter.messages, []);
});

test('no --impl at all exits with status 2 and the usage line', async (t) => {
  const adapter = started(t, []);
  assert.deepEqual(await adapter.exit(), { code: 2, signal: null });
  assert.match(adapter.stderr, /--impl is required\n.*usage: node adapters\/browser\/src\/adapter\.js --impl/);
});

test('CHROMIUM naming a missing file exits with status 2 and says chromium is not installed', async (t) => {
  const adapter = h.startAdapter(['--impl', h.IMPL], { CHROMIUM: '/no/such/chromium' });
  t.after(() => adapter.kill());
  assert.deepEqual(await adapter.exit(), { code: 2, signal: null });
  assert.match(adapter.stderr, /chromium is not installed/);
});

test('start-up: hello answers from the page; then calls run in the page tick; $binary echoes; shutdown exits 0', { skip }, async (t) => {
  const wss = await h.echoServer(t);
  const adapter = started(t);
  const answer = await adapter.request(hello(1, { connectTimeoutMs: 5000 }));
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.equal(answer.result.name, 'browser:my-browser');
  assert.equal(answer.result.protocol, 1);
  assert.deepEqual(answer.result.unsupported, []);
  adapter.send(connect(2, `ws://127.0.0.1:${wss.address().port}/echo`));
  await adapter.until(isListener('open'));
  // The then-calls were answered right after the call, before any callback of it.
  const order = adapter.messages.slice(1).map((m) => m.id ?? `${m.call ?? m.listener}.${m.kind ?? m.type}`);
  assert.deepEqual(order, [2, 3, 4, 5, '2.success', '2.complete', 'O.open']);
  await adapter.request({ id: 6, op: 'call', target: 't1', method: 'send', args: { data: { $binary: 'AQID' } } });
  const message = await adapter.until(isListener('message'));
  assert.deepEqual(message.res, { data: 'AQID', isBuffer: true });
  const { home } = await adapter.browser();
  assert.deepEqual(await adapter.request({ id: 7, op: 'shutdown' }), { id: 7, ok: true, result: {} });
  assert.deepEqual(await adapter.exit(), { code: 0, signal: null });
  assert.ok(h.browserGone(home), 'no chromium process remains after shutdown');
  assert.equal(fs.existsSync(home), false, 'the temporary HOME is removed');
});

test('reset: a fresh page; old handles are unknown, no event of the old page comes after the reset answer', { skip }, async (t) => {
  const wss = await h.echoServer(t);
  const adapter = started(t);
  await adapter.request(hello(1));
  adapter.send(connect(2, `ws://127.0.0.1:${wss.address().port}/echo`));
  await adapter.until(isListener('open'));
  const reset = await adapter.request({ id: 6, op: 'reset' });
  assert.deepEqual(reset, { id: 6, ok: true, result: {} });
  const unknown = await adapter.request({ id: 7, op: 'call', target: 't1', method: 'send', args: { data: 'x' } });
  assert.equal(unknown.ok, false);
  assert.match(unknown.error, /unknown target "t1"/);
  // The config of hello still holds after reset: a new task is t1 again and opens.
  adapter.send(connect(8, `ws://127.0.0.1:${wss.address().port}/again`));
  await adapter.until((m) => m.event === 'listener' && m.type === 'open' && adapter.messages.indexOf(m) > adapter.messages.indexOf(reset));
  const afterReset = adapter.messages.slice(adapter.messages.indexOf(reset) + 1);
  assert.deepEqual(afterReset.filter((m) => m.event).map((m) => `${m.call ?? m.listener}.${m.kind ?? m.type}`),
    ['8.success', '8.complete', 'O.open']);
});

test('a reset after a used page makes a new one (old handles unknown, the old socket ends, the config carries over); a reset of a page untouched since its own reset keeps it', { skip }, async (t) => {
  const { BrowserAdapter } = require('../src/adapter');
  const browsers = require('../src/browser');
  const wss = await h.echoServer(t);
  const url = `ws://127.0.0.1:${wss.address().port}/echo`;
  const out = [];
  const adapter = new BrowserAdapter({
    executable: browsers.findChromium(),
    impl: { file: h.IMPL, script: require('../src/scripts').implementationScript(h.IMPL), api: 'my' },
    instances: 2,
  });
  adapter.write = (m) => out.push(m);
  adapter.log = () => {};
  t.after(async () => {
    adapter.ending = true;
    if (adapter.browser) await adapter.browser.close();
    fs.rmSync(adapter.home, { recursive: true, force: true });
  });
  let id = 0;
  const answerTo = async (message) => {
    const request = { id: (id += 1), instance: 1, ...message };
    await h.within(adapter.handleLine(JSON.stringify(request)), `the answer to ${JSON.stringify(request)}`);
    return out.find((m) => m.id === request.id && m.instance === 1 && m.ok !== undefined);
  };
  const connect = () => answerTo({ op: 'call', target: 'my', method: 'connectSocket', args: { url, multiple: true } });
  const callbacks = (call) => out.filter((m) => m.event === 'callback' && m.instance === 1 && m.call === call).map((m) => m.kind);
  const page = adapter.instance(1);
  await adapter.handleLine(JSON.stringify(hello(0)));
  assert.equal(out[0].ok, true, JSON.stringify(out[0]));
  // Instance 1 with maxTasks 1: its second task fails, after every reset too.
  assert.deepEqual(await answerTo({ op: 'reset', config: { maxTasks: 1 } }), { id, instance: 1, ok: true, result: {} });
  for (let round = 0; round < 2; round += 1) {
    const generation = page.generation;
    const first = await connect();
    assert.deepEqual(first.result, { returned: { task: 't1' } }, `round ${round}: ${JSON.stringify(first)}`);
    await h.eventually(() => wss.clients.size === 1, `round ${round}: the server sees the page's socket`);
    const second = await connect();
    await h.eventually(() => callbacks(second.id).includes('fail'), `round ${round}: the second task fails (maxTasks 1)`);
    assert.deepEqual(await answerTo({ op: 'reset' }), { id, instance: 1, ok: true, result: {} });
    assert.equal(page.generation, generation + 1, `round ${round}: a new page`);
    await h.eventually(() => wss.clients.size === 0, `round ${round}: the old page's socket ended with it`);
    const unknown = await answerTo({ op: 'call', target: 't1', method: 'send', args: { data: 'x' } });
    assert.match(unknown.error, /unknown target "t1"/);
  }
  // The refused call above was handled by the page: the next reset makes a new one; one
  // untouched since its own reset is kept; another config makes a new one at once.
  await answerTo({ op: 'reset' });
  const kept = page.generation;
  await answerTo({ op: 'reset' });
  assert.equal(page.generation, kept, 'an untouched page is kept');
  await answerTo({ op: 'reset', config: {} });
  assert.equal(page.generation, kept + 1, 'another config: a new page');
  await connect();
  const again = await connect();
  await h.eventually(() => callbacks(again.id).includes('success'), 'maxTasks 5 again: the second task is made');
});

test('caCertificatesPem is trusted through the NSS database: wss opens; without it the browser refuses (error 7)', { skip }, async (t) => {
  const certificates = h.makeCertificates();
  const port = await h.wssEchoServer(t, certificates);
  const url = `wss://127.0.0.1:${port}/tls`;

  const trusting = started(t);
  assert.equal((await trusting.request(hello(1, { caCertificatesPem: certificates.ca }))).ok, true);
  trusting.send(connect(2, url));
  await trusting.until(isListener('open'));

  // Another adapter without the CA: the browser's own verdict, read from the host channel.
  const strict = started(t);
  assert.equal((await strict.request(hello(1))).ok, true);
  strict.send(connect(2, url));
  const error = await strict.until(isListener('error'));
  assert.equal(error.res.error, 7);
  assert.equal(strict.messages.some(isListener('open')), false);
});

test('a second hello with another CA restarts the browser with the new trust', { skip }, async (t) => {
  const certificates = h.makeCertificates();
  const port = await h.wssEchoServer(t, certificates);
  const adapter = started(t);
  assert.equal((await adapter.request(hello(1))).ok, true);
  const first = await adapter.browser();
  assert.equal((await adapter.request(hello(2, { caCertificatesPem: certificates.ca }))).ok, true);
  await adapter.when(() => (/restarting the browser/.test(adapter.stderr) ? true : undefined), 'the restart');
  adapter.send(connect(3, `wss://127.0.0.1:${port}/tls`));
  await adapter.until(isListener('open'));
  await h.eventually(() => h.processGone(first.pid), 'the first browser to be gone');
});

test('a caCertificatesPem without a certificate refuses hello', { skip }, async (t) => {
  const adapter = started(t);
  const answer = await adapter.request(hello(1, { caCertificatesPem: 'not a certificate' }));
  assert.equal(answer.ok, false);
  assert.match(answer.error, /caCertificatesPem holds no PEM certificate/);
});

test('a bundle that throws while loading refuses hello with its error', { skip }, async (t) => {
  const adapter = started(t, ['--impl', path.join(__dirname, 'fixtures', 'throws.js')]);
  const answer = await adapter.request(hello(1));
  assert.equal(answer.ok, false);
  assert.match(answer.error, /the implementation bundle .*throws\.js threw: Error: this bundle is broken on purpose/);
});

test('a bundle that defines no globalThis.my refuses hello', { skip }, async (t) => {
  const adapter = started(t, ['--impl', path.join(__dirname, 'fixtures', 'no-my.js')]);
  const answer = await adapter.request(hello(1));
  assert.equal(answer.ok, false);
  assert.match(answer.error, /did not define globalThis\.my/);
});

test('--api wx serves the bundle\'s globalThis.wx, also after a reset; without it my is served and a wx-only bundle refuses hello', { skip }, async (t) => {
  const wxOnly = path.join(__dirname, 'fixtures', 'wx-face.js');
  const adapter = started(t, ['--impl', wxOnly, '--api', 'wx']);
  const answer = await adapter.request(hello(1));
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.equal(answer.result.api, 'wx');
  assert.equal((await adapter.request({ id: 2, op: 'reset' })).ok, true);
  const call = await adapter.request({ id: 3, op: 'call', target: 'wx', method: 'connectSocket', args: { url: 'ws://127.0.0.1:9/' } });
  assert.deepEqual(call.result, { returned: { task: 't1' } });
  const onMy = await adapter.request({ id: 4, op: 'call', target: 'my', method: 'connectSocket', args: {} });
  assert.equal(onMy.ok, false);

  const plain = started(t, ['--impl', wxOnly]);
  const refused = await plain.request(hello(1));
  assert.equal(refused.ok, false);
  assert.match(refused.error, /did not define globalThis\.my/);
});

test('a hello that names the wechat profile serves wx without --api, also after a reset', { skip }, async (t) => {
  const adapter = started(t, ['--impl', path.join(__dirname, 'fixtures', 'wx-face.js')]);
  const answer = await adapter.request({ ...hello(1), profile: 'wechat' });
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.equal(answer.result.api, 'wx');
  assert.equal((await adapter.request({ id: 2, op: 'reset' })).ok, true);
  const call = await adapter.request({ id: 3, op: 'call', target: 'wx', method: 'connectSocket', args: { url: 'ws://127.0.0.1:9/' } });
  assert.deepEqual(call.result, { returned: { task: 't1' } });
});

test('--api with a face spec.json does not have exits with status 2', async (t) => {
  const adapter = started(t, ['--impl', path.join(__dirname, 'fixtures', 'wx-face.js'), '--api', 'swan']);
  assert.equal((await adapter.exit()).code, 2);
  assert.match(adapter.stderr, /--api must be one of my, wx, tt/);
});

for (const [way, end] of [
  ['stdin closes', (adapter) => adapter.child.stdin.end()],
  ['SIGTERM', (adapter) => adapter.child.kill('SIGTERM')],
  ['SIGINT', (adapter) => adapter.child.kill('SIGINT')],
]) {
  test(`no chromium process outlives the adapter when ${way}`, { skip }, async (t) => {
    const adapter = started(t);
    assert.equal((await adapter.request(hello(1))).ok, true);
    const { home } = await adapter.browser();
    assert.equal(h.browserGone(home), false);
    end(adapter);
    assert.equal((await adapter.exit()).code, 0);
    assert.ok(h.browserGone(home), 'no chromium process remains');
    assert.equal(fs.existsSync(home), false, 'the temporary HOME is removed');
  });
}

test("the runner ending the adapter's process group ends the browser with it", { skip }, async (t) => {
  const adapter = h.startAdapter(['--impl', h.IMPL], {}, true);
  t.after(() => adapter.killNow());
  assert.equal((await adapter.request(hello(1))).ok, true);
  const { home } = await adapter.browser();
  assert.equal(h.browserGone(home), false);
  process.kill(-adapter.child.pid, 'SIGKILL');
  await adapter.exit();
  // SIGKILL of a group is delivered to every member at once: no grace period.
  await h.eventually(() => h.browserGone(home), 'every browser process to be gone', 1000);
});

test('when the adapter is killed outright (SIGKILL, the runner gone), the browser ends by itself: its DevTools pipe closed', { skip }, async (t) => {
  const adapter = started(t);
  assert.equal((await adapter.request(hello(1))).ok, true);
  const { home } = await adapter.browser();
  await adapter.killNow();
  await h.eventually(() => h.browserGone(home), 'the orphaned browser to exit', 10000);
  // The next adapter removes the HOME the killed one left.
  assert.equal(fs.existsSync(home), true);
  const another = started(t);
  assert.equal((await another.request(hello(1))).ok, true);
  assert.equal(fs.existsSync(home), false, 'the stale HOME is removed');
});

test('the host channel tells handshake failures apart: a 200 answer is error 8, a refused connection error 1', { skip }, async (t) => {
  const net = require('node:net');
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const closed = net.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const refusedPort = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));

  const adapter = started(t);
  assert.equal((await adapter.request(hello(1))).ok, true);
  adapter.send(connect(2, `ws://127.0.0.1:${server.address().port}/not-websocket`));
  assert.equal((await adapter.until(isListener('error', 't1'))).res.error, 8);
  adapter.send(connect(10, `ws://127.0.0.1:${refusedPort}/refused`));
  assert.equal((await adapter.until(isListener('error', 't2'))).res.error, 1);
});

/** A ws server that records the request headers of each handshake by path. */
async function headerServer(t) {
  const seen = new Map();
  const wss = await h.echoServer(t);
  wss.on('connection', (_ws, req) => seen.set(req.url, req.headers));
  return { port: wss.address().port, seen };
}

test('request headers reach the server through the host (myHost.openWebSocket); a connect made in the same tick without headers does not carry them', { skip }, async (t) => {
  const { port, seen } = await headerServer(t);
  const adapter = started(t);
  assert.equal((await adapter.request(hello(1))).ok, true);
  const header = { 'X-Token': 'abc', 'Content-Type': 'application/json', 'Sec-WebSocket-Version': '99', Upgrade: 'h2c' };
  adapter.send(connect(2, `ws://127.0.0.1:${port}/with`, {
    args: { url: `ws://127.0.0.1:${port}/with`, multiple: true, header },
    then: [
      { id: 3, target: '$returned', method: 'onOpen', listener: 'O' },
      { id: 4, target: 'my', method: 'connectSocket', args: { url: `ws://127.0.0.1:${port}/without`, multiple: true },
        then: [{ id: 5, target: '$returned', method: 'onOpen', listener: 'O2' }] },
    ],
  }));
  await adapter.until(isListener('open', 't1'));
  await adapter.until(isListener('open', 't2'));
  const withHeaders = seen.get('/with');
  assert.equal(withHeaders['x-token'], 'abc');
  assert.equal(withHeaders['content-type'], 'application/json');
  // The handshake's own headers are not overridden (connect.header.reserved: ignored).
  assert.equal(withHeaders['sec-websocket-version'], '13');
  assert.equal(withHeaders.upgrade, 'websocket');
  const without = seen.get('/without');
  assert.equal(without['x-token'], undefined, 'the headers were cleared once the first handshake request went');
  assert.equal(without['content-type'], undefined);
  // And a later connect of the page carries none either.
  adapter.send(connect(10, `ws://127.0.0.1:${port}/later`));
  await adapter.until(isListener('open', 't3'));
  assert.equal(seen.get('/later')['x-token'], undefined);
});

test('a bundle that makes its own WebSocket gets no request header from the adapter', { skip }, async (t) => {
  const { port, seen } = await headerServer(t);
  const adapter = started(t, ['--impl', path.join(__dirname, 'fixtures', 'plain-websocket.js')]);
  assert.equal((await adapter.request(hello(1))).ok, true);
  adapter.send({
    id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: `ws://127.0.0.1:${port}/plain`, header: { 'X-Token': 'abc' } },
    then: [{ id: 3, target: '$returned', method: 'onOpen', listener: 'O' }],
  });
  await adapter.until(isListener('open', 't1'));
  assert.equal(seen.get('/plain')['x-token'], undefined);
});

test('instances: hello says 16; each instance has its own page, tasks and config (reset.config); an unknown instance is refused', { skip }, async (t) => {
  const wss = await h.echoServer(t);
  const url = `ws://127.0.0.1:${wss.address().port}/echo`;
  const adapter = started(t);
  const answer = await adapter.request(hello(1));
  assert.equal(answer.result.instances, 16);
  // Instance 3 takes maxTasks 1: its second task fails; instance 0 keeps hello's config.
  const reset = await adapter.request({ id: 1, instance: 3, op: 'reset', config: { maxTasks: 1 } });
  assert.deepEqual(reset, { id: 1, instance: 3, ok: true, result: {} });
  const connectOn = (instance, id) => adapter.request({ id, instance, op: 'call', target: 'my', method: 'connectSocket', args: { url, multiple: true } });
  assert.deepEqual((await connectOn(3, 2)).result, { returned: { task: 't1' } });
  await connectOn(3, 3);
  const failed = await adapter.until((m) => m.event === 'callback' && m.call === 3 && m.instance === 3 && m.kind === 'fail');
  assert.equal(failed.res.error, 1, JSON.stringify(failed));
  // Instance 0 has its own handles: t1 again, and its second task is allowed (maxTasks 5).
  assert.deepEqual((await connectOn(0, 2)).result, { returned: { task: 't1' } });
  await connectOn(0, 3);
  await adapter.until((m) => m.event === 'callback' && m.call === 3 && m.instance === undefined && m.kind === 'success');
  adapter.send({ id: 4, instance: 16, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O' });
  const bad = await adapter.until((m) => m.id === 4 && m.ok === false);
  assert.match(bad.error, /no instance 16 \(this adapter holds 16\)/);
  const { home } = await adapter.browser();
  assert.deepEqual(await adapter.request({ id: 9, op: 'shutdown' }), { id: 9, ok: true, result: {} });
  await adapter.exit();
  assert.ok(h.browserGone(home), 'no chromium process (of any instance) remains after shutdown');
});

test('a crashed renderer fails the requests of the instances whose pages it held, with the reason, even one sent before the crash is reported; a reset gives one a new page', { skip }, async (t) => {
  const { BrowserAdapter } = require('../src/adapter');
  const browsers = require('../src/browser');
  const out = [];
  const adapter = new BrowserAdapter({
    executable: browsers.findChromium(),
    impl: { file: h.IMPL, script: require('../src/scripts').implementationScript(h.IMPL), api: 'my' },
    instances: 4,
  });
  adapter.write = (m) => out.push(m);
  adapter.log = () => {};
  t.after(async () => {
    adapter.ending = true; // not a browser dying under the adapter
    if (adapter.browser) await adapter.browser.close();
    fs.rmSync(adapter.home, { recursive: true, force: true });
  });
  // Each request is answered (ok or not) within the wait: a hung page fails the test.
  const answerTo = async (message) => {
    await h.within(adapter.handleLine(JSON.stringify(message)), `the answer to ${JSON.stringify(message)}`);
    const answer = out.find((m) => m.id === message.id && (m.instance ?? 0) === (message.instance ?? 0));
    assert.ok(answer, `no answer to ${JSON.stringify(message)}; got ${JSON.stringify(out)}`);
    return answer;
  };
  const onSocketOpen = (id, instance) => ({ id, instance, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'O' });
  assert.equal((await answerTo(hello(1))).ok, true);
  for (const number of [1, 2, 3]) assert.equal((await answerTo(onSocketOpen(1, number))).ok, true);
  const page = adapter.instance(2);
  // Page.crash is never answered (the renderer dies first). The request sent right behind it
  // reaches a page whose renderer is gone: it fails once the crash is reported, not never.
  page.send('Page.crash').catch(() => {});
  const racing = await answerTo(onSocketOpen(10, 2));
  assert.equal(racing.ok, false, JSON.stringify(racing));
  assert.match(racing.error, /the page of instance 2 crashed \(its renderer is gone\); a reset makes a new page/);
  assert.ok(page.crashed, 'instance 2 knows its page crashed');
  // Pages share renderer processes: every page of the crashed renderer is gone (often all of
  // them: Chromium may put every tab in one process); each says so (if its crash is reported
  // while the request is under way, that request fails too), a page not in it answers.
  for (const number of [0, 1, 3]) {
    const answer = await answerTo(onSocketOpen(10, number));
    const crashedOne = adapter.instance(number).crashed !== null;
    assert.equal(answer.ok, !crashedOne, JSON.stringify(answer));
    if (crashedOne) assert.match(answer.error, new RegExp(`the page of instance ${number} crashed .*; a reset makes a new page`));
  }
  assert.deepEqual(await answerTo({ id: 11, instance: 2, op: 'reset' }), { id: 11, instance: 2, ok: true, result: {} });
  assert.equal((await answerTo(onSocketOpen(12, 2))).ok, true);
});
