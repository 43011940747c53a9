'use strict';
// The transport-independent core of the Alipay mini-program socket API
// (my.connectSocket, SocketTask, the my.*Socket* family) and of the other
// faces spec/spec.json describes (WeChat's `wx`, …): `createApi(face, config, transport)` makes the global object
// of a face over a *transport*, everything that depends on the connection.
// Two transports use it: the node adapter's `ws` client
// (adapters/node/src/ws-transport.js) and a page's WebSocket
// (adapters/browser/impl/my-browser.js, bundled with this core).
//
// It uses nothing either platform lacks (URL, timers, Promise, TextEncoder,
// atob). The parts, by concept: ./checks.js (arguments), ./listeners.js,
// ./context.js (state, queue, calls), ./socket.js (the state machine a
// transport drives), ./tasks.js (the SocketTask classes), ./faces.js (what a
// profile serves: its face and facts, from spec/spec.json).

const { CODES, EVENTS, methodsOf } = require('../spec');
const { DEFAULT_CONFIG } = require('../config');
const { Context } = require('./context');
const { Socket } = require('./socket');
const { SocketTaskBase, SocketTask, WxSocketTask, kContext } = require('./tasks');
const { servedFace, faceOf, MY_FACE, WX_FACE, OWN_OPTIONS } = require('./faces');
const { addListener, removeListener } = require('./listeners');
const { checkConnect, checkMessage, checkClose } = require('./checks');

/**
 * Makes the global object of `face` (./faces.js: `servedFace(profile)`) with
 * the socket API over `transport`: the face's global methods, as spec.json
 * lists them. The transport:
 *
 * - `Socket`: a subclass of `Socket` (./socket.js) that drives the connection;
 * - `nextMacrotask(fn)`: runs `fn` in a later macrotask;
 * - `headerAllowed(name, value)`: whether the transport's HTTP can carry
 *   that request header;
 * - `codec`: `{ utf8Length(text), encodeBase64(bytes), decodeBase64(text) }`;
 * - `prepare(context)` (optional): sets up what the transport keeps per
 *   context; throws on a config it cannot honour.
 *
 * @param {object} face servedFace(profile), MY_FACE or WX_FACE
 * @param {object} [config] the adapter protocol's Config (absent keys take defaults)
 * @param {object} transport as above
 * @param {object} [hooks] `{ log(text) }` for diagnostics
 */
function createApi(face, config, transport, hooks = {}) {
  const context = new Context(config, face, transport, hooks);
  const api = {};
  // The face's global methods (spec.json's `methods` of the face).
  for (const method of methodsOf(face.global, 'global')) {
    api[method.name] = globalMethod(context, method);
  }
  // Ties the object to its context, for destroyApi.
  Object.defineProperty(api, kContext, { value: context });
  return api;
}

/** What the global calls do, by name; listener methods follow from their event. */
const GLOBAL_CALLS = Object.freeze({
  connectSocket: (context, options) => context.connectSocket(options),
  sendSocketMessage: (context, options) => context.send(context.global, options),
  closeSocket: (context, options) => context.close(context.global, options),
});

/** The function of `method` (an entry of spec's METHODS) on the global object of `context`. */
function globalMethod(context, method) {
  if (method.takes === 'listener') {
    const change = method.removes ? removeListener : addListener;
    return (fn) => change(context.globalListeners, method.event, fn);
  }
  const call = GLOBAL_CALLS[method.name];
  if (!call) throw new Error(`the core has no global call ${method.name}`);
  return (options) => call(context, options);
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
  servedFace,
  faceOf,
  OWN_OPTIONS,
  MY_FACE,
  WX_FACE,
  CODES,
  DEFAULT_CONFIG,
  TYPES: EVENTS,
  checkConnect,
  checkMessage,
  checkClose,
};
