'use strict';
// One JavaScript context's socket API: its config, its sockets, its global
// listeners and the one ordered event queue through which everything the API
// reports (success / fail / complete, listener events) goes, never inside
// the call that caused it (`order.async`). It behaves as the project's
// behaviour specification says; comments name its rule ids
// (`connect.url.empty`, `close.drop`, ...).

const { normaliseConfig } = require('../config');
const { checkConnect, checkMessage, checkClose, callbacksOf } = require('./checks');
const { newListenerLists } = require('./listeners');
const { CONNECTING, OPEN, CLOSING, CLOSED } = require('./socket');
const { kSocket, kListeners } = require('./tasks');

/**
 * One JavaScript context's socket API: the global socket, up to `maxTasks`
 * SocketTasks, their listeners and one ordered event queue.
 */
class Context {
  constructor(config, face, transport, hooks) {
    this.face = face;
    this.transport = transport;
    this.logger = hooks && typeof hooks.log === 'function' ? hooks.log : null;
    this.config = normaliseConfig(config);
    this.queue = [];
    this.scheduled = false;
    this.destroyed = false;
    this.sockets = new Set();
    // Sockets whose connection has not ended yet (a CLOSED socket may still be finishing).
    this.connections = new Set();
    this.global = null;
    this.globalListeners = newListenerLists();
    // What the transport keeps per context (Node.js: the TLS secure context); may throw.
    if (typeof transport.prepare === 'function') transport.prepare(this);
  }

  log(text) {
    if (this.logger) this.logger(text);
  }

  // --- the event queue -----------------------------------------------------

  enqueue(occurrence) {
    if (this.destroyed) return;
    this.queue.push(occurrence);
    if (!this.scheduled) {
      this.scheduled = true;
      this.transport.nextMacrotask(() => this.drain());
    }
  }

  /** One occurrence per macrotask, as a host's event loop would. */
  drain() {
    this.scheduled = false;
    if (this.destroyed) return;
    const occurrence = this.queue.shift();
    if (this.queue.length > 0) {
      this.scheduled = true;
      this.transport.nextMacrotask(() => this.drain());
    }
    if (occurrence) this.dispatch(occurrence);
  }

  invoke(fn, res) {
    try {
      fn(res);
    } catch (err) {
      // An exception in application code does not stop the queue.
      this.log(`uncaught exception in a callback: ${err && err.stack ? err.stack : err}`);
    }
  }

  /**
   * `success` or `fail`, then `complete` with the same object (order.async);
   * `code` is a name of spec.json's errorCodes, or 0 for success.
   */
  settle(callbacks, code) {
    if (!callbacks) return;
    const res = this.face.callbackPayload(callbacks.method, code);
    const first = code ? callbacks.fail : callbacks.success;
    if (first) this.enqueue({ kind: 'callback', fn: first, res: { ...res } });
    if (callbacks.complete) this.enqueue({ kind: 'callback', fn: callbacks.complete, res: { ...res } });
  }

  dispatch(occurrence) {
    if (occurrence.kind === 'callback') {
      this.invoke(occurrence.fn, occurrence.res);
      return;
    }
    const { socket, generation, type, res } = occurrence;
    // Nothing after onClose; nothing from an abandoned handshake; nothing after a reset.
    if (!this.sockets.has(socket) || socket.generation !== generation || socket.state === CLOSED) return;
    if (type === 'open') {
      if (socket.state !== CONNECTING) return;
      socket.state = OPEN;
    } else if (type === 'close') {
      // A CLOSED socket frees its place (task.limit).
      socket.state = CLOSED;
      this.sockets.delete(socket);
    }
    // listeners.during-dispatch: the list as it is now; changes count from the next event.
    const lists = socket.task ? socket.task[kListeners] : this.globalListeners;
    const fns = lists[type].slice();
    // wx: the wx.onSocket* listeners hear the newest task too.
    if (socket.task && this.face.globalFollowsNewest && socket === this.global) {
      fns.push(...this.globalListeners[type]);
    }
    for (const fn of fns) this.invoke(fn, { ...res });
  }

  // --- the calls -------------------------------------------------------------

  liveSockets() {
    let n = 0;
    for (const s of this.sockets) if (s.state !== CLOSED) n += 1;
    return n;
  }

  connectSocket(options) {
    const callbacks = callbacksOf(options, 'connectSocket');
    const opts = options !== null && typeof options === 'object' ? options : {};
    // connect.return: a task with `multiple` (wx: always).
    const multiple = this.face.alwaysTask || Boolean(opts.multiple);
    let checked = checkConnect(opts, this.config, this.face, this.transport);
    if (!checked.code) {
      // connect.single.exists
      if (!multiple && this.global && this.global.state !== CLOSED) checked = { code: this.face.singleExistsCode };
      // connect.multiple.limit: the global socket counts too [impl-defined: code 1].
      else if (this.liveSockets() >= this.config.maxTasks) checked = { code: 'unknown' };
    }
    const task = multiple ? new this.face.Task(this) : undefined;
    if (checked.code) {
      // connect.return: a task that failed validation is CLOSED.
      this.settle(callbacks, checked.code);
      return task;
    }
    const socket = new this.transport.Socket(this, task);
    if (task) task[kSocket] = socket;
    if (!task || this.face.globalFollowsNewest) this.global = socket;
    this.sockets.add(socket);
    // connect.success: success and complete come before any outcome of the handshake.
    this.settle(callbacks, 0);
    socket.start(checked);
    return task;
  }

  send(socket, options) {
    const callbacks = callbacksOf(options, 'sendSocketMessage');
    const opts = options !== null && typeof options === 'object' ? options : {};
    // send.not-open
    if (!socket || socket.state !== OPEN) {
      this.settle(callbacks, 'notOpen');
      return;
    }
    // send.invalid / send.too-large
    const checked = checkMessage(opts, this.config.maxMessageBytes, this.face, this.transport.codec);
    if (checked.code) {
      this.settle(callbacks, checked.code);
      return;
    }
    socket.write(checked, callbacks);
  }

  close(socket, options) {
    const callbacks = callbacksOf(options, 'closeSocket');
    const opts = options !== null && typeof options === 'object' ? options : {};
    // close.not-open: never existed, CLOSING or CLOSED [impl-defined: code 10].
    if (!socket || socket.state === CLOSING || socket.state === CLOSED) {
      this.settle(callbacks, 'notOpen');
      return;
    }
    // close.invalid-code: nothing on the wire [impl-defined: code 1].
    const checked = checkClose(opts, this.transport.codec);
    if (checked.code) {
      this.settle(callbacks, checked.code);
      return;
    }
    socket.close(checked, callbacks);
  }

  /** Ends every socket at once without events and forgets everything (adapter `reset`). */
  destroy() {
    this.destroyed = true;
    this.queue.length = 0;
    for (const socket of [...this.sockets, ...this.connections]) socket.abandon();
    this.sockets.clear();
    this.connections.clear();
    this.global = null;
    this.globalListeners = newListenerLists();
  }
}

module.exports = { Context };
