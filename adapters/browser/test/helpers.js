'use strict';
// Test helpers: the adapter as a child process, loopback servers, a test CA
// made with openssl, and the browser's process group. The waits and the test
// CA are the adapters' shared ones (connectsocket-common/testing).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const readline = require('node:readline');
const { WebSocketServer } = require('ws');
const testing = require('connectsocket-common/testing');
const { findChromium, hasCertutil } = require('../src/browser');

const ADAPTER = path.join(__dirname, '..', 'src', 'adapter.js');
const IMPL = path.join(__dirname, '..', 'impl', 'my-browser.js');
const WAIT_MS = 15000;

/** Why the browser tests cannot run here, or null. One line, printed once by each test file. */
function skipReason() {
  if (!findChromium()) return 'chromium is not installed (apt-get install chromium libnss3-tools): browser adapter tests skipped';
  if (!hasCertutil()) return 'certutil is not installed (apt-get install libnss3-tools): browser adapter tests skipped';
  return null;
}

/**
 * Drives the adapter over stdio. With `ownGroup`, the adapter runs in a
 * process group of its own, as the runner starts adapters.
 */
function startAdapter(args = ['--impl', IMPL], env = {}, ownGroup = false) {
  const child = spawn(process.execPath, [ADAPTER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    detached: ownGroup,
  });
  const messages = [];
  const waiters = new testing.Waiters();
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    waiters.notify();
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    messages.push(JSON.parse(line));
    waiters.notify();
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const adapter = {
    child,
    messages,
    exited,
    /** Resolves with `{ code, signal }` once the adapter has exited; rejects with its stderr after `ms`. */
    exit(ms = WAIT_MS) {
      return within(exited, () => `the adapter to exit; stderr ${stderr}`, ms);
    },
    get stderr() { return stderr; },
    send(message) {
      child.stdin.write(`${JSON.stringify(message)}\n`);
    },
    /** Resolves with the first value `probe()` returns that is not undefined (re-checked on each output). */
    when(probe, what, ms = WAIT_MS) {
      return waiters.when(probe, () => `${what}; got ${JSON.stringify(messages)}; stderr ${stderr}`, ms);
    },
    until(pred, ms) {
      return adapter.when(() => messages.find(pred), 'a message', ms);
    },
    request(message, ms) {
      adapter.send(message);
      // Ids are unique per instance: the answer is the one of the request's instance.
      const instance = message.instance ?? 0;
      return adapter.until((m) => m.id === message.id && (m.instance ?? 0) === instance && m.ok !== undefined, ms);
    },
    /** The browser's pid (its process group) and temporary HOME, from the adapter's log. */
    browser() {
      return adapter.when(() => {
        const m = /\(pid (\d+), HOME (\S+)\)/.exec(stderr);
        return m ? { pid: Number(m[1]), home: m[2] } : undefined;
      }, 'the browser to start');
    },
    /** Ends the adapter as the runner does: stdin closed, then SIGKILL if it has not exited in 5 s. */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await exited;
    },
    /** SIGKILL at once: the adapter gets no chance to clean up. */
    async killNow() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return adapter;
}

/**
 * `promise`, or a rejection naming `what` (a string, or a function making
 * one when the time is up) after `ms`: every wait of these tests ends, with
 * a message that says what did not come.
 */
function within(promise, what, ms = WAIT_MS) {
  return testing.within(promise, what, ms);
}

/** Resolves once `check()` is true, looking every 20 ms, or rejects after `ms`. */
function eventually(check, what, ms = 5000) {
  return testing.eventually(check, what, ms);
}

/** Whether process `pid` is gone (or a zombie). */
function processGone(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/**
 * Whether no live process of the browser that runs with HOME = `home`
 * remains (the browser and every helper it started inherit that HOME).
 */
function browserGone(home) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ;
    let stat;
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`, 'latin1');
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    if (state === 'Z' || state === 'X') continue;
    if (environ.split('\0').includes(`HOME=${home}`)) return false;
  }
  return true;
}

/** A ws echo server on 127.0.0.1:0 (over `server` when given). */
async function echoServer(t, server = null) {
  const wss = server ? new WebSocketServer({ server }) : new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  if (!server) await new Promise((resolve) => wss.on('listening', resolve));
  t.after(() => new Promise((resolve) => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => (server ? server.close(() => resolve()) : resolve()));
  }));
  return wss;
}

/** A test CA and a leaf for 127.0.0.1 signed by it, made with openssl in a temporary folder. */
function makeCertificates() {
  const authority = testing.makeTestAuthority('connectsocket browser test CA');
  try {
    return { ca: authority.ca, key: authority.key, cert: authority.leaf() };
  } finally {
    authority.remove();
  }
}

/** A wss echo server on 127.0.0.1:0 with the given leaf; resolves with its port. */
async function wssEchoServer(t, { key, cert }) {
  const server = https.createServer({ key, cert });
  server.on('tlsClientError', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await echoServer(t, server);
  return server.address().port;
}

module.exports = {
  IMPL, skipReason, startAdapter, within, eventually, browserGone, processGone, echoServer, makeCertificates, wssEchoServer,
};
