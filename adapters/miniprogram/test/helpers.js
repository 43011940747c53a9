'use strict';
// Test helpers: a loopback echo server and a driver for an adapter process
// (adapters/miniprogram/src/adapter.js) that records its lines and awaits
// them with a bounded wait.

const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { WebSocketServer } = require('ws');

const ADAPTER = path.join(__dirname, '..', 'src', 'adapter.js');
const WAIT_MS = 5000;

/** A ws echo server on 127.0.0.1 (an ephemeral port): `{ url, close() }`. */
async function echoServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise((resolve) => wss.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${wss.address().port}/`,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }),
  };
}

/** Starts the adapter for layer `id`; `send(msg)`, `until(pred)` (a line), `lines`, `stderr()`, `end()`. */
function startAdapter(id) {
  const child = spawn(process.execPath, [ADAPTER, '--layer', id], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = new Set();
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line));
    for (const w of [...waiters]) w.check();
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines,
    stderr: () => stderr,
    exited,
    send: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    /** The first line matching `pred`, awaited at most WAIT_MS. */
    until(pred, what) {
      return new Promise((resolve, reject) => {
        const w = {
          check() {
            const found = lines.find(pred);
            if (!found) return;
            clearTimeout(w.timer);
            waiters.delete(w);
            resolve(found);
          },
          timer: setTimeout(() => {
            waiters.delete(w);
            reject(new Error(`timed out waiting for ${what}; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`));
          }, WAIT_MS),
        };
        waiters.add(w);
        w.check();
      });
    },
    async end() {
      child.stdin.end();
      return exited;
    },
  };
}

module.exports = { echoServer, startAdapter };
