'use strict';
// ../src/spec.js reads spec/spec.json, the facts the `spec` crate renders,
// and what the protocol and the core make of it: these tests check that the
// JavaScript side agrees with that document (every face's methods, every
// profile's facts, every code the core and the transports name) and keeps
// no table of its own.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const spec = require('../src/spec');
const protocol = require('../src/protocol');
const core = require('../src/core');
const { WEB_CODEC } = require('../src/base64');

const { SPEC, CODES, SEED_MESSAGES, EVENTS, METHODS, FACES, PROFILES, methodsOf } = spec;
const ADAPTERS = path.join(__dirname, '..', '..');
const names = (face, target) => methodsOf(face, target).map((m) => m.name);

test('the module reads the checked-in spec/spec.json', () => {
  const onDisk = JSON.parse(fs.readFileSync(path.join(ADAPTERS, '..', 'spec', 'spec.json'), 'utf8'));
  assert.deepEqual(SPEC, onDisk);
  assert.equal(SPEC.specJsonVersion, 1);
});

test('the `my` face has the eleven global methods and ten task methods of the adapter protocol, in its order', () => {
  assert.deepEqual(names('my', 'global'), [
    'connectSocket', 'sendSocketMessage', 'closeSocket',
    'onSocketOpen', 'offSocketOpen', 'onSocketMessage', 'offSocketMessage',
    'onSocketError', 'offSocketError', 'onSocketClose', 'offSocketClose',
  ]);
  assert.deepEqual(names('my', 'task'), [
    'send', 'close', 'onOpen', 'offOpen', 'onMessage', 'offMessage', 'onError', 'offError', 'onClose', 'offClose',
  ]);
  assert.equal(METHODS.length, 21);
  assert.deepEqual(EVENTS, ['open', 'message', 'error', 'close']);
});

test('the `wx` face has the same methods without off*', () => {
  assert.deepEqual(names('wx', 'global'), names('my', 'global').filter((n) => !n.startsWith('off')));
  assert.deepEqual(names('wx', 'task'), names('my', 'task').filter((n) => !n.startsWith('off')));
});

test('every method agrees with spec.json: target, callbacks or listener, event, global twin', () => {
  assert.deepEqual(METHODS.map((m) => m.name), Object.keys(SPEC.methods));
  for (const method of METHODS) {
    const entry = SPEC.methods[method.name];
    assert.equal(method.target, entry.target, method.name);
    assert.equal(method.globalTwin, entry.globalTwin, method.name);
    if (method.takes === 'listener') {
      assert.ok(EVENTS.includes(method.event), method.name);
      assert.equal(method.event, entry.event, method.name);
      assert.equal(method.removes, entry.kind === 'removeListener', method.name);
    } else {
      assert.equal(entry.kind, 'callbacks', method.name);
    }
  }
});

