'use strict';
// The small helpers: config defaults, base64, PEM blocks, and the tests' waits.

const test = require('node:test');
const assert = require('node:assert/strict');
const { DEFAULT_CONFIG, CONFIG_KEYS, normaliseConfig, validConfigValue } = require('../src/config');
const { WEB_CODEC, encodeBase64, decodeBase64, decodeBase64Strict, arrayBufferOf } = require('../src/base64');
const { pemCertificates } = require('../src/certificates');
const { within, Waiters, eventually } = require('../src/testing');

test('a config takes the defaults for absent and null keys, and nothing it does not know', () => {
  assert.deepEqual(normaliseConfig(undefined), DEFAULT_CONFIG);
  assert.deepEqual(normaliseConfig({ maxTasks: 2, closeTimeoutMs: null, other: 1 }), { ...DEFAULT_CONFIG, maxTasks: 2 });
  assert.deepEqual(CONFIG_KEYS, ['caCertificatesPem', 'connectTimeoutMs', 'closeTimeoutMs', 'maxMessageBytes', 'maxTasks', 'wssOnly', 'allowedHosts']);
  assert.equal(validConfigValue('maxTasks', 3), true);
  assert.equal(validConfigValue('maxTasks', -1), false);
  assert.equal(validConfigValue('wssOnly', 1), false);
  assert.equal(validConfigValue('allowedHosts', ['a', 2]), false);
});

test('base64 round-trips bytes of every value, longer than one chunk of 32 KiB', () => {
  const bytes = new Uint8Array(70000).map((_, i) => (i * 7) % 256);
  const text = encodeBase64(bytes);
  assert.equal(text, Buffer.from(bytes).toString('base64'));
  assert.deepEqual(decodeBase64(text), bytes);
  assert.equal(WEB_CODEC.utf8Length('é中'), 5);
  const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
  assert.deepEqual([...new Uint8Array(arrayBufferOf(view))], [8, 7]);
});

test('strict base64: canonical and padded, or null', () => {
  assert.deepEqual(decodeBase64Strict('AQID', WEB_CODEC), new Uint8Array([1, 2, 3]));
  assert.deepEqual(decodeBase64Strict('', WEB_CODEC), new Uint8Array([]));
  for (const bad of ['AQI', 'AQ==x', 'AR==', 'A===', 'AQ-_', 'AQ=D', 42]) {
    assert.equal(decodeBase64Strict(bad, WEB_CODEC), null, JSON.stringify(bad));
  }
});

test('the PEM blocks of caCertificatesPem, in order; none is an error', () => {
  const block = (n) => `-----BEGIN CERTIFICATE-----\nAAA${n}\n-----END CERTIFICATE-----`;
  assert.deepEqual(pemCertificates(`junk\n${block(1)}\nmore\n${block(2)}\n`), [block(1), block(2)]);
  assert.throws(() => pemCertificates('no PEM here'), /caCertificatesPem holds no PEM certificate/);
});

test('a wait resolves on the notification that makes its probe true, and times out saying what it waited for', async () => {
  const waiters = new Waiters();
  const seen = [];
  const waiting = waiters.when(() => seen.find((x) => x > 1), 'a number above 1', 1000);
  seen.push(1);
  waiters.notify();
  seen.push(2);
  waiters.notify();
  assert.equal(await waiting, 2);
  assert.equal(waiters.pending.size, 0);
  await assert.rejects(waiters.when(() => undefined, () => 'nothing', 10), /timed out waiting for nothing/);
  await assert.rejects(within(new Promise(() => {}), 'forever', 10), /timed out after 10 ms waiting for forever/);
  assert.equal(await within(Promise.resolve(5), 'five', 10), 5);
  await assert.rejects(eventually(() => false, 'never', 30), /timed out waiting for never/);
});
