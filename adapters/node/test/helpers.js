'use strict';
// Test helpers: loopback servers (ws and raw TCP), an event recorder that
// tests can await, and a driver for the adapter as a child process. The
// waits are the adapters' shared ones (connectsocket-common/testing).

const net = require('node:net');
const crypto = require('node:crypto');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { WebSocketServer } = require('ws');
const testing = require('connectsocket-common/testing');
const { Waiters } = testing;

const DEFAULT_WAIT_MS = 4000;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Records what callbacks and listeners receive, in order; `until` awaits a
 * matching entry with a bounded wait.
 */
function recorder() {
  const events = [];
  const waiters = new Waiters();
  function push(label, res) {
    events.push({ label, res });
    waiters.notify();
  }
  return {
    events,
    fn(label) {
      return (res) => push(label, res);
    },
    labels() {
      return events.map((e) => e.label);
    },
    get(label) {
      return events.find((e) => e.label === label);
    },
    /** Resolves with the first entry with `label` (or matching a predicate). */
    until(match, ms = DEFAULT_WAIT_MS) {
      const pred = typeof match === 'function' ? match : (e) => e.label === match;
      return waiters.when(() => events.find(pred), () => `${match}; got ${JSON.stringify(events)}`, ms);
    },
  };
}

/** `promise`, or a rejection after `ms` naming `what`: no test waits forever. */
function within(promise, what, ms = DEFAULT_WAIT_MS) {
  return testing.within(promise, what, ms);
}

/** Resolves after `ms`; for "nothing more happens" checks only. */
function settle(ms = 50) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A ws server on 127.0.0.1:0. `onConnection(ws, req)` picks the behaviour.
 * `stop()` ends every connection and the listener.
 */
async function startWsServer(onConnection, options = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, ...options });
  const seen = { requests: [], closes: [], messages: [] };
  wss.on('connection', (ws, req) => {
    seen.requests.push({ url: req.url, headers: req.headers });
    ws.on('message', (data, isBinary) => seen.messages.push({ data: Buffer.from(data), isBinary }));
    ws.on('close', (code, reason) => seen.closes.push({ code, reason: reason.toString() }));
    ws.on('error', () => {});
    if (onConnection) onConnection(ws, req);
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address();
  return {
    wss,
    seen,
    port,
    url: `ws://127.0.0.1:${port}`,
    stop() {
      for (const client of wss.clients) client.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The standard echo behaviour. */
function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

/**
 * A raw TCP server that reads the upgrade request and lets `respond(socket,
 * request)` write whatever it likes: handshake faults, or a good handshake
 * followed by misbehaviour. `request` has `key`, `protocols`, `accept`, `head`.
 */
async function startRawServer(respond) {
  const sockets = new Set();
  const requests = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    const onData = (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      const head = buffer.subarray(0, end).toString('latin1');
      const lines = head.split('\r\n');
      const headers = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const key = headers['sec-websocket-key'] || '';
      const request = {
        line: lines[0],
        headers,
        key,
        protocols: (headers['sec-websocket-protocol'] || '').split(',').map((s) => s.trim()).filter(Boolean),
        accept: crypto.createHash('sha1').update(key + GUID).digest('base64'),
      };
      requests.push(request);
      respond(socket, request);
    };
    socket.on('data', onData);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    requests,
    url: `ws://127.0.0.1:${port}`,
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A 101 response built from parts, for handshake faults. */
function response101({ upgrade = 'websocket', connection = 'Upgrade', accept, protocol } = {}) {
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  if (upgrade !== null) lines.push(`Upgrade: ${upgrade}`);
  if (connection !== null) lines.push(`Connection: ${connection}`);
  if (accept !== null && accept !== undefined) lines.push(`Sec-WebSocket-Accept: ${accept}`);
  if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Parses client-to-server frames (masked) from a raw socket, whole frames only. */
function parseClientFrames(buffer) {
  const frames = [];
  let offset = 0;
  while (buffer.length - offset >= 2) {
    const b0 = buffer[offset];
    const b1 = buffer[offset + 1];
    let len = b1 & 0x7f;
    let pos = offset + 2;
    if (len === 126) {
      if (buffer.length < pos + 2) break;
      len = buffer.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (buffer.length < pos + 8) break;
      len = Number(buffer.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const mask = masked ? buffer.subarray(pos, pos + 4) : null;
    if (masked) pos += 4;
    if (buffer.length < pos + len) break;
    const payload = Buffer.from(buffer.subarray(pos, pos + len));
    if (mask) for (let i = 0; i < payload.length; i += 1) payload[i] ^= mask[i % 4];
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    offset = pos + len;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** Drives `node src/adapter.js` (with `args`) as a child process over stdio. */
function startAdapter(script = path.join(__dirname, '..', 'src', 'adapter.js'), args = [], env = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const messages = [];
  const waiters = new Waiters();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    messages.push(JSON.parse(line));
    waiters.notify();
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    messages,
    exited,
    get stderr() { return stderr; },
    send(message) {
      child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
    },
    until(pred, ms = DEFAULT_WAIT_MS) {
      const what = () => `a message of the adapter; got ${JSON.stringify(messages)}; stderr ${stderr}`;
      return waiters.when(() => messages.find(pred), what, ms);
    },
    /** Sends a request and resolves with its response (of the same instance). */
    async request(message, ms) {
      this.send(message);
      return this.until((m) => m.id === message.id && m.ok !== undefined && m.instance === message.instance, ms);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

module.exports = {
  within,
  recorder,
  settle,
  startWsServer,
  echo,
  startRawServer,
  response101,
  refusedPort,
  parseClientFrames,
  startAdapter,
};
