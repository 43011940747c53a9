'use strict';
// wss:// against certificates made here with the openssl CLI (a test CA and
// leaves for 127.0.0.1). The Rust suite's mock server covers the full
// catalogue (not yet valid, unknown CA, ...); these check the mapping to 7 and
// that caCertificatesPem is trusted.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const https = require('node:https');
const { execFileSync } = require('node:child_process');
const { WebSocketServer } = require('ws');
const { createMy, destroyMy, MESSAGES } = require('../src/my');
const h = require('./helpers');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectsocket-tls-'));
const file = (name) => path.join(dir, name);
const read = (name) => fs.readFileSync(file(name), 'utf8');

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCertificates() {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=connectsocket test CA',
    '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(file('ip.ext'), 'subjectAltName=IP:127.0.0.1\n');
  fs.writeFileSync(file('dns.ext'), 'subjectAltName=DNS:wrong-host.invalid\n');
  const sign = (out, days, ext) => openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-set_serial', String(Math.floor(Math.random() * 1e9)), '-out', out, '-days', String(days), '-extfile', ext);
  sign('valid.pem', 2, 'ip.ext');
  sign('expired.pem', -1, 'ip.ext');
  sign('wrong-host.pem', 2, 'dns.ext');
  openssl('req', '-x509', '-key', 'leaf.key', '-out', 'self-signed.pem', '-subj', '/CN=127.0.0.1', '-days', '2',
    '-addext', 'subjectAltName=IP:127.0.0.1');
}

let certificatesMade = true;
try {
  makeCertificates();
} catch (err) {
  certificatesMade = false;
  process.stderr.write(`openssl failed, TLS tests skipped: ${err.message}\n`);
}
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function wssServer(t, certFile) {
  const server = https.createServer({ key: read('leaf.key'), cert: read(certFile) });
  server.on('tlsClientError', () => {});
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    h.echo(ws);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections?.();
    server.close(() => resolve());
  }));
  return `wss://127.0.0.1:${server.address().port}/echo`;
}

function connect(t, url, config) {
  const rec = h.recorder();
  const my = createMy({ connectTimeoutMs: 3000, ...config });
  t.after(() => destroyMy(my));
  my.onSocketOpen(rec.fn('open'));
  my.onSocketError(rec.fn('error'));
  my.onSocketClose(rec.fn('close'));
  my.onSocketMessage(rec.fn('message'));
  my.connectSocket({ url });
  return { my, rec };
}

const skip = !certificatesMade && 'openssl is not available';

test('connect.open: a certificate from the configured CA (caCertificatesPem) is trusted; messages flow', { skip }, async (t) => {
  const url = await wssServer(t, 'valid.pem');
  const { my, rec } = connect(t, url, { caCertificatesPem: read('ca.pem') });
  await rec.until('open');
  my.sendSocketMessage({ data: 'over tls' });
  assert.equal((await rec.until('message')).res.data, 'over tls');
});

const BAD = [
  ['an issuer that is not trusted (no caCertificatesPem)', 'valid.pem', false],
  ['an expired certificate', 'expired.pem', true],
  ['a certificate for another host name', 'wrong-host.pem', true],
  ['a self-signed certificate', 'self-signed.pem', true],
];

for (const [name, certFile, trustCa] of BAD) {
  test(`error.7.cert: ${name} gives onError 7 then onClose 1006`, { skip }, async (t) => {
    const url = await wssServer(t, certFile);
    const { rec } = connect(t, url, trustCa ? { caCertificatesPem: read('ca.pem') } : {});
    await rec.until('close');
    assert.deepEqual(rec.labels(), ['error', 'close']);
    assert.deepEqual(rec.get('error').res, { error: 7, errorMessage: MESSAGES[7] });
    assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
  });
}
