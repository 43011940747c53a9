'use strict';
// WeChat's `wx` socket API (wx.connectSocket, its SocketTask, wx.*Socket*)
// on the Node.js transport of ./my.js, with the `wx` face of ./core.js
// (WX_FACE, which lists where `wx` differs from `my`): the profile `wechat`.

const core = require('./core');
const { apiMaker } = require('./my');

/** Makes a `wx` object with the socket API: `createWx(config, hooks)`, as createMy. */
const createWx = apiMaker(core.WX_FACE);

/** Ends every socket of `wx` at once, without events. */
const destroyWx = core.destroyApi;

module.exports = {
  createWx,
  destroyWx,
  WX_FACE: core.WX_FACE,
  REASONS: core.REASONS,
  WxSocketTask: core.WxSocketTask,
};
