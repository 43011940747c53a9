'use strict';
// The one place this folder reaches into the project's Node.js implementation
// (adapters/node): the platform object a framework's layer runs over, and the
// adapter protocol's dispatch. Everything else in adapters/miniprogram and
// adapters/clients imports these from here, so a move of adapters/node is a
// change of this file alone.

const path = require('node:path');

/** The folder of the Node.js implementation (the npm workspace `connectsocket-node-adapter`). */
const NODE_IMPLEMENTATION = path.resolve(__dirname, '..', '..', 'node');

// The implementation runs on the `ws` package and the shared core: say the
// one command that installs them instead of a stack trace.
try {
  require.resolve('ws', { paths: [NODE_IMPLEMENTATION] });
  require.resolve('connectsocket-common/core', { paths: [NODE_IMPLEMENTATION] });
} catch {
  const root = path.resolve(NODE_IMPLEMENTATION, '..');
  throw new Error(`the Node.js implementation needs its npm packages: run \`npm ci\` in ${root} once`);
}

const { createMy, destroyMy, SocketTaskBase } = require(NODE_IMPLEMENTATION);
const protocol = require('connectsocket-common/protocol');
const { serveLines } = require('connectsocket-common/stdio');
const { version: nodeImplementationVersion } = require(path.join(NODE_IMPLEMENTATION, 'package.json'));
const { createWx } = require(NODE_IMPLEMENTATION);

/**
 * A fresh platform object of build `build` ("my" for Alipay, "wx" for
 * WeChat) with `config` (the adapter protocol's hello config): the Node.js
 * implementation's `my` or `wx`, whose socket methods are the platform's.
 */
function createPlatform(build, config, hooks = {}) {
  if (build === 'my') return createMy(config, hooks);
  if (build === 'wx') return createWx(config, hooks);
  throw new Error(`unknown build ${JSON.stringify(build)} (my or wx)`);
}

/** Ends every socket of a platform object at once, without events. */
function destroyPlatform(platform) {
  destroyMy(platform);
}

/** Whether `value` is one of the Node.js implementation's SocketTasks. */
function isPlatformTask(value) {
  return value instanceof SocketTaskBase;
}

module.exports = {
  NODE_IMPLEMENTATION,
  nodeImplementationVersion,
  createPlatform,
  destroyPlatform,
  isPlatformTask,
  protocol,
  serveLines,
};
