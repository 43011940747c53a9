'use strict';
// The adapter protocol, version 1 (docs/adapter-protocol.md): the dispatch of
// requests to a `my` object, shared by every JavaScript adapter. It runs where
// the implementation runs (Node.js for the node adapter; inside the browser
// page for adapters/browser), because `then` and `within` calls must be made
// in the implementation's own tick. It uses no Node.js or browser API:
// whatever differs between hosts comes in through the `host` object given to
// Session.

const { FACES: FACE_DATA, PROFILE_FACES, DEFAULT_PROFILE, defaultProfileOf, methodsOf } = require('./spec');
const { CONFIG_KEYS, validConfigValue } = require('./config');

const PROTOCOL = 1;

/** Methods of `face` on `target` that take success / fail / complete. */
function callbackMethods(face, target) {
  return new Set(methodsOf(face, target).filter((m) => m.takes === 'callbacks').map((m) => m.name));
}

/** Methods of `face` on `target` that take a listener, with their event type. */
function listenerMethods(face, target) {
  const out = {};
  for (const m of methodsOf(face, target)) if (m.takes === 'listener') out[m.name] = m.event;
  return out;
}

/**
 * The faces of the API an adapter may serve (`api` in the hello result):
 * the global object's name and its methods, by target (spec.json's faces).
 */
const FACES = Object.fromEntries(Object.keys(FACE_DATA).map((face) => [face, {
  global: FACE_DATA[face].global,
  callbackMethods: callbackMethods(face, 'global'),
  listenerMethods: listenerMethods(face, 'global'),
  taskCallbackMethods: callbackMethods(face, 'task'),
  taskListenerMethods: listenerMethods(face, 'task'),
}]));

/** The face of each profile a `hello` may name. */
const PROFILE_APIS = PROFILE_FACES;

/** The face served when nothing chooses one: the default profile's (`my`). */
const DEFAULT_API = PROFILE_FACES[DEFAULT_PROFILE];

/**
 * The profile served with face `api` for a `hello` naming `profile`: that
 * profile when spec.json has it and it is written against `api`, else the
 * face's first profile (a hello without a profile, or one the adapter
 * answers with another face).
 */
function servedProfile(profile, api) {
  return Object.hasOwn(PROFILE_FACES, String(profile)) && PROFILE_FACES[profile] === api ? profile : defaultProfileOf(api);
}

class ProtocolError extends Error {}

/**
 * Checks a `hello` request: `{ config }` when it can be honoured, else
 * `{ error }` (the text of the refusal).
 */
function checkHello(request) {
  if (request.protocol !== PROTOCOL) {
    return { error: `protocol ${JSON.stringify(request.protocol)} is not supported (1 is)` };
  }
  const config = request.config === undefined ? {} : request.config;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    return { error: 'config must be an object' };
  }
  const unknown = Object.keys(config).filter((k) => !CONFIG_KEYS.includes(k));
  if (unknown.length > 0) return { error: `unknown config keys: ${unknown.join(', ')}` };
  const wrong = Object.keys(config).filter((k) => !validConfigValue(k, config[k]));
  if (wrong.length > 0) return { error: `config values of the wrong type: ${wrong.join(', ')}` };
  return { config };
}

/** `{ "$binary": "<base64>" }` anywhere in the arguments becomes an ArrayBuffer. */
function fromWire(value, decodeBase64) {
  if (Array.isArray(value)) return value.map((v) => fromWire(v, decodeBase64));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$binary' && typeof value.$binary === 'string') {
      return decodeBase64(value.$binary);
    }
    const out = {};
    for (const key of keys) out[key] = fromWire(value[key], decodeBase64);
    return out;
  }
  return value;
}

/** An ArrayBuffer (or a view) in a payload goes back as `{ "$binary": "<base64>" }`. */
function toWire(value, encodeBase64) {
  if (value instanceof ArrayBuffer) return { $binary: encodeBase64(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) {
    return { $binary: encodeBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  if (Array.isArray(value)) return value.map((v) => toWire(v, encodeBase64));
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value)) out[key] = toWire(value[key], encodeBase64);
    return out;
  }
  return value;
}

