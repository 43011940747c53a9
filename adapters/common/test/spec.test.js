'use strict';
// The tables of ../src/spec.js and what the protocol and the core derive
// from them: the methods of each face as docs/adapter-protocol.md lists
// them, the payload and message forms of each face.

const test = require('node:test');
const assert = require('node:assert/strict');
const { MESSAGES, REASONS, EVENTS, METHODS, FACES, PROFILE_FACES, methodsOf } = require('../src/spec');
const protocol = require('../src/protocol');
const { MY_FACE, WX_FACE } = require('../src/core');
const { WEB_CODEC } = require('../src/base64');

const names = (face, target) => methodsOf(face, target).map((m) => m.name);

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
});

test('the `wx` face has the same methods without off*', () => {
  assert.deepEqual(names('wx', 'global'), names('my', 'global').filter((n) => !n.startsWith('off')));
  assert.deepEqual(names('wx', 'task'), names('my', 'task').filter((n) => !n.startsWith('off')));
});

test('every listener method names an event; every other method takes callbacks', () => {
  for (const method of METHODS) {
    if (method.takes === 'listener') {
      assert.ok(EVENTS.includes(method.event), method.name);
      assert.equal(method.removes, method.name.startsWith('off'), method.name);
    } else {
      assert.equal(method.takes, 'callbacks', method.name);
    }
  }
});

test('every code from 1 to 12 has a message and a reason; every profile names a face', () => {
  for (let code = 1; code <= 12; code += 1) {
    assert.equal(typeof MESSAGES[code], 'string', `message ${code}`);
    assert.equal(typeof REASONS[code], 'string', `reason ${code}`);
  }
  for (const [profile, face] of Object.entries(PROFILE_FACES)) assert.ok(Object.hasOwn(FACES, face), profile);
});

test('the protocol dispatch takes its method tables from the spec', () => {
  assert.deepEqual(Object.keys(protocol.FACES), ['my', 'wx']);
  assert.deepEqual(Object.keys(protocol.FACES.wx.listenerMethods), ['onSocketOpen', 'onSocketMessage', 'onSocketError', 'onSocketClose']);
  assert.equal(protocol.FACES.my.taskListenerMethods.offClose, 'close');
  assert.deepEqual([...protocol.FACES.my.callbackMethods], ['connectSocket', 'sendSocketMessage', 'closeSocket']);
  assert.deepEqual([...protocol.FACES.wx.taskCallbackMethods], ['send', 'close']);
  assert.equal(protocol.PROFILE_APIS.wechat, 'wx');
});

test('the `my` face reports {error, errorMessage} and base64 with isBuffer; `wx` reports {errMsg} and ArrayBuffers', () => {
  assert.deepEqual(MY_FACE.callbackPayload('connectSocket', 0), {});
  assert.deepEqual(MY_FACE.callbackPayload('connectSocket', 3), { error: 3, errorMessage: MESSAGES[3] });
  assert.deepEqual(MY_FACE.errorPayload(7), { error: 7, errorMessage: MESSAGES[7] });
  assert.deepEqual(MY_FACE.textMessage('hi'), { data: 'hi', isBuffer: false });
  assert.deepEqual(MY_FACE.binaryMessage(new Uint8Array([1, 2, 3]), WEB_CODEC), { data: 'AQID', isBuffer: true });
  assert.equal(MY_FACE.Task.prototype.offOpen !== undefined, true);

  assert.deepEqual(WX_FACE.callbackPayload('sendSocketMessage', 0), { errMsg: 'sendSocketMessage:ok' });
  assert.deepEqual(WX_FACE.callbackPayload('sendSocketMessage', 10), { errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
  assert.deepEqual(WX_FACE.errorPayload(6), { errMsg: 'timeout' });
  assert.deepEqual(WX_FACE.textMessage('hi'), { data: 'hi' });
  const { data } = WX_FACE.binaryMessage(new Uint8Array([1, 2, 3]).subarray(1));
  assert.ok(data instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(data)], [2, 3]);
  assert.equal(WX_FACE.Task.prototype.offOpen, undefined);
});