test('every code has a number, a message and a reason; the seed table is codes 1 to 12', () => {
  assert.deepEqual(Object.keys(CODES), Object.keys(SPEC.errorCodes));
  for (const [name, code] of Object.entries(CODES)) {
    assert.equal(code.name, name);
    assert.equal(code.code, SPEC.errorCodes[name].code, name);
    assert.equal(typeof code.message, 'string', name);
    assert.equal(typeof code.reason, 'string', name);
  }
  assert.deepEqual(Object.keys(SEED_MESSAGES).map(Number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(SEED_MESSAGES[3], 'URL 参数为空。');
});

test('every face and profile of spec.json is served, with the facts spec.json gives it', () => {
  assert.deepEqual(Object.keys(FACES), Object.keys(SPEC.faces));
  assert.deepEqual(Object.keys(PROFILES), Object.keys(SPEC.profiles));
  assert.deepEqual(Object.keys(protocol.FACES), Object.keys(SPEC.faces));
  for (const [name, profile] of Object.entries(SPEC.profiles)) {
    assert.equal(protocol.PROFILE_APIS[name], profile.face, name);
    const served = core.servedFace(name);
    const face = SPEC.faces[profile.face];
    assert.equal(served.global, face.global, name);
    assert.equal(served.payload, face.payload, name);
    assert.equal(served.binary, face.binary, name);
    assert.equal(served.offMethods, face.offMethods, name);
    assert.equal(served.alwaysTask, face.connectAlwaysReturnsTask, name);
    assert.equal(served.globalFollowsNewest, face.globalsFollowNewestTask, name);
    assert.equal(served.wrongTypeCode, profile.wrongTypeCode, name);
    assert.equal(served.singleExistsCode, profile.singleExistsCode, name);
    const reads = (argument) => face.connectArguments.includes(argument) && !profile.absentArguments.includes(argument);
    assert.equal(served.honoursTimeout, reads('timeout'), name);
    assert.equal(served.honoursData, reads('data'), name);
    // The option of connect.wss-only.code: the profile's where it decides one.
    const decided = profile.decidedOptions['connect.wss-only.code'];
    const option = decided === undefined ? core.OWN_OPTIONS['connect.wss-only.code'] : decided;
    assert.equal(served.wssOnlyCode, SPEC.optionRules['connect.wss-only.code'].codes[option], name);
    assert.ok(Object.hasOwn(CODES, served.wssOnlyCode), name);
  }
});

test('the global object of each face has exactly its methods; a task has exactly its task methods', () => {
  const transport = { Socket: class {}, nextMacrotask: setImmediate, headerAllowed: () => true, codec: WEB_CODEC };
  for (const face of Object.keys(SPEC.faces)) {
    const api = core.createApi(core.faceOf(face), {}, transport);
    assert.deepEqual(Object.keys(api).sort(), names(face, 'global').sort(), face);
    const task = api.connectSocket({ url: '', multiple: true });
    if (task !== undefined) {
      const methods = [];
      for (let proto = Object.getPrototypeOf(task); proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        methods.push(...Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor'));
      }
      assert.deepEqual(methods.sort(), names(face, 'task').sort(), face);
    }
    core.destroyApi(api);
  }
});

test('the protocol dispatch takes its method tables from the spec', () => {
  assert.deepEqual(Object.keys(protocol.FACES.wx.listenerMethods), ['onSocketOpen', 'onSocketMessage', 'onSocketError', 'onSocketClose']);
  assert.equal(protocol.FACES.my.taskListenerMethods.offClose, 'close');
  assert.deepEqual([...protocol.FACES.my.callbackMethods], ['connectSocket', 'sendSocketMessage', 'closeSocket']);
  assert.deepEqual([...protocol.FACES.wx.taskCallbackMethods], ['send', 'close']);
  assert.equal(protocol.PROFILE_APIS.wechat, 'wx');
  assert.equal(protocol.DEFAULT_API, SPEC.profiles[SPEC.defaultProfile].face);
});

test('the `my` face reports {error, errorMessage} and base64 with isBuffer; `wx` reports {errMsg} and ArrayBuffers', () => {
  const { MY_FACE, WX_FACE } = core;
  assert.deepEqual(MY_FACE.callbackPayload('connectSocket', 0), {});
  assert.deepEqual(MY_FACE.callbackPayload('connectSocket', 'urlEmpty'), { error: 3, errorMessage: SEED_MESSAGES[3] });
  assert.deepEqual(MY_FACE.errorPayload('invalidCertificate'), { error: 7, errorMessage: SEED_MESSAGES[7] });
  assert.deepEqual(MY_FACE.textMessage('hi'), { data: 'hi', isBuffer: false });
  assert.deepEqual(MY_FACE.binaryMessage(new Uint8Array([1, 2, 3]), WEB_CODEC), { data: 'AQID', isBuffer: true });
  assert.equal(MY_FACE.Task.prototype.offOpen !== undefined, true);
  assert.throws(() => MY_FACE.errorPayload('noSuchCode'), /no error code "noSuchCode"/);

  assert.deepEqual(WX_FACE.callbackPayload('sendSocketMessage', 0), { errMsg: 'sendSocketMessage:ok' });
  assert.deepEqual(WX_FACE.callbackPayload('sendSocketMessage', 'notOpen'), { errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
  assert.deepEqual(WX_FACE.errorPayload('connectTimeout'), { errMsg: 'timeout' });
  assert.deepEqual(WX_FACE.textMessage('hi'), { data: 'hi' });
  const { data } = WX_FACE.binaryMessage(new Uint8Array([1, 2, 3]).subarray(1));
  assert.ok(data instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(data)], [2, 3]);
  assert.equal(WX_FACE.Task.prototype.offOpen, undefined);
});

/** The JavaScript sources of the implementations: the core and both transports. */
function implementationSources() {
  const dirs = [path.join(__dirname, '..', 'src'), path.join(__dirname, '..', 'src', 'core')];
  const files = dirs.flatMap((dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => path.join(dir, f)));
  files.push(path.join(ADAPTERS, 'node', 'src', 'ws-transport.js'), path.join(ADAPTERS, 'browser', 'impl', 'my-browser.js'));
  return files.map((file) => ({ file: path.relative(ADAPTERS, file), text: fs.readFileSync(file, 'utf8') }));
}

test('every code the core and the transports name is a code of spec.json, and none is a bare number', () => {
  const named = /(?:failWith|errorPayload)\('([A-Za-z0-9]+)'\)|settle\(callbacks, (?:err \? )?'([A-Za-z0-9]+)'|code: '([A-Za-z0-9]+)'|return '([A-Za-z0-9]+)';/g;
  let count = 0;
  for (const { file, text } of implementationSources()) {
    for (const match of text.matchAll(named)) {
      const name = match.slice(1).find((g) => g !== undefined);
      // handshakeErrorCode's returns are code names; other `return '…'` lines are not ours to check.
      if (match[4] !== undefined && !/ErrorCode|errorCode/.test(text.slice(Math.max(0, text.lastIndexOf('function', match.index)), match.index))) continue;
      assert.ok(Object.hasOwn(CODES, name), `${file}: ${match[0]} names no code of spec.json`);
      count += 1;
    }
    const bare = text.match(/(?:failWith|errorPayload)\(\d+\)|settle\(callbacks, (?:err \? )?[1-9]\d*\)|\{ code: \d+ \}/);
    assert.equal(bare, null, `${file}: a code by number (${bare && bare[0]}); name it as spec.json does`);
  }
  assert.ok(count > 20, `only ${count} code names found`);
});

test('no table of faces, methods, codes or messages is written by hand', () => {
  for (const { file, text } of implementationSources()) {
    for (const fact of ['未知错误', 'URL 参数为空', "'parameter error'", "'offSocketOpen'", "'sendSocketMessage:"]) {
      assert.ok(!text.includes(fact), `${file} writes ${fact} itself; take it from spec.json`);
    }
  }
});

test('a hello serves the profile it names, with that profile\'s codes and arguments (alipay-current: 3, 2, 20, timeout)', () => {
  assert.equal(protocol.servedProfile('alipay-current', 'my'), 'alipay-current');
  assert.equal(protocol.servedProfile(undefined, 'my'), SPEC.defaultProfile);
  assert.equal(protocol.servedProfile('no-such-profile', 'wx'), 'wechat');
  // A profile of another face than the one served: the face's first profile.
  assert.equal(protocol.servedProfile('wechat', 'my'), SPEC.defaultProfile);
  const current = core.servedFace('alipay-current');
  assert.equal(CODES[current.singleExistsCode].code, 3);
  assert.equal(CODES[current.wrongTypeCode].code, 2);
  assert.equal(CODES[current.wssOnlyCode].code, 20);
  assert.equal(current.honoursTimeout, true);
  const seed = core.servedFace(SPEC.defaultProfile);
  assert.deepEqual([CODES[seed.singleExistsCode].code, CODES[seed.wrongTypeCode].code, CODES[seed.wssOnlyCode].code], [2, 4, 8]);
  assert.equal(seed.honoursTimeout, false);

  const made = [];
  const session = new protocol.Session({
    write() {},
    log() {},
    api: (profile) => protocol.PROFILE_APIS[profile] || 'my',
    createMy: (config, api, profile) => {
      made.push([api, profile]);
      return {};
    },
    destroyMy() {},
    isTask: () => false,
    hello: () => ({ name: 'x', version: '0', unsupported: [] }),
  });
  session.handle({ id: 1, op: 'hello', protocol: 1, profile: 'alipay-current', config: {} });
  session.handle({ id: 2, op: 'hello', protocol: 1, config: {} });
  assert.deepEqual(made, [['my', 'alipay-current'], ['my', SPEC.defaultProfile]]);
});

test('the `tt` face (douyin) drops a `referer` in `header`, as its reference says; `my` sends it', () => {
  const transport = { headerAllowed: () => true };
  const header = { Referer: 'https://a.example/', 'X-Kept': '1' };
  const tt = core.checkConnect({ url: 'wss://h.example/', header }, {}, core.servedFace('douyin'), transport);
  assert.deepEqual(tt.headers, { 'X-Kept': '1' });
  const my = core.checkConnect({ url: 'wss://h.example/', header }, {}, core.MY_FACE, transport);
  assert.deepEqual(my.headers, header);
  assert.deepEqual(names('tt', 'global'), ['connectSocket']);
  assert.deepEqual(names('tt', 'task'), ['send', 'close', 'onOpen', 'onMessage', 'onError', 'onClose']);
});
