'use strict';
// The shim proper: the adapter's face (`my` or `wx`) of a layer, made of the
// layer's own functions under their mini-program names. Nothing else is
// changed: a function the layer lacks stays missing, arguments (callbacks
// included) go to the layer as given, and what the layer returns is returned
// as it is, so a defect shows. A Promise is returned as it is too, and the
// adapter reports it as what it is to the protocol: no SocketTask (the
// app that holds it has none until it awaits, after the tick in which the
// scenario's `then` calls run).
//
// The one addition concerns the calling convention: every layer here that
// promisifies a function still calls the callbacks it was given, and its
// Promise then rejects on `fail` with nobody to catch it; in a mini-program
// that is a console warning, in Node.js an unhandled rejection ends the
// process. So a Promise a face function returns gets a handler that writes
// the rejection to the log, and the adapter logs any other unhandled
// rejection (src/adapter.js).

const { protocol } = require('./platform');

/** The face's method names: the global object's socket functions (connectsocket-common/protocol). */
const MY_METHODS = ['connectSocket', 'sendSocketMessage', 'closeSocket', ...Object.keys(protocol.FACES.my.listenerMethods)];
const FACE_METHODS = {
  my: MY_METHODS,
  wx: MY_METHODS.filter((name) => !name.startsWith('off')),
};

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/**
 * The face `build` ("my" or "wx") of `api` (the layer's exports): its
 * functions that have a socket method's name, each called with `api` as
 * `this` (as an app calls `Taro.connectSocket(…)`). `log(text)` gets the
 * rejections of the Promises they return.
 */
function makeFace(api, build, log) {
  const face = {};
  for (const name of FACE_METHODS[build]) {
    const fn = api[name];
    if (typeof fn !== 'function') continue;
    face[name] = function faceMethod(...args) {
      const returned = fn.apply(api, args);
      if (isThenable(returned)) {
        returned.then(undefined, (reason) => log(`${name}: the Promise it returned rejected: ${describe(reason)}`));
      }
      return returned;
    };
  }
  return face;
}

/** A short text for a rejection reason. */
function describe(reason) {
  if (reason instanceof Error) return reason.message;
  try {
    return JSON.stringify(reason);
  } catch {
    return String(reason);
  }
}

module.exports = { makeFace, FACE_METHODS, describe, isThenable };
