'use strict';
// The transport-independent core of the Alipay mini-program socket API
// (my.connectSocket, SocketTask, the my.*Socket* family) and of WeChat's
// `wx` face: `createApi(face, config, transport)` makes the global object
// of a face over a *transport*, everything that depends on the connection.
// Two transports use it: the node adapter's `ws` client
// (adapters/node/src/ws-transport.js) and a page's WebSocket
// (adapters/browser/impl/my-browser.js, bundled with this core).
//
// It uses nothing either platform lacks (URL, timers, Promise, TextEncoder,
// atob). The parts, by concept: ./checks.js (arguments), ./listeners.js,
// ./context.js (state, queue, calls), ./socket.js (the state machine a
// transport drives), ./tasks.js (the SocketTask classes), ./faces.js (`my`
// and `wx`).

const { MESSAGES, REASONS, EVENTS } = require('../spec');
const { DEFAULT_CONFIG } = require('../config');
const { Context } = require('./context');
const { Socket } = require('./socket');
const { SocketTaskBase, SocketTask, WxSocketTask, kContext } = require('./tasks');
const { MY_FACE, WX_FACE } = require('./faces');
const { addListener, removeListener } = require('./listeners');
const { checkConnect, checkMessage, checkClose } = require('./checks');

/**
 * Makes the global object of `face` (`my` or `wx`) with the socket API
 * over `transport`:
 *
 * - `Socket`: a subclass of `Socket` (./socket.js) that drives the connection;
 * - `nextMacrotask(fn)`: runs `fn` in a later macrotask;
 * - `headerAllowed(name, value)`: whether the transport's HTTP can carry
 *   that request header;
 * - `codec`: `{ utf8Length(text), encodeBase64(bytes), decodeBase64(text) }`;
 * - `prepare(context)` (optional): sets up what the transport keeps per
 *   context; throws on a config it cannot honour.
 *
 * @param {object} face MY_FACE or WX_FACE
 * @param {object} [config] the adapter protocol's Config (absent keys take defaults)
 * @param {object} transport as above
 * @param {object} [hooks] `{ log(text) }` for diagnostics
 */
function createApi(face, config, transport, hooks = {}) {
  const context = new Context(config, face, transport, hooks);
  const lists = () => context.globalListeners;
  const api = {
    connectSocket: (options) => context.connectSocket(options),
    sendSocketMessage: (options) => context.send(context.global, options),
    closeSocket: (options) => context.close(context.global, options),
    onSocketOpen: (fn) => addListener(lists(), 'open', fn),
    onSocketMessage: (fn) => addListener(lists(), 'message', fn),
    onSocketError: (fn) => addListener(lists(), 'error', fn),
    onSocketClose: (fn) => addListener(lists(), 'close', fn),
  };
  if (face.offMethods) {
    Object.assign(api, {
      offSocketOpen: (fn) => removeListener(lists(), 'open', fn),
      offSocketMessage: (fn) => removeListener(lists(), 'message', fn),
      offSocketError: (fn) => removeListener(lists(), 'error', fn),
      offSocketClose: (fn) => removeListener(lists(), 'close', fn),
    });
  }
  // Ties the object to its context, for destroyApi.
  Object.defineProperty(api, kContext, { value: context });
  return api;
}

/** Ends every socket of a `my` or `wx` object at once, without events; it must not be used after. */
function destroyApi(api) {
  const context = api && api[kContext];
  if (context) context.destroy();
}

module.exports = {
  createApi,
  destroyApi,
  Socket,
  SocketTaskBase,
  SocketTask,
  WxSocketTask,
  MY_FACE,
  WX_FACE,
  MESSAGES,
  REASONS,
  DEFAULT_CONFIG,
  TYPES: EVENTS,
  checkConnect,
  checkMessage,
  checkClose,
};
