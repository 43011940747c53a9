#!/usr/bin/env node
'use strict';
// The adapter protocol, version 1 (docs/adapter-protocol.md), over stdin and
// stdout as JSON Lines, serving the `my` socket API of ./my.js. The dispatch
// of requests is ./protocol.js (shared with adapters/browser); this file is
// the Node.js host of it.
//
//   node adapters/node/src/adapter.js
//
// stdout carries protocol messages only; logs go to stderr.

const readline = require('node:readline');
const { createMy, destroyMy, SocketTask } = require('./my');
const protocol = require('./protocol');
const { version } = require('../package.json');

const NAME = 'node-ws';

function log(text) {
  process.stderr.write(`[node-ws adapter] ${text}\n`);
}

/** Writes one JSON line to stdout. */
function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function decodeBase64(text) {
  const bytes = Buffer.from(text, 'base64');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

function encodeBase64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** What the shared dispatch needs from Node.js: the IUT of ./my.js and stdio. */
const nodeHost = {
  write,
  log,
  createMy: (config) => createMy(config, { log }),
  destroyMy,
  isTask: (value) => value instanceof SocketTask,
  decodeBase64,
  encodeBase64,
  // Every config key is honoured.
  hello: () => ({ name: NAME, version, unsupported: [] }),
  shutdown(id) {
    process.stdout.write(`${JSON.stringify({ id, ok: true, result: {} })}\n`, () => process.exit(0));
  },
};

/** One adapter session over ./my.js. */
class Session extends protocol.Session {
  constructor() {
    super(nodeHost);
  }
}

function fromWire(value) {
  return protocol.fromWire(value, decodeBase64);
}

function toWire(value) {
  return protocol.toWire(value, encodeBase64);
}

function main() {
  const session = new Session();
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  input.on('line', (line) => {
    if (line.trim() === '') return;
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      write({ id: null, ok: false, error: `not JSON: ${err.message}` });
      return;
    }
    try {
      session.handle(request);
    } catch (err) {
      log(`request failed: ${err && err.stack ? err.stack : err}`);
      const id = request && Number.isInteger(request.id) ? request.id : null;
      write({ id, ok: false, error: `internal error: ${err && err.message}` });
    }
  });
  // Exit when stdin closes.
  input.on('close', () => {
    if (session.my) destroyMy(session.my);
    session.my = null;
    process.stdout.write('', () => process.exit(0));
  });
  process.stdout.on('error', (err) => {
    // The runner went away: nothing left to talk to.
    log(`stdout: ${err.message}`);
    process.exit(0);
  });
  log(`node-ws ${version} on Node.js ${process.version}, protocol ${protocol.PROTOCOL}`);
}

if (require.main === module) main();

module.exports = { Session, fromWire, toWire };
