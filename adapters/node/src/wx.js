'use strict';
// WeChat's `wx` socket API (wx.connectSocket, its SocketTask, wx.*Socket*)
// on the Node.js transport of ./my.js, with the `wx` face of ./core.js
// (WX_FACE, which lists where `wx` differs from `my`): the profile `wechat`.

const core = require('./core');
const { NODE_TRANSPORT } = require('./my');

/**
 * Makes a `wx` object with the socket API.
 *
 * @param {object} [config] the adapter protocol's Config (absent keys take defaults)
 * @param {object} [hooks] `{ log(text) }` for diagnostics
 */
function createWx(config, hooks = {}) {
  return core.createApi(core.WX_FACE, config, NODE_TRANSPORT, hooks);
}

/** Ends every socket of `wx` at once, without events. */
const destroyWx = core.destroyApi;

module.exports = {
  createWx,
  destroyWx,
  WX_FACE: core.WX_FACE,
  REASONS: core.REASONS,
  WxSocketTask: core.WxSocketTask,
};
