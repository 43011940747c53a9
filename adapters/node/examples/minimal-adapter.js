#!/usr/bin/env node
'use strict';
// The smallest complete adapter (protocol v1) for a JavaScript `my` object.
// To adapt another host, replace `makeMy` and `endMy`; the rest is protocol.
const readline = require('node:readline');
const { createMy, destroyMy } = require('..');

const makeMy = (config) => createMy(config); // a fresh `my` with this config
const endMy = (my) => destroyMy(my); // end its sockets at once, without events

const out = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);
const CALLBACK_METHODS = ['connectSocket', 'sendSocketMessage', 'closeSocket', 'send', 'close'];
const LISTENER_METHOD = /^(?:on|off)(?:Socket)?(Open|Message|Error|Close)$/;
let config = null;
let my = null;
let tasks = new Map(); // "t1" -> SocketTask
let fns = new Map(); // "t1/open/L1" -> the one function for that name

// { "$binary": "<base64>" } -> ArrayBuffer
function fromWire(v) {
  if (Array.isArray(v)) return v.map(fromWire);
  if (v === null || typeof v !== 'object') return v;
  if (Object.keys(v).length === 1 && typeof v.$binary === 'string') {
    const b = Buffer.from(v.$binary, 'base64');
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)]));
}

function call(req, returned) {
  const target = req.target === '$returned' ? returned : req.target;
  const object = target === 'my' ? my : tasks.get(target);
  const listener = LISTENER_METHOD.exec(req.method);
  const known = listener || CALLBACK_METHODS.includes(req.method);
  if (!object || !known || typeof object[req.method] !== 'function') {
    out({ id: req.id, ok: false, error: `unknown target or method: ${req.target} ${req.method}` });
    return;
  }
  const state = { returned: false, task: null };
  let args = [];
  if (listener && req.listener) {
    const type = listener[1].toLowerCase();
    const key = `${target}/${type}/${req.listener}`;
    if (!fns.has(key)) {
      fns.set(key, (res) => out({ event: 'listener', target, listener: req.listener, type, res }));
    }
    args = [fns.get(key)];
  } else if (!listener && !req.noArgument) {
    const arg = fromWire(req.args ?? {});
    for (const kind of ['success', 'fail', 'complete']) {
      arg[kind] = (res) => {
        out({ event: 'callback', call: req.id, kind, res, ...(state.returned ? {} : { sync: true }) });
        for (const nested of req.within?.[kind] ?? []) call(nested, state.task);
      };
    }
    args = [arg];
  }
  const result = object[req.method](...args);
  state.returned = true;
  if (result && typeof result === 'object') {
    state.task = `t${tasks.size + 1}`;
    tasks.set(state.task, result);
  }
  out({ id: req.id, ok: true, result: { returned: state.task ? { task: state.task } : null } });
  for (const nested of req.then ?? []) call(nested, state.task);
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    out({ id: null, ok: false, error: 'not JSON' });
    return;
  }
  if (req.op === 'hello') {
    config = req.config;
    my = makeMy(config);
    out({ id: req.id, ok: true, result: { name: 'minimal', version: '0.0.0', protocol: 1, unsupported: [] } });
  } else if (req.op === 'call' && my) {
    call(req, null);
  } else if (req.op === 'reset' && my) {
    endMy(my);
    my = makeMy(config);
    tasks = new Map();
    fns = new Map();
    out({ id: req.id, ok: true, result: {} });
  } else if (req.op === 'shutdown') {
    if (my) endMy(my);
    process.stdout.write(`${JSON.stringify({ id: req.id, ok: true, result: {} })}\n`, () => process.exit(0));
  } else {
    out({ id: req.id ?? null, ok: false, error: `unknown op, or no hello yet: ${req.op}` });
  }
}).on('close', () => process.exit(0));