/**
 * One adapter session: the IUT and the handles the runner knows.
 *
 * `host` supplies what differs between places the IUT can live:
 * - `write(message)`: sends one protocol message (an object) to the runner;
 * - `log(text)`: a diagnostic line (never on the protocol channel);
 * - `createMy(config, api, profile)` / `destroyMy(my)`: a fresh IUT (the
 *   global object of face `api`, "my", "wx", …, serving `profile`: the
 *   profile `hello` named when it is one of spec.json's and of that face,
 *   else the face's first), and ending one (every socket at once, without
 *   events); `createMy` may throw to refuse the config;
 * - `api(profile)` (optional): the face to serve for the `hello`'s
 *   `profile` (a string, or undefined); without it, always "my";
 * - `isTask(value)`: whether a method's return value is a SocketTask;
 * - `decodeBase64(text)` -> ArrayBuffer, `encodeBase64(Uint8Array)` -> text;
 * - `hello(config)` -> `{ name, version, unsupported }`;
 * - `shutdown(id)`: writes the response `{id, ok: true, result: {}}` and ends the process.
 */
class Session {
  constructor(host) {
    this.host = host;
    // Set by `hello`; until then there is no implementation to call.
    this.config = null;
    this.my = null;
    this.api = DEFAULT_API;
    this.profile = DEFAULT_PROFILE;
    this.resetState();
  }

  /** The face served: its global object's name and methods. */
  get face() {
    return FACES[this.api];
  }

  /** Ends every socket without events and forgets listeners and handles. */
  resetState() {
    if (this.my) this.host.destroyMy(this.my);
    this.my = null;
    this.my = this.config ? this.host.createMy(this.config, this.api, this.profile) : null;
    this.tasks = new Map();
    this.handles = new Map();
    this.nextTask = 1;
    this.listeners = new Map();
    this.listenerBodies = new Map();
  }

