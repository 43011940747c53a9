#!/usr/bin/env node
'use strict';
// The adapter protocol, version 1 (docs/adapter-protocol.md), over stdin and
// stdout as JSON Lines, serving a framework's mini-program API layer running
// over the Node.js implementation (adapters/node) as `my` or `wx`:
//
//   node adapters/miniprogram/src/adapter.js --layer taro-alipay
//   node adapters/miniprogram/src/adapter.js --layer platform-wx   # the platform without a framework
//
// The layers are listed in ../implementations.js. The dispatch of requests is
// the adapters' shared one (connectsocket-common/protocol); this file is its host:
// each instance of the implementation (each `hello`, `reset` and instance of
// `instances`) gets a fresh platform object and a fresh module instance of
// the layer loaded over it (src/load.js), exposed through src/face.js.
//
// stdout carries protocol messages only; logs go to stderr.


function fatal(text) {
  process.stderr.write(`[miniprogram adapter] ${text}\n`);
  process.exit(2);
}

/** The layer id from the command line: `--layer ID`. */
function parseArgs(argv) {
  let id = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg.startsWith('--layer=')) id = arg.slice('--layer='.length);
    else if (arg === '--layer' && i + 1 < argv.length) id = argv[(i += 1)];
    else fatal(`usage: adapter.js --layer ID (got ${JSON.stringify(arg)})`);
  }
  if (id === null) fatal('usage: adapter.js --layer ID');
  return id;
}

/** The instances one process holds: each is a platform object and a module instance of the layer. */
const INSTANCES = 64;

function main() {
  const { layerById, installedVersion } = require('../implementations');
  const layer = layerById(parseArgs(process.argv.slice(2)));
  if (layer instanceof Error) fatal(layer.message);
  let platform;
  let compiled;
  try {
    platform = require('./platform');
    compiled = require('./load').compileLayer(layer);
  } catch (err) {
    fatal(`cannot load ${layer.id}: ${err.message}`);
  }
  const { createPlatform, destroyPlatform, protocol, serveLines, nodeImplementationVersion } = platform;
  const { platformStubs } = require('./stubs');
  const { makeFace, describe, isThenable } = require('./face');

  const log = (text) => process.stderr.write(`[${layer.id}] ${text}\n`);
  const write = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const decodeBase64 = (text) => {
    const bytes = Buffer.from(text, 'base64');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  };
  const encodeBase64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  // The platform object under each face, to end its sockets on reset.
  const platforms = new WeakMap();
  const versions = layer.packages.map((p) => `${p}@${installedVersion(p)}`);
  versions.push(`node-ws ${nodeImplementationVersion}`);

  const host = {
    write,
    log,
    // The build decides the face, whatever the profile.
    api: () => layer.build,
    createMy(config) {
      const mp = createPlatform(layer.build, config, { log });
      Object.assign(mp, platformStubs(mp));
      const face = makeFace(compiled.instantiate(mp), layer.build, log);
      platforms.set(face, mp);
      return face;
    },
    destroyMy: (face) => destroyPlatform(platforms.get(face)),
    // An object the layer returns is the task the app holds (the platform's
    // or the layer's own wrapper); a Promise is the layer's calling
    // convention, not a SocketTask: the call returned none (src/face.js).
    isTask: (value) => value !== null && typeof value === 'object' && !isThenable(value),
    decodeBase64,
    encodeBase64,
    // The config is the platform's: the layers pass options through and have no settings of their own.
    hello: (config, face) => ({ name: `mp-${layer.id}${face === 'wx' ? '+wx' : ''}`, version: versions.join(', '), unsupported: [] }),
    shutdown(id) {
      process.stdout.write(`${JSON.stringify({ id, ok: true, result: {} })}\n`, () => process.exit(0));
    },
  };

  const session = new protocol.Instances(host, INSTANCES, class extends protocol.Session {});
  // One request per line; exit when stdin closes.
  serveLines(session, { input: process.stdin, write, log });
  // A Promise the layer made and left without a handler (a task method's,
  // an inner one): the framework's, logged; the process carries on.
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${describe(reason)}`));
  // An exception that escapes the layer ends the process and every instance
  // in it: say so on stderr's last line, which the runner quotes.
  process.on('uncaughtException', (err) => {
    log(`uncaught exception: ${err && err.stack ? err.stack : err}`);
    log(`the process ends on an uncaught exception, with its ${INSTANCES} instance(s): ${String((err && err.message) || err).split('\n')[0]}`);
    process.exit(1);
  });
  process.stdout.on('error', (err) => {
    log(`stdout: ${err.message}`);
    process.exit(0);
  });
  log(`${layer.title}: ${versions.join(', ')} on Node.js ${process.version}, protocol ${protocol.PROTOCOL}`);
}

main();
