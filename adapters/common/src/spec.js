'use strict';
// The facts of the socket API that the JavaScript adapters need as data: the
// error codes and their texts, the methods of the global object and of a
// SocketTask, the faces (`my`, `wx`) and the face of each profile. This is
// the one module that lists them, so that a generated table can take its
// place; everything else derives what it needs from these.

/** The seed's description of each error code (`errorMessage` under `my`). */
const MESSAGES = Object.freeze({
  1: '未知错误。',
  2: '网络连接已经存在。',
  3: 'URL 参数为空。',
  4: '无法识别的 URL 格式。',
  5: 'URL 必须以 ws 或者 wss 开头。',
  6: '连接服务器超时。',
  7: '服务器返回的 https 证书无效。',
  8: '服务端返回协议头无效。',
  9: 'WebSocket 请求没有指定 Sec-WebSocket-Protocol 请求头。',
  10: '网络连接没有打开，无法发送消息。',
  11: '消息发送失败。',
  12: '无法申请更多内存来读取网络数据。',
});

/** `wx`: the reason after "<method>:fail " and in an error event, by `my` code (informational). */
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

/** The events a socket reports, in the order of the listener methods. */
const EVENTS = Object.freeze(['open', 'message', 'error', 'close']);

/** `open` -> `Open`: the event's part of a listener method's name. */
const title = (event) => event[0].toUpperCase() + event.slice(1);

/** The listener methods of `target` ("global" or "task"): on* and off* for each event. */
function listenerMethods(target) {
  const infix = target === 'global' ? 'Socket' : '';
  return EVENTS.flatMap((event) => [
    { name: `on${infix}${title(event)}`, target, takes: 'listener', event, removes: false },
    { name: `off${infix}${title(event)}`, target, takes: 'listener', event, removes: true },
  ]);
}

/**
 * Every method, global ones first, in the adapter protocol's order: its
 * `name`, its `target` ("global": `my` / `wx`; "task": a SocketTask), what
 * its argument carries (`takes`: "callbacks", the success / fail / complete
 * of an options object, or "listener", a function for `event`) and, for a
 * listener method, whether it `removes` the listener (off*).
 */
const METHODS = Object.freeze([
  { name: 'connectSocket', target: 'global', takes: 'callbacks' },
  { name: 'sendSocketMessage', target: 'global', takes: 'callbacks' },
  { name: 'closeSocket', target: 'global', takes: 'callbacks' },
  ...listenerMethods('global'),
  { name: 'send', target: 'task', takes: 'callbacks' },
  { name: 'close', target: 'task', takes: 'callbacks' },
  ...listenerMethods('task'),
].map((method) => Object.freeze(method)));

/**
 * The faces of the API an adapter may serve (`api` in the hello result),
 * where they differ. Codes are the `my` codes throughout; a face says how
 * they reach the application.
 *
 * - `global`: the global object's name (the adapter protocol's target);
 * - `offMethods`: the off* methods exist (global and task);
 * - `payload`: the form of results and errors, "errorMessage" (`{error,
 *   errorMessage}`, nothing on success) or "errMsg" (`{errMsg:
 *   "<method>:ok"}`, `"<method>:fail <reason>"`, `{errMsg: <reason>}`);
 * - `binary`: how binary messages travel, "base64" (base64 text with
 *   `isBuffer`, both ways) or "arrayBuffer" (an ArrayBuffer, `{data}`);
 * - `alwaysTask`: connect always returns a SocketTask (else only with `multiple`);
 * - `globalFollowsNewest`: the global calls and listeners act on the newest task;
 * - `honoursIsBuffer`, `honoursData`, `honoursTimeout`: the arguments
 *   `isBuffer` (send), `data` (connect) and `timeout` (connect, in ms) exist;
 * - `wrongTypeCode`: the code of a `url` (or `timeout`) of the wrong type.
 */
const FACES = Object.freeze({
  my: Object.freeze({
    global: 'my',
    offMethods: true,
    payload: 'errorMessage',
    binary: 'base64',
    alwaysTask: false,
    globalFollowsNewest: false,
    honoursIsBuffer: true,
    honoursData: true,
    honoursTimeout: false,
    wrongTypeCode: 4,
  }),
  // WeChat's face (profiles.md, `wechat`).
  wx: Object.freeze({
    global: 'wx',
    offMethods: false,
    payload: 'errMsg',
    binary: 'arrayBuffer',
    alwaysTask: true,
    globalFollowsNewest: true,
    honoursIsBuffer: false,
    honoursData: false,
    honoursTimeout: true,
    // A parameter of the wrong type (WeChat checks parameter types).
    wrongTypeCode: 2,
  }),
});

/** The face of each profile a `hello` may name. */
const PROFILE_FACES = Object.freeze({ 'alipay-2022-09': 'my', 'alipay-current': 'my', wechat: 'wx' });

/** The methods `face` (a name of FACES) has on `target` ("global" or "task"). */
function methodsOf(face, target) {
  const { offMethods } = FACES[face];
  return METHODS.filter((m) => m.target === target && (offMethods || !m.removes));
}

module.exports = { MESSAGES, REASONS, EVENTS, METHODS, FACES, PROFILE_FACES, methodsOf };
