#!/usr/bin/env node
'use strict';
// The agent (../agent.js) inside Node.js, over the project's Node.js
// implementation of the socket API (adapters/node), with Node's `http` for
// the agent's own requests: the end-to-end check of the agent and the
// runner's agent endpoint without a device.
//
//   node agent/hosts/node.js URL TOKEN
//
// URL and TOKEN are what `connectsocket-conformance run --adapter agent`
// printed. Each `hello` and `reset` with a config makes a fresh `my` (or
// `wx`, `tt`: the profile's face) with that config, as the node adapter
// does, so every config key is honoured. Exits 0 when the runner ends the
// run, 1 when the agent stops on an error.

const http = require('node:http');
const path = require('node:path');
const agent = require('../agent.js');

const ADAPTERS = path.join(__dirname, '..', '..', 'adapters');

/** `request` for the agent over Node's `http` (a fresh connection each time: a long poll holds one). */
function nodeRequest(method, url, body, done) {
  const req = http.request(url, { method, headers: { 'content-type': 'text/plain' }, agent: false }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => done(null, res.statusCode, Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => done(err.message));
  });
  req.on('error', (err) => done(err.message));
  req.end(body);
}

function main() {
  const [url, token] = process.argv.slice(2);
  if (!url || !token) {
    process.stderr.write('usage: node agent/hosts/node.js URL TOKEN\n');
    process.exit(2);
  }
  let implementation;
  try {
    implementation = require(path.join(ADAPTERS, 'node', 'src', 'index.js'));
  } catch (err) {
    process.stderr.write(`the Node.js implementation cannot load (run \`npm ci --prefix ${ADAPTERS}\`): ${err.message}\n`);
    process.exit(2);
  }
  const { defaultProfileOf } = require(path.join(ADAPTERS, 'common', 'src', 'spec.js'));
  const log = (text) => process.stderr.write(`[agent node] ${text}\n`);
  agent.start({
    url,
    token,
    request: nodeRequest,
    name: 'node-ws',
    version: `Node.js ${process.version}`,
    face: 'my',
    create: (config, face, profile) =>
      implementation.createFor(agent.PROFILE_FACES[profile] === face ? profile : defaultProfileOf(face), config, { log }),
    destroy: (api) => implementation.destroyMy(api),
    onProgress: (state) => {
      if (state.phase !== 'running') log(`${state.phase}${state.error ? `: ${state.error}` : ''}`);
    },
    onFinish: (error, reason) => {
      log(error ? `stopped: ${error}` : `finished: ${reason}`);
      process.exit(error ? 1 : 0);
    },
  });
}

main();
