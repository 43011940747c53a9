// What every shim does once its framework is loaded: put the framework's own
// functions on the page under the names the browser adapter calls.
//
// The mapping is by name only. A function the framework does not export is
// left out (the suite then sees the method missing); nothing is wrapped, so
// arguments, return values, callbacks and events are the framework's own.
// A shim must not hide a defect.

import { methodsOf } from 'connectsocket-common/spec';

/** The socket methods of the `my` face's global object. */
const MY_METHODS = methodsOf('my', 'global').map((method) => method.name);

/** The `wx` face: the same names without off* (WeChat has none for sockets). */
const WX_METHODS = methodsOf('wx', 'global').map((method) => method.name);

/** The `my.*` / `wx.*` names that `api` (the framework's exports) defines as functions. */
function face(api, methods) {
  const out = {};
  for (const name of methods) if (typeof api[name] === 'function') out[name] = api[name];
  return out;
}

/**
 * Defines `globalThis.my`, `globalThis.wx` and `globalThis.myImplementation`
 * for the browser adapter. `api` holds the framework's functions under their
 * mini-program names; `unsupported` lists the hello config keys the framework
 * has no way to honour (its scenarios are then "not applicable").
 */
export function expose({ name, version, api, unsupported }) {
  globalThis.my = face(api, MY_METHODS);
  globalThis.wx = face(api, WX_METHODS);
  globalThis.myImplementation = { name, version, unsupported };
}

/**
 * The config keys none of these frameworks reads: they open a page
 * `WebSocket` with the URL and protocols and nothing else (no connect or
 * close timer, no size limit, no configurable task limit, no wss-only
 * switch, no list of allowed hosts). `caCertificatesPem` is honoured by
 * the browser itself.
 */
export const UNSUPPORTED_BY_WEB_FRAMEWORKS = ['connectTimeoutMs', 'closeTimeoutMs', 'maxMessageBytes', 'maxTasks', 'wssOnly', 'allowedHosts'];
