#!/usr/bin/env node
'use strict';
// The adapter protocol, version 1 (docs/adapter-protocol.md), over stdin and
// stdout as JSON Lines, serving the `my` socket API of ./index.js. The
// dispatch of requests is connectsocket-common/protocol (shared with
// adapters/browser); this file is the Node.js host of it.
//
//   node adapters/node/src/adapter.js            # the `my` face
//   node adapters/node/src/adapter.js --api wx   # the `wx` face
//
// A `hello` that names a profile of spec/spec.json serves that profile: its
// face (`wechat` serves `wx`, `alipay-2022-09` and `alipay-current` serve
// `my`), its arguments and its codes; a profile it does not know leaves the
// face of the command line, under that face's first profile.
//
// stdout carries protocol messages only; logs go to stderr.

const nodePath = require('node:path');

// The implementation runs on the `ws` package and the adapters' shared
// package: on a fresh clone, say the one command that installs them instead
// of a stack trace. Packages are installed at the root of the adapters' npm
// workspaces (adapters/).
try {
  require.resolve('ws');
  require.resolve('connectsocket-common/core');
} catch {
  const root = nodePath.dirname(nodePath.dirname(__dirname));
  process.stderr.write(
    `the node adapter needs its npm packages, which are not installed: run \`npm ci --prefix ${root} --workspace=node\` once\n`,
  );
  process.exit(2);
}

const { createFor, destroyMy, SocketTaskBase } = require('./index');
const { defaultProfileOf } = require('connectsocket-common/spec');
const { arrayBufferOf } = require('connectsocket-common/base64');
const protocol = require('connectsocket-common/protocol');
const { serveLines } = require('connectsocket-common/stdio');
const { NODE_CODEC } = require('./ws-transport');
const { version } = require('../package.json');

const NAME = 'node-ws';
/** The instances one process holds when NODE_WS_INSTANCES does not say. */
const DEFAULT_INSTANCES = 64;

/**
 * The instances of the implementation one adapter process holds
 * (`instances` in hello): NODE_WS_INSTANCES (a whole number from 1;
 * 1 drives one scenario at a time, as before instances existed), else
 * DEFAULT_INSTANCES. Anything else is an error message (a string).
 */
function instancesFrom(text) {
  if (text === undefined || text === '') return DEFAULT_INSTANCES;
  const count = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    return `NODE_WS_INSTANCES must be a whole number from 1 (got ${JSON.stringify(text)})`;
  }
  return count;
}

function log(text) {
  process.stderr.write(`[node-ws adapter] ${text}\n`);
}

/** Writes one JSON line to stdout. */
function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** `{ "$binary": … }` of a request: an ArrayBuffer. */
function decodeBase64(text) {
  return arrayBufferOf(NODE_CODEC.decodeBase64(text));
}

const encodeBase64 = NODE_CODEC.encodeBase64;

/**
 * What the shared dispatch needs from Node.js: the IUT of ./index.js (its
 * `my` or `wx` face) and stdio. `api` is the face served when `hello` names no
 * profile this adapter knows.
 */
function nodeHost(api) {
  return {
    write,
    log,
    api: (profile) => protocol.PROFILE_APIS[profile] || api,
    // The profile the hello named (its face's first when it named none of this face).
    createMy: (config, face, profile) => createFor(profile || defaultProfileOf(face), config, { log }),
    destroyMy,
    isTask: (value) => value instanceof SocketTaskBase,
    decodeBase64,
    encodeBase64,
    // Every config key is honoured.
    hello: (config, face) => ({ name: face === protocol.DEFAULT_API ? NAME : `${NAME}+${face}`, version, unsupported: [] }),
    shutdown(id) {
      process.stdout.write(`${JSON.stringify({ id, ok: true, result: {} })}\n`, () => process.exit(0));
    },
  };
}

/** One adapter session over ./index.js's `my`, or its `wx` with `api` "wx". */
class Session extends protocol.Session {
  constructor(api = 'my') {
    super(nodeHost(api));
  }
}

/** The face from the command line: `--api my` (default) or `--api wx`. */
function parseArgs(argv) {
  let api = protocol.DEFAULT_API;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = arg.startsWith('--api=') ? arg.slice('--api='.length) : arg === '--api' ? argv[(i += 1)] : null;
    if (value === null || !Object.hasOwn(protocol.FACES, value)) {
      process.stderr.write(`usage: adapter.js [--api ${Object.keys(protocol.FACES).join('|')}] (got ${JSON.stringify(arg)})\n`);
      process.exit(2);
    }
    api = value;
  }
  return api;
}

function fromWire(value) {
  return protocol.fromWire(value, decodeBase64);
}

function toWire(value) {
  return protocol.toWire(value, encodeBase64);
}

function main() {
  const api = parseArgs(process.argv.slice(2));
  const instances = instancesFrom(process.env.NODE_WS_INSTANCES);
  if (typeof instances === 'string') {
    process.stderr.write(`${instances}\n`);
    process.exit(2);
  }
  const session = new protocol.Instances(nodeHost(api), instances, class extends protocol.Session {});
  // One request per line; exit when stdin closes.
  serveLines(session, { input: process.stdin, write, log });
  // An exception nothing caught ends the process and every instance in
  // it: say so on stderr's last line, which the runner quotes in each
  // scenario that was running (Node's own report ends with its version).
  process.on('uncaughtException', (err) => {
    log(`uncaught exception: ${err && err.stack ? err.stack : err}`);
    const what = String((err && err.message) || err).split('\n')[0];
    log(`the process ends on an uncaught exception, with its ${instances} instance(s): ${what}`);
    process.exit(1);
  });
  process.stdout.on('error', (err) => {
    // The runner went away: nothing left to talk to.
    log(`stdout: ${err.message}`);
    process.exit(0);
  });
  log(`node-ws ${version} on Node.js ${process.version}, protocol ${protocol.PROTOCOL}`);
}

if (require.main === module) main();

module.exports = { Session, fromWire, toWire, DEFAULT_INSTANCES, instancesFrom };
