'use strict';
// The facts of the socket API that the JavaScript adapters need, read from
// spec/spec.json: the document the `spec` crate renders from its data (the
// error codes and their texts, the methods, the faces and the profiles).
// Nothing here lists a fact of its own: this module only gives the JSON the
// shapes the protocol dispatch and the core use. To change a fact, change
// the `spec` crate and regenerate the JSON
// (`UPDATE_SPEC_JSON=1 cargo test -p spec --test spec_json`).
//
// The path leaves the package on purpose: spec.json is the repository's one
// copy, and esbuild bundles it (as JSON) into the browser adapter's scripts.

const SPEC = require('../../../spec/spec.json');

/** The version of spec.json's format this module reads. */
const SPEC_JSON_VERSION = 1;

if (SPEC.specJsonVersion !== SPEC_JSON_VERSION) {
  throw new Error(`spec/spec.json has format ${SPEC.specJsonVersion}; connectsocket-common reads ${SPEC_JSON_VERSION}`);
}

const freezeAll = (entries) => Object.freeze(Object.fromEntries(entries));

/**
 * The error codes by name (`urlEmpty`, `socketExists`): `{name, code,
 * message, reason}`, `code` the number of an `{error, errorMessage}`
 * payload, `message` its `errorMessage`, `reason` what follows
 * "<method>:fail " in an `{errMsg}` payload. A number can have two
 * meanings (2, 3), so the core names codes, never numbers.
 */
const CODES = freezeAll(Object.entries(SPEC.errorCodes).map(([name, c]) => [
  name,
  Object.freeze({ name, code: c.code, message: c.message, reason: c.reason }),
]));

/**
 * The seed's error-code table by number (1 to 12): the `errorMessage` of
 * each, as the `my` face under the default profile reports it.
 */
const SEED_MESSAGES = freezeAll(SPEC.seedErrorCodes.map((name) => [CODES[name].code, CODES[name].message]));

/**
 * Every method, global ones first, in the adapter protocol's order: its
 * `name`, its `target` ("global": `my` / `wx` / …; "task": a SocketTask),
 * what its argument carries (`takes`: "callbacks", the success / fail /
 * complete of an options object, or "listener", a function for `event`),
 * for a listener method whether it `removes` the listener (off*), and its
 * `globalTwin` (the name an `{errMsg}` payload carries: `sendSocketMessage`
 * for a task's `send`).
 */
const METHODS = Object.freeze(Object.entries(SPEC.methods).map(([name, m]) => {
  const method = { name, target: m.target, takes: m.kind === 'callbacks' ? 'callbacks' : 'listener', globalTwin: m.globalTwin };
  if (m.kind !== 'callbacks') Object.assign(method, { event: m.event, removes: m.kind === 'removeListener' });
  return Object.freeze(method);
}));

/** The events a socket reports, in the order of the listener methods. */
const EVENTS = Object.freeze([...new Set(METHODS.filter((m) => m.event).map((m) => m.event))]);

/**
 * The faces of the API an adapter may serve (`api` in the hello result), by
 * the global object's name:
 *
 * - `global`: the global object's name (the adapter protocol's target);
 * - `payload`: "errorCode" (`{error, errorMessage}`, nothing on success)
 *   or "errMsg" (`{errMsg: "<method>:ok"}`, `"<method>:fail <reason>"`,
 *   `{errMsg: <reason>}`);
 * - `binary`: "base64" (base64 text with `isBuffer`, both ways) or
 *   "arrayBuffer" (an ArrayBuffer, `{data}`);
 * - `offMethods`: the off* methods exist (global and task);
 * - `alwaysTask`: connect always returns a SocketTask (else only with `multiple`);
 * - `globalFollowsNewest`: the global calls and listeners act on the newest task;
 * - `unsettableHeaders`: request headers `header` cannot set (lower case: dropped);
 * - `maxSockets`: the vendor's limit of connections at once;
 * - `connectArguments`: the arguments of `connectSocket` it has;
 * - `methods`: the names of the methods it has.
 */
const FACES = freezeAll(Object.entries(SPEC.faces).map(([name, f]) => [name, Object.freeze({
  global: f.global,
  vendor: f.vendor,
  payload: f.payload,
  binary: f.binary,
  offMethods: f.offMethods,
  alwaysTask: f.connectAlwaysReturnsTask,
  globalFollowsNewest: f.globalsFollowNewestTask,
  unsettableHeaders: Object.freeze([...f.unsettableHeaders]),
  maxSockets: f.limits.maxSockets,
  connectArguments: Object.freeze([...f.connectArguments]),
  methods: Object.freeze([...f.methods]),
})]));

/**
 * The profiles a `hello` may name, by name: `face` (a key of FACES),
 * `wrongTypeCode` and `singleExistsCode` (keys of CODES), the
 * `connectArguments` an implementation serving it reads (the face's but
 * the `absentArguments`), and the options of [impl-defined] rules its
 * source decides (`decidedOptions`, rule -> option).
 */
const PROFILES = freezeAll(Object.entries(SPEC.profiles).map(([name, p]) => [name, Object.freeze({
  name,
  face: p.face,
  wrongTypeCode: p.wrongTypeCode,
  singleExistsCode: p.singleExistsCode,
  connectArguments: Object.freeze(SPEC.faces[p.face].connectArguments.filter((a) => !p.absentArguments.includes(a))),
  decidedOptions: Object.freeze({ ...p.decidedOptions }),
})]));

/** The profile a run checks when none is named. */
const DEFAULT_PROFILE = SPEC.defaultProfile;

/** The face of each profile (profile name -> face name). */
const PROFILE_FACES = freezeAll(Object.values(PROFILES).map((p) => [p.name, p.face]));

/**
 * The profile an adapter serves for `face` when `hello` names none it
 * knows: the first profile written against the face (the default for `my`).
 */
function defaultProfileOf(face) {
  const profile = Object.values(PROFILES).find((p) => p.face === face);
  if (!profile) throw new Error(`no profile of spec/spec.json is written against the face ${JSON.stringify(face)}`);
  return profile.name;
}

/**
 * The code an option of a `*.code` rule names ("20" -> `wssRequired`), as
 * spec.json's `optionRules` give it; undefined for an option that names
 * no code.
 */
function optionCode(rule, option) {
  const entry = SPEC.optionRules[rule];
  return entry && entry.codes ? entry.codes[option] : undefined;
}

/** The methods `face` (a key of FACES) has on `target` ("global" or "task"). */
function methodsOf(face, target) {
  const names = FACES[face].methods;
  return METHODS.filter((m) => m.target === target && names.includes(m.name));
}

module.exports = {
  SPEC,
  CODES,
  SEED_MESSAGES,
  EVENTS,
  METHODS,
  FACES,
  PROFILES,
  PROFILE_FACES,
  DEFAULT_PROFILE,
  defaultProfileOf,
  optionCode,
  methodsOf,
};
