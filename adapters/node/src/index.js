'use strict';
// The Alipay mini-program `my` socket API (my.connectSocket, SocketTask and
// the my.*Socket* family) and WeChat's `wx` face of it, for Node.js 20 on the
// `ws` package: the package's entry (`require('connectsocket-node-adapter')`,
// or the folder adapters/node). What does not depend on the connection is
// the shared core (connectsocket-common/core); ./ws-transport.js is the
// connection.
//
//   const { createMy, createWx, destroyMy } = require('connectsocket-node-adapter');
//   const my = createMy({ maxTasks: 5 }, { log: console.warn });
//   my.connectSocket({ url: 'wss://example.com/', multiple: true });
//   destroyMy(my); // every socket ends at once, without events

const core = require('connectsocket-common/core');
const { SEED_MESSAGES } = require('connectsocket-common/spec');
const { WS_TRANSPORT } = require('./ws-transport');

/**
 * The maker of `face`'s global object over the `ws` transport:
 * `(config, hooks)`, config the adapter protocol's Config (absent keys take
 * defaults), hooks `{ log(text) }` for diagnostics.
 */
function apiMaker(face) {
  return (config, hooks = {}) => core.createApi(face, config, WS_TRANSPORT, hooks);
}

/**
 * Makes the global object that `profile` (a profile of spec/spec.json:
 * `alipay-current`, `wechat`, …) serves, over the `ws` transport:
 * `createFor(profile, config, hooks)`. Its face, arguments and codes are
 * the profile's.
 */
function createFor(profile, config, hooks = {}) {
  return core.createApi(core.servedFace(profile), config, WS_TRANSPORT, hooks);
}

/** Makes a `my` object with the socket API (the default profile): `createMy(config, hooks)`. */
const createMy = apiMaker(core.MY_FACE);

/**
 * Makes a `wx` object (WeChat's face, the profile `wechat`) with the socket
 * API: `createWx(config, hooks)`, as createMy. Every connect returns a task
 * without off*, payloads are `{errMsg}`, binary travels as an ArrayBuffer.
 */
const createWx = apiMaker(core.WX_FACE);

/** Ends every socket of a `my` (or `wx`) object at once, without events; it must not be used after. */
const destroyMy = core.destroyApi;

/** Ends every socket of a `wx` object at once, without events. */
const destroyWx = core.destroyApi;

module.exports = {
  createFor,
  createMy,
  destroyMy,
  createWx,
  destroyWx,
  SocketTask: core.SocketTask,
  SocketTaskBase: core.SocketTaskBase,
  WxSocketTask: core.WxSocketTask,
  MY_FACE: core.MY_FACE,
  WX_FACE: core.WX_FACE,
  MESSAGES: SEED_MESSAGES,
  CODES: core.CODES,
  DEFAULT_CONFIG: core.DEFAULT_CONFIG,
  TYPES: core.TYPES,
};
