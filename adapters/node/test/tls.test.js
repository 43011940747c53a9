'use strict';
// wss:// against certificates made here with the openssl CLI (a test CA and
// leaves for 127.0.0.1). The Rust suite's mock server covers the full
// catalogue (not yet valid, unknown CA, ...); these check the mapping to 7 and
// that caCertificatesPem is trusted.

const test = require('node:test');
const assert = require('node:assert/strict');
const https = require('node:https');
const { WebSocketServer } = require('ws');
const { makeTestAuthority } = require('connectsocket-common/testing');
const { createMy, destroyMy, MESSAGES } = require('..');
const h = require('./helpers');

/** The CA's certificate, the leaves' key, and the certificates by name. */
let pki = null;
try {
  const authority = makeTestAuthority();
  try {
    pki = {
      ca: authority.ca,
      key: authority.key,
      certificates: {
        valid: authority.leaf(),
        expired: authority.leaf({ days: -1 }),
        'wrong-host': authority.leaf({ subjectAltName: 'DNS:wrong-host.invalid' }),
        'self-signed': authority.selfSigned(),
      },
    };
  } finally {
    authority.remove();
  }
} catch (err) {
  process.stderr.write(`openssl failed, TLS tests skipped: ${err.message}\n`);
}

async function wssServer(t, certificate) {
  const server = https.createServer({ key: pki.key, cert: pki.certificates[certificate] });
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

const skip = !pki && 'openssl is not available';

test('connect.open: a certificate from the configured CA (caCertificatesPem) is trusted; messages flow', { skip }, async (t) => {
  const url = await wssServer(t, 'valid');
  const { my, rec } = connect(t, url, { caCertificatesPem: pki.ca });
  await rec.until('open');
  my.sendSocketMessage({ data: 'over tls' });
  assert.equal((await rec.until('message')).res.data, 'over tls');
});

const BAD = [
  ['an issuer that is not trusted (no caCertificatesPem)', 'valid', false],
  ['an expired certificate', 'expired', true],
  ['a certificate for another host name', 'wrong-host', true],
  ['a self-signed certificate', 'self-signed', true],
];

for (const [name, certificate, trustCa] of BAD) {
  test(`error.7.cert: ${name} gives onError 7 then onClose 1006`, { skip }, async (t) => {
    const url = await wssServer(t, certificate);
    const { rec } = connect(t, url, trustCa ? { caCertificatesPem: pki.ca } : {});
    await rec.until('close');
    assert.deepEqual(rec.labels(), ['error', 'close']);
    assert.deepEqual(rec.get('error').res, { error: 7, errorMessage: MESSAGES[7] });
    assert.deepEqual(rec.get('close').res, { code: 1006, reason: '' });
  });
}
