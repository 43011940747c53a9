'use strict';
// WeChat's `wx` socket API (wx.connectSocket, its SocketTask, wx.*Socket*)
// on the machinery of ./my.js, with the `wx` face: the profile `wechat`.
//
// Where it differs from `my` (profiles.md, `wechat`):
// - wx.connectSocket always returns a SocketTask; there is no `multiple`
//   and no `data`; at most `maxTasks` (5) connections at once;
// - results and errors are `{errMsg}`: "connectSocket:ok",
//   "sendSocketMessage:fail <reason>" (a task's send and close name their
//   global twins); error events are `{errMsg}`;
// - binary travels as an ArrayBuffer, both ways, with no `isBuffer`;
//   messages are `{data}`;
// - a `timeout` argument (ms) bounds the handshake (error event after it);
// - no off* methods; the wx.onSocket* listeners and wx.sendSocketMessage /
//   wx.closeSocket act on the newest connection.

const { MY_FACE, createContext, attachContext, addListener, destroyMy, SocketTaskBase } = require('./my');

/** The reason after "<method>:fail " and in an error event, by `my` code (informational). */
const REASONS = Object.freeze({
  1: 'unknown error',
  // Under wx, 2 is only an argument of the wrong type (every connect is a
  // task, so no single connection can exist), as in Alipay's 2022-11 table.
  2: 'parameter error',
  3: 'url is empty',
  4: 'invalid url',
  5: 'url must start with ws or wss',
  6: 'timeout',
  7: 'invalid server certificate',
  8: 'invalid handshake response',
  9: 'the server selected a subprotocol not requested',
  10: 'WebSocket is not connected',
  11: 'send failed',
  12: 'message too large',
});

function reason(code) {
  return REASONS[code] || 'unknown error';
}

/** Uint8Array view of a Buffer's bytes as a fresh ArrayBuffer. */
function arrayBufferOf(buffer) {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length);
}

/** The `wx` face (see MY_FACE in ./my.js for what each entry decides). */
const WX_FACE = Object.freeze({
  ...MY_FACE,
  name: 'wx',
  callbackPayload: (method, code) => ({ errMsg: code ? `${method}:fail ${reason(code)}` : `${method}:ok` }),
  errorPayload: (code) => ({ errMsg: reason(code) }),
  textMessage: (text) => ({ data: text }),
  binaryMessage: (buffer) => ({ data: arrayBufferOf(buffer) }),
  alwaysTask: true,
  globalFollowsNewest: true,
  honoursIsBuffer: false,
  honoursData: false,
  honoursTimeout: true,
  // A parameter of the wrong type (WeChat checks parameter types).
  wrongTypeCode: 2,
});

/** A SocketTask of the `wx` face: send, close, on*; no off* methods. */
class WxSocketTask extends SocketTaskBase {}

/**
 * Makes a `wx` object with the socket API.
 *
 * @param {object} [config] the adapter protocol's Config (absent keys take defaults)
 * @param {object} [hooks] `{ log(text) }` for diagnostics
 */
function createWx(config, hooks = {}) {
  const context = createContext(config, hooks, WX_FACE);
  context.makeTask = () => new WxSocketTask(context);
  const lists = () => context.globalListeners;
  const wx = {
    connectSocket: (options) => context.connectSocket(options),
    sendSocketMessage: (options) => context.send(context.global, options),
    closeSocket: (options) => context.close(context.global, options),
    onSocketOpen: (fn) => addListener(lists(), 'open', fn),
    onSocketMessage: (fn) => addListener(lists(), 'message', fn),
    onSocketError: (fn) => addListener(lists(), 'error', fn),
    onSocketClose: (fn) => addListener(lists(), 'close', fn),
  };
  return attachContext(wx, context);
}

/** Ends every socket of `wx` at once, without events. */
const destroyWx = destroyMy;

module.exports = { createWx, destroyWx, WX_FACE, REASONS, WxSocketTask };
