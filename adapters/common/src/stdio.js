'use strict';
// The adapter protocol over a Node.js process's stdio, for the adapters that
// run the dispatch in Node (adapters/node, adapters/miniprogram); kept apart
// from ./protocol.js, which the browser page bundles too.

const readline = require('node:readline');

/**
 * Serves `session` (an Instances or Session) one JSON request per line of
 * `input` (a readable stream, stdin for an adapter process): a line that is
 * not JSON, or a request the dispatch throws on, gets an error response
 * through `write` (the thrown one logged through `log`), and the process
 * exits once `input` closes and every instance is destroyed.
 */
function serveLines(session, { input, write, log }) {
  const lines = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
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
  lines.on('close', () => {
    session.destroyAll();
    process.stdout.write('', () => process.exit(0));
  });
}

module.exports = { serveLines };