  /** Answers one request (any parsed JSON value). */
  handle(request) {
    const write = (message) => this.host.write(message);
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      write({ id: null, ok: false, error: 'a request must be a JSON object' });
      return;
    }
    const id = Number.isInteger(request.id) && request.id >= 0 ? request.id : null;
    if (id === null) {
      write({ id: null, ok: false, error: 'a request needs an unsigned integer "id"' });
      return;
    }
    switch (request.op) {
      case 'hello':
        this.hello(id, request);
        return;
      case 'call':
        this.call(request, null);
        return;
      case 'reset':
        this.reset(id, request);
        return;
      case 'shutdown':
        this.shutdown(id);
        return;
      default:
        write({ id, ok: false, error: `unknown op ${JSON.stringify(request.op)}` });
    }
  }

  hello(id, request) {
    const checked = checkHello(request);
    if (checked.error) {
      this.host.write({ id, ok: false, error: checked.error });
      return;
    }
    const api = typeof this.host.api === 'function' ? this.host.api(request.profile) : DEFAULT_API;
    if (!Object.hasOwn(FACES, api)) {
      this.host.write({ id, ok: false, error: `this adapter cannot serve the API face ${JSON.stringify(api)}` });
      return;
    }
    this.api = api;
    this.profile = servedProfile(request.profile, api);
    this.config = checked.config;
    try {
      this.resetState();
    } catch (err) {
      // As the reference adapter: a refused hello leaves no implementation set up.
      this.config = null;
      this.resetState();
      this.host.write({ id, ok: false, error: `config refused: ${err.message}` });
      return;
    }
    const { name, version, unsupported } = this.host.hello(this.config, this.api);
    const result = { name, version, protocol: PROTOCOL, unsupported };
    // `api` is written only for a face other than the default (`my`).
    if (this.api !== DEFAULT_API) result.api = this.api;
    // `instances` is written only above 1 (absent means 1).
    if (this.host.instances > 1) result.instances = this.host.instances;
    // `quietMs`, the host's delivery latency, only when there is one.
    if (this.host.quietMs > 0) result.quietMs = this.host.quietMs;
    this.host.write({ id, ok: true, result });
  }

  /** `reset`, with an optional `config` this instance runs with from now on. */
  reset(id, request) {
    if (request.config !== undefined) {
      if (this.config === null) {
        this.host.write({ id, ok: false, error: 'reset with a config before hello' });
        return;
      }
      const checked = checkHello({ protocol: PROTOCOL, config: request.config });
      if (checked.error) {
        this.host.write({ id, ok: false, error: checked.error });
        return;
      }
      const previous = this.config;
      this.config = checked.config;
      try {
        this.resetState();
      } catch (err) {
        this.config = previous;
        this.resetState();
        this.host.write({ id, ok: false, error: `config refused: ${err.message}` });
        return;
      }
    } else {
      this.resetState();
    }
    this.host.write({ id, ok: true, result: {} });
  }

  shutdown(id) {
    if (this.my) this.host.destroyMy(this.my);
    this.my = null;
    this.config = null;
    this.host.shutdown(id);
  }

  /** The target object of a call: `my` (or `wx`), a task handle, or `$returned`. */
  resolveTarget(target, returned) {
    const global = this.face.global;
    if (target === global) return { name: global, object: this.my, isTask: false };
    if (target === '$returned') {
      if (!returned || !this.tasks.has(returned)) {
        throw new ProtocolError('"$returned": the enclosing call returned no SocketTask');
      }
      return { name: returned, object: this.tasks.get(returned), isTask: true };
    }
    if (typeof target === 'string' && this.tasks.has(target)) {
      return { name: target, object: this.tasks.get(target), isTask: true };
    }
    throw new ProtocolError(`unknown target ${JSON.stringify(target)}`);
  }

  /** One function object per (target, event type, name), shared by on* and off*. */
  listenerFunction(target, type, name) {
    const key = `${target}\u0000${type}\u0000${name}`;
    let fn = this.listeners.get(key);
    if (!fn) {
      const session = this;
      fn = function listener(res) {
        if (session.listeners.get(key) !== fn) return;
        session.host.write({ event: 'listener', target, listener: name, type, res: session.toWire(res) });
        // within.listener: calls made inside this function the next time it runs, once.
        const body = session.listenerBodies.get(key);
        if (body) {
          session.listenerBodies.delete(key);
          for (const call of body) session.call(call, null);
        }
      };
      this.listeners.set(key, fn);
    }
    return fn;
  }

  toWire(value) {
    return toWire(value, this.host.encodeBase64);
  }

  /** The handle of a returned SocketTask, named t1, t2, … since the last reset. */
  nameTask(task) {
    if (this.handles.has(task)) return this.handles.get(task);
    const handle = `t${this.nextTask}`;
    this.nextTask += 1;
    this.tasks.set(handle, task);
    this.handles.set(task, handle);
    return handle;
  }

  /**
   * Runs one call (a request or a nested call) and writes its response,
   * then its `then` calls. `returned` is the handle `$returned` stands for.
   */
  call(request, returned) {
    const id = Number.isInteger(request.id) ? request.id : null;
    let outcome;
    try {
      outcome = this.invoke(request, id, returned);
    } catch (err) {
      if (!(err instanceof ProtocolError)) this.host.log(`call ${id} threw: ${err && err.stack ? err.stack : err}`);
      this.host.write({
        id, ok: false, error: err instanceof ProtocolError ? err.message : `the method threw: ${err}`,
      });
      return;
    }
    this.host.write({ id, ok: true, result: { returned: outcome.handle ? { task: outcome.handle } : null } });
    const then = Array.isArray(request.then) ? request.then : [];
    for (const nested of then) this.call(nested, outcome.handle);
  }

  invoke(request, id, returned) {
    if (id === null) throw new ProtocolError('a call needs an unsigned integer "id"');
    if (this.my === null) throw new ProtocolError('no `hello` yet: the implementation is not set up');
    const target = this.resolveTarget(request.target, returned);
    const method = request.method;
    const callbackMethods = target.isTask ? this.face.taskCallbackMethods : this.face.callbackMethods;
    const listenerMethods = target.isTask ? this.face.taskListenerMethods : this.face.listenerMethods;
    let args;
    const state = { returned: false, handle: null };

    if (typeof method === 'string' && Object.hasOwn(listenerMethods, method)) {
      const type = listenerMethods[method];
      if (request.noArgument || request.listener === undefined || request.listener === null) {
        args = [];
      } else {
        if (typeof request.listener !== 'string') throw new ProtocolError('"listener" must be a string');
        args = [this.listenerFunction(target.name, type, request.listener)];
        const body = request.within && Array.isArray(request.within.listener) ? request.within.listener : [];
        if (body.length > 0 && method.startsWith('on')) {
          this.listenerBodies.set(`${target.name}\u0000${type}\u0000${request.listener}`, body);
        }
      }
    } else if (callbackMethods.has(method)) {
      if (request.noArgument) {
        args = [];
      } else {
        const within = request.within && typeof request.within === 'object' ? request.within : {};
        const given = request.args === undefined ? {} : fromWire(request.args, this.host.decodeBase64);
        if (given !== null && typeof given === 'object' && !Array.isArray(given)) {
          for (const kind of ['success', 'fail', 'complete']) {
            given[kind] = this.callback(id, kind, state, Array.isArray(within[kind]) ? within[kind] : []);
          }
        }
        args = [given];
      }
    } else {
      throw new ProtocolError(`unknown method ${JSON.stringify(method)} on ${target.isTask ? 'a SocketTask' : JSON.stringify(target.name)}`);
    }

    const result = target.object[method](...args);
    state.returned = true;
    if (this.host.isTask(result)) state.handle = this.nameTask(result);
    else if (result !== undefined && result !== null) this.host.log(`call ${id}: ${method} returned a non-task value`);
    return state;
  }

  /** success / fail / complete for call `id`: reports, then runs the `within` calls. */
  callback(id, kind, state, nested) {
    const session = this;
    return function callback(res) {
      const event = { event: 'callback', call: id, kind, res: session.toWire(res === undefined ? null : res) };
      // order.async: a callback run inside the call is reported, not hidden.
      if (!state.returned) event.sync = true;
      session.host.write(event);
      for (const call of nested) session.call(call, state.handle);
    };
  }
}

