'use strict';
// agent.js on its own: it parses as ES5 (what a mini-program's engine is
// sure to take), its table of faces is spec/spec.json's, and a request the
// runtime throws on gets an error response while the session goes on.
// Run by `cargo test -p runner --test agent` (node --test agent/test/).

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const agent = require('../agent.js');

test('agent.js is ES5: no let, const, arrows, classes, template strings or modules', () => {
  const acorn = require(path.join(ROOT, 'adapters', 'node_modules', 'acorn'));
  const source = fs.readFileSync(path.join(__dirname, '..', 'agent.js'), 'utf8');
  assert.doesNotThrow(() => acorn.parse(source, { ecmaVersion: 5, sourceType: 'script' }));
});

test('its faces are spec.json\'s: the methods of each target, and what each takes', () => {
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'spec', 'spec.json'), 'utf8'));
  for (const [face, data] of Object.entries(spec.faces)) {
    const expected = { global: {}, task: {} };
    for (const name of data.methods) {
      const method = spec.methods[name];
      expected[method.target][name] = method.kind === 'callbacks' ? 'c' : method.event;
    }
    assert.deepStrictEqual(agent.FACES[face], expected, face);
  }
  for (const [name, profile] of Object.entries(spec.profiles)) assert.strictEqual(agent.PROFILE_FACES[name], profile.face, name);
});

test('base64 round-trips every length', () => {
  for (let n = 0; n < 40; n += 1) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    const text = agent.encodeBase64(bytes);
    assert.strictEqual(text, Buffer.from(bytes).toString('base64'));
    assert.deepStrictEqual(new Uint8Array(agent.decodeBase64(text)), bytes);
  }
});

test('a request the runtime throws on gets an error response, and the next one runs', () => {
  const written = [];
  const platform = {
    connectSocket() {
      throw new Error('the runtime refuses');
    },
    onSocketOpen() {},
  };
  const session = new agent.Session({ platform, face: 'my' }, (m) => written.push(m), () => {});
  session.handle({ id: 1, op: 'hello', protocol: 1, config: {} });
  assert.strictEqual(written[0].ok, true);
  assert.ok(written[0].result.unsupported.includes('maxTasks'), 'a platform object of its own cannot be configured');
  session.handle({ id: 2, op: 'call', target: 'my', method: 'connectSocket', args: { url: 'ws://127.0.0.1:1/' } });
  const refused = written.find((m) => m.id === 2);
  assert.strictEqual(refused.ok, false);
  assert.match(refused.error, /the method threw: Error: the runtime refuses/);
  session.handle({ id: 3, op: 'call', target: 'my', method: 'onSocketOpen', listener: 'L1' });
  assert.deepStrictEqual(written.find((m) => m.id === 3), { id: 3, ok: true, result: { returned: null } });
  session.handle({ id: 4, op: 'reset' });
  assert.deepStrictEqual(written.find((m) => m.id === 4), { id: 4, ok: true, result: {} });
});
