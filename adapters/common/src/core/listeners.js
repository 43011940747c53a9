'use strict';
// Listener lists: one list per event type, of a SocketTask or of the global
// object. A list is copied when its event is dispatched (context.js).

const { EVENTS } = require('../spec');

/** An empty list for each event type (`open`, `message`, `error`, `close`). */
function newListenerLists() {
  return Object.fromEntries(EVENTS.map((type) => [type, []]));
}

/** listeners.order / listeners.twice: appended, duplicates kept. */
function addListener(lists, type, fn) {
  if (typeof fn === 'function') lists[type].push(fn);
}

/** listeners.off-one (every occurrence) / listeners.off-all (no function). */
function removeListener(lists, type, fn) {
  if (typeof fn === 'function') lists[type] = lists[type].filter((f) => f !== fn);
  else lists[type] = [];
}

module.exports = { newListenerLists, addListener, removeListener };