/**
 * Several independent sessions in one adapter (`instances` in the hello
 * result): a request goes to the session its `instance` names (absent: 0),
 * and every message of session k carries `instance: k` (none for 0).
 * Instance 0 answers `hello`; any other is made on its first request, as
 * after that `hello` (its face and config), with an IUT of its own. It
 * takes the config of the `hello`, never the one a later `reset` gave
 * instance 0: a runner knows an unused instance by the hello's config.
 */
class Instances {
  constructor(host, count, SessionClass = Session) {
    this.host = host;
    this.count = count;
    this.SessionClass = SessionClass;
    this.sessions = new Map();
    // The face and config of the last accepted `hello` (null before one).
    this.introduced = null;
  }

  /** The session of instance k, made when first needed. */
  session(k) {
    let session = this.sessions.get(k);
    if (session) return session;
    const host = Object.create(this.host);
    host.instances = this.count;
    if (k !== 0) host.write = (message) => this.host.write({ ...message, instance: k });
    session = new this.SessionClass(host);
    if (k !== 0 && this.introduced) {
      session.api = this.introduced.api;
      session.profile = this.introduced.profile;
      session.config = this.introduced.config;
      session.resetState();
    }
    this.sessions.set(k, session);
    return session;
  }

  /** Answers one request (any parsed JSON value). */
  handle(request) {
    const k = request && typeof request === 'object' && request.instance !== undefined ? request.instance : 0;
    if (!Number.isInteger(k) || k < 0 || k >= this.count) {
      // On the instance it named (when that is an unsigned integer), so
      // that it is not taken for the answer to instance 0's request with
      // the same id (docs/adapter-protocol.md, instances).
      const id = request && Number.isInteger(request.id) ? request.id : null;
      const named = Number.isInteger(k) && k >= 0 ? { instance: k } : {};
      this.host.write({ id, ...named, ok: false, error: `no instance ${JSON.stringify(k)} (this adapter holds ${this.count})` });
      return;
    }
    if (k !== 0 && request.op === 'hello') {
      this.host.write({ id: request.id, instance: k, ok: false, error: 'hello goes to instance 0 only' });
      return;
    }
    const session = this.session(k);
    session.handle(request);
    if (request.op === 'hello' && session.config !== null) {
      this.introduced = { api: session.api, profile: session.profile, config: session.config };
    }
  }

  /** Ends every instance's sockets. */
  destroyAll() {
    for (const session of this.sessions.values()) {
      if (session.my) this.host.destroyMy(session.my);
      session.my = null;
    }
  }
}

module.exports = {
  Instances,
  PROTOCOL,
  CONFIG_KEYS,
  FACES,
  PROFILE_APIS,
  DEFAULT_API,
  servedProfile,
  Session,
  checkHello,
  fromWire,
  toWire,
};
