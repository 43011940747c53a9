'use strict';
// The SocketTask classes: what `connectSocket` returns. A task forwards its
// calls to its context and keeps its own listener lists; the symbols tie it
// to its context and socket without showing them to the application.

const { newListenerLists, addListener, removeListener } = require('./listeners');

const kSocket = Symbol('socket');
const kContext = Symbol('context');
const kListeners = Symbol('listeners');

/** What every SocketTask has (`wx`'s has nothing more): send, close, on*. */
class SocketTaskBase {
  constructor(context) {
    this[kContext] = context;
    // Stays null for a task that failed validation: it is CLOSED.
    this[kSocket] = null;
    this[kListeners] = newListenerLists();
  }

  send(options) {
    this[kContext].send(this[kSocket], options);
  }

  close(options) {
    this[kContext].close(this[kSocket], options);
  }

  onOpen(fn) { addListener(this[kListeners], 'open', fn); }
  onMessage(fn) { addListener(this[kListeners], 'message', fn); }
  onError(fn) { addListener(this[kListeners], 'error', fn); }
  onClose(fn) { addListener(this[kListeners], 'close', fn); }
}

/** A SocketTask, returned by `my.connectSocket({multiple: true, ...})`: with off*. */
class SocketTask extends SocketTaskBase {
  offOpen(fn) { removeListener(this[kListeners], 'open', fn); }
  offMessage(fn) { removeListener(this[kListeners], 'message', fn); }
  offError(fn) { removeListener(this[kListeners], 'error', fn); }
  offClose(fn) { removeListener(this[kListeners], 'close', fn); }
}

/** A SocketTask of a face without off* methods (`wx`): send, close, on*. */
class WxSocketTask extends SocketTaskBase {}

module.exports = { SocketTaskBase, SocketTask, WxSocketTask, kSocket, kContext, kListeners };
