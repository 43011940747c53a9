'use strict';
// The faces of the API as the context uses them: the data of each face
// (../spec.js) with the task class it returns and the functions that turn
// `my` codes and received bytes into the payloads it reports.

const { MESSAGES, REASONS, FACES } = require('../spec');
const { arrayBufferOf } = require('../base64');
const { SocketTask, WxSocketTask } = require('./tasks');

/** The reason of a `wx` errMsg for a `my` code. */
function reason(code) {
  return REASONS[code] || 'unknown error';
}

/**
 * The payload forms (a face's `payload`): `callbackPayload(method, code)`
 * is the `success` / `fail` object of `method` (a global name: a task's
 * send and close name their global twins), `code` 0 being success;
 * `errorPayload(code)` is the object of an error event.
 */
const PAYLOADS = Object.freeze({
  errorMessage: {
    callbackPayload: (method, code) => (code ? { error: code, errorMessage: MESSAGES[code] } : {}),
    errorPayload: (code) => ({ error: code, errorMessage: MESSAGES[code] }),
  },
  errMsg: {
    callbackPayload: (method, code) => ({ errMsg: code ? `${method}:fail ${reason(code)}` : `${method}:ok` }),
    errorPayload: (code) => ({ errMsg: reason(code) }),
  },
});

/**
 * The message forms (a face's `binary`): what a listener of a received text
 * (receive.text) or binary (receive.binary) message gets.
 */
const MESSAGE_FORMS = Object.freeze({
  base64: {
    textMessage: (text) => ({ data: text, isBuffer: false }),
    binaryMessage: (bytes, codec) => ({ data: codec.encodeBase64(bytes), isBuffer: true }),
  },
  arrayBuffer: {
    textMessage: (text) => ({ data: text }),
    binaryMessage: (bytes) => ({ data: arrayBufferOf(bytes) }),
  },
});

/** A face of ../spec.js's FACES made usable by the context. */
function face(data) {
  return Object.freeze({
    ...data,
    /** connect.return: the class of the tasks a connect makes. */
    Task: data.offMethods ? SocketTask : WxSocketTask,
    ...PAYLOADS[data.payload],
    ...MESSAGE_FORMS[data.binary],
  });
}

/** The `my` face. */
const MY_FACE = face(FACES.my);

/**
 * WeChat's `wx` face (profiles.md, `wechat`), where it differs from `my`:
 * - wx.connectSocket always returns a SocketTask; there is no `multiple`
 *   and no `data`; at most `maxTasks` (5) connections at once;
 * - results and errors are `{errMsg}`: "connectSocket:ok",
 *   "sendSocketMessage:fail <reason>" (a task's send and close name their
 *   global twins); error events are `{errMsg}`;
 * - binary travels as an ArrayBuffer, both ways, with no `isBuffer`;
 *   messages are `{data}`;
 * - a `timeout` argument (ms) bounds the handshake (error event after it);
 * - no off* methods; the wx.onSocket* listeners and wx.sendSocketMessage /
 *   wx.closeSocket act on the newest connection.
 */
const WX_FACE = face(FACES.wx);

module.exports = { MY_FACE, WX_FACE };
