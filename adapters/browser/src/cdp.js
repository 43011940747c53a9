'use strict';
// A minimal Chrome DevTools Protocol client over the browser's debugging pipe
// (`--remote-debugging-pipe`: the browser reads commands on its fd 3 and
// writes answers and events on its fd 4, each message JSON ended by a NUL).
// No port is opened, and the browser exits when the pipe closes.

const { EventEmitter } = require('node:events');

/** One CDP connection; `session` routes to a target attached with `flatten`. */
class CdpConnection extends EventEmitter {
  /**
   * @param {import('node:stream').Writable} toBrowser the browser's fd 3
   * @param {import('node:stream').Readable} fromBrowser the browser's fd 4
   */
  constructor(toBrowser, fromBrowser) {
    super();
    this.toBrowser = toBrowser;
    this.nextId = 1;
    this.pending = new Map();
    this.closed = null;
    let buffered = '';
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk) => {
      buffered += chunk;
      let end = buffered.indexOf('\0');
      while (end !== -1) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        this.receive(text);
        end = buffered.indexOf('\0');
      }
    });
    fromBrowser.on('close', () => this.close(new Error('the browser closed its DevTools pipe')));
    fromBrowser.on('error', (err) => this.close(err));
    toBrowser.on('error', (err) => this.close(err));
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
      return;
    }
    // Events: ('Network.webSocketCreated', params, sessionId)
    this.emit('event', message.method, message.params || {}, message.sessionId);
  }

  /** Sends one command and resolves with its result. */
  send(method, params = {}, sessionId = undefined) {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId;
    this.nextId += 1;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method, sessionId });
      this.toBrowser.write(`${JSON.stringify(message)}\0`);
    });
  }

  /**
   * Fails the pending commands of one session with `err`: its target is gone
   * (a crashed renderer answers none of them, and nothing else ever does).
   */
  failSession(sessionId, err) {
    for (const [id, waiter] of this.pending) {
      if (waiter.sessionId !== sessionId) continue;
      this.pending.delete(id);
      waiter.reject(err);
    }
  }

  /** Fails every pending command; later sends fail at once. */
  close(err) {
    if (this.closed) return;
    this.closed = err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    this.emit('close', err);
  }
}

module.exports = { CdpConnection };
