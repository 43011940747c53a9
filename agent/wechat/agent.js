/*
 * The conformance agent: the adapter protocol, version 1
 * (docs/adapter-protocol.md), carried over HTTP, from inside any runtime
 * that has the socket API under test: an Alipay, WeChat or Douyin
 * mini-program on a phone or in the vendor's IDE simulator, a web page, or
 * Node.js.
 *
 * It asks the runner (`run --adapter agent`) for requests by long polling,
 * performs each on the platform's own global object (`my`, `wx` or `tt`),
 * and posts back the responses and events in the order the platform
 * invoked the functions, each with the platform's timestamp. It talks to
 * the runner through the platform's HTTP API (`my.request`, `wx.request`,
 * `tt.request`, or `fetch`), never through the socket API under test,
 * whose task limit and single global socket it would disturb.
 *
 * One file, ES5, no modules and no dependency: nothing a mini-program's
 * JavaScript engine lacks. It loads as a CommonJS module (a mini-program's
 * `require`, Node.js) or as a classic script (a page: `ConnectSocketAgent`
 * on the global object).
 *
 *   var agent = require('./agent.js');
 *   agent.start({
 *     url: 'http://192.168.1.20:7357/agent/v1',  // what the runner printed
 *     token: 'k3…',                               // likewise
 *     platform: my,                               // or wx, tt
 *     face: 'my',                                 // its name: my, wx or tt
 *     request: agent.requestVia.alipay(my),       // or .wechat(wx), .douyin(tt), .fetch(fetch)
 *     onProgress: function (state) { … }          // optional: for a page
 *   });
 *
 * A host that can make a fresh implementation (Node.js, a page) passes
 * `create(config, face, profile)` and `destroy(api)` instead of
 * `platform`: every config key is honoured then. On a device the platform
 * object is the runtime's own and cannot be configured: `hello` lists every
 * config key but `caCertificatesPem` as unsupported (with the reason in a
 * log event), so the scenarios that set one are not applicable.
 */
(function (root) {
  'use strict';

  var PROTOCOL = 1;
  var VERSION = '0.1.0';

  /** The protocol's config keys (adapter-protocol's `Config::KEYS`). */
  var CONFIG_KEYS = ['caCertificatesPem', 'connectTimeoutMs', 'closeTimeoutMs', 'maxMessageBytes',
    'maxTasks', 'wssOnly', 'allowedHosts'];

  /** The face each profile of spec/spec.json is written against. */
  var PROFILE_FACES = { 'alipay-2022-09': 'my', 'alipay-current': 'my', wechat: 'wx', douyin: 'tt' };

  /**
   * The methods of each face (spec/spec.json's faces and methods): by
   * target, `c` for those that take success / fail / complete, or the
   * event type of those that take a listener. A test checks this table
   * against spec.json.
   */
  var FACES = {
    my: {
      global: {
        connectSocket: 'c', sendSocketMessage: 'c', closeSocket: 'c',
        onSocketOpen: 'open', offSocketOpen: 'open', onSocketMessage: 'message', offSocketMessage: 'message',
        onSocketError: 'error', offSocketError: 'error', onSocketClose: 'close', offSocketClose: 'close'
      },
      task: {
        send: 'c', close: 'c', onOpen: 'open', offOpen: 'open', onMessage: 'message', offMessage: 'message',
        onError: 'error', offError: 'error', onClose: 'close', offClose: 'close'
      }
    },
    wx: {
      global: {
        connectSocket: 'c', sendSocketMessage: 'c', closeSocket: 'c',
        onSocketOpen: 'open', onSocketMessage: 'message', onSocketError: 'error', onSocketClose: 'close'
      },
      task: { send: 'c', close: 'c', onOpen: 'open', onMessage: 'message', onError: 'error', onClose: 'close' }
    },
    tt: {
      global: { connectSocket: 'c' },
      task: { send: 'c', close: 'c', onOpen: 'open', onMessage: 'message', onError: 'error', onClose: 'close' }
    }
  };

  /** How many pings measure the round trip at start. */
  var PINGS = 5;
  /** How many failed polls in a row end the agent. */
  var MAX_POLL_FAILURES = 5;

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function now() {
    return Date.now();
  }

  // ---------------------------------------------------------------- base64

  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  var LOOKUP = {};
  (function () {
    for (var i = 0; i < ALPHABET.length; i += 1) LOOKUP[ALPHABET.charAt(i)] = i;
  }());

  /** Standard base64 of a Uint8Array. */
  function encodeBase64(bytes) {
    var out = [];
    var i;
    for (i = 0; i + 2 < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out.push(ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) +
        ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63));
    }
    var rest = bytes.length - i;
    if (rest === 1) {
      var a = bytes[i] << 16;
      out.push(ALPHABET.charAt(a >> 18) + ALPHABET.charAt((a >> 12) & 63) + '==');
    } else if (rest === 2) {
      var b = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out.push(ALPHABET.charAt(b >> 18) + ALPHABET.charAt((b >> 12) & 63) + ALPHABET.charAt((b >> 6) & 63) + '=');
    }
    return out.join('');
  }

  /** The ArrayBuffer base64 text stands for (throws on what is not base64). */
  function decodeBase64(text) {
    var clean = text.replace(/=+$/, '');
    if (/[^A-Za-z0-9+\/]/.test(clean) || clean.length % 4 === 1) throw new ProtocolError('"$binary" is not base64');
    var bytes = new Uint8Array(Math.floor(clean.length * 3 / 4));
    var j = 0;
    for (var i = 0; i < clean.length; i += 4) {
      var n = (LOOKUP[clean.charAt(i)] << 18) | (LOOKUP[clean.charAt(i + 1)] << 12) |
        ((i + 2 < clean.length ? LOOKUP[clean.charAt(i + 2)] : 0) << 6) |
        (i + 3 < clean.length ? LOOKUP[clean.charAt(i + 3)] : 0);
      bytes[j++] = (n >> 16) & 255;
      if (i + 2 < clean.length) bytes[j++] = (n >> 8) & 255;
      if (i + 3 < clean.length) bytes[j++] = n & 255;
    }
    return bytes.buffer;
  }

  /** `{ "$binary": "<base64>" }` anywhere in a request's arguments becomes an ArrayBuffer. */
  function fromWire(value) {
    if (Array.isArray(value)) {
      var list = [];
      for (var i = 0; i < value.length; i += 1) list.push(fromWire(value[i]));
      return list;
    }
    if (value !== null && typeof value === 'object') {
      var keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === '$binary' && typeof value.$binary === 'string') {
        return decodeBase64(value.$binary);
      }
      var out = {};
      for (var k = 0; k < keys.length; k += 1) out[keys[k]] = fromWire(value[keys[k]]);
      return out;
    }
    return value;
  }

  function isArrayBuffer(value) {
    return typeof ArrayBuffer !== 'undefined' &&
      (value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]');
  }

  /** An ArrayBuffer (or a view) in a payload goes back as `{ "$binary": "<base64>" }`. */
  function toWire(value) {
    if (isArrayBuffer(value)) return { $binary: encodeBase64(new Uint8Array(value)) };
    if (typeof ArrayBuffer !== 'undefined' && ArrayBuffer.isView && ArrayBuffer.isView(value)) {
      return { $binary: encodeBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
    }
    if (Array.isArray(value)) {
      var list = [];
      for (var i = 0; i < value.length; i += 1) list.push(toWire(value[i]));
      return list;
    }
    if (value !== null && typeof value === 'object') {
      var out = {};
      var keys = Object.keys(value);
      for (var k = 0; k < keys.length; k += 1) {
        if (typeof value[keys[k]] !== 'function') out[keys[k]] = toWire(value[keys[k]]);
      }
      return out;
    }
    return value === undefined ? null : value;
  }

  // --------------------------------------------------------------- session

  /** A request the agent refuses: an error response, never an API call. */
  function ProtocolError(message) {
    this.message = message;
  }
  ProtocolError.prototype.toString = function () {
    return this.message;
  };

  /**
   * The dispatch of requests to the platform object, as
   * connectsocket-common/protocol's Session does it for the stdio adapters:
   * same requests, same events, same order. `host` is the agent's options
   * and `write(message)` its outbox.
   */
  function Session(host, write, log) {
    this.host = host;
    this.write = write;
    this.log = log;
    this.config = null;
    this.face = host.face || 'my';
    this.api = null;
    // Bumped by every reset: a function of an older generation reports nothing.
    this.generation = 0;
    this.clear();
  }

  Session.prototype.clear = function () {
    this.tasks = {};
    this.taskList = [];
    this.nextTask = 1;
    this.listeners = {};
    this.listenerBodies = {};
    this.added = [];
    this.usedGlobalSocket = false;
  };

  /** Answers one request (a parsed JSON value). */
  Session.prototype.handle = function (request) {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      this.write({ id: null, ok: false, error: 'a request must be a JSON object' });
      return;
    }
    var id = typeof request.id === 'number' && request.id >= 0 && Math.floor(request.id) === request.id ? request.id : null;
    if (id === null) {
      this.write({ id: null, ok: false, error: 'a request needs an unsigned integer "id"' });
      return;
    }
    if (request.op === 'hello') this.hello(id, request);
    else if (request.op === 'call') this.call(request, null);
    else if (request.op === 'reset') this.reset(id, request);
    else if (request.op === 'shutdown') this.shutdown(id);
    else this.write({ id: id, ok: false, error: 'unknown op ' + JSON.stringify(request.op) });
  };

  /** `{ config }`, or `{ error }` for a config the protocol does not allow. */
  function checkConfig(config) {
    if (config === undefined) return { config: {} };
    if (config === null || typeof config !== 'object' || Array.isArray(config)) return { error: 'config must be an object' };
    var keys = Object.keys(config);
    for (var i = 0; i < keys.length; i += 1) {
      if (CONFIG_KEYS.indexOf(keys[i]) < 0) return { error: 'unknown config keys: ' + keys[i] };
    }
    return { config: config };
  }

  /** The config keys the host cannot honour, with the reason of each. */
  Session.prototype.cannot = function () {
    var host = this.host;
    if (host.unsupported) return host.unsupported;
    if (typeof host.create === 'function') return {};
    var reasons = {};
    for (var i = 0; i < CONFIG_KEYS.length; i += 1) {
      if (CONFIG_KEYS[i] !== 'caCertificatesPem') {
        reasons[CONFIG_KEYS[i]] = 'the runtime\'s own `' + this.face + '` cannot be configured';
      }
    }
    return reasons;
  };

  Session.prototype.hello = function (id, request) {
    if (request.protocol !== PROTOCOL) {
      this.write({ id: id, ok: false, error: 'protocol ' + JSON.stringify(request.protocol) + ' is not supported (1 is)' });
      return;
    }
    var checked = checkConfig(request.config);
    if (checked.error) {
      this.write({ id: id, ok: false, error: checked.error });
      return;
    }
    var host = this.host;
    if (typeof host.create === 'function' && has(PROFILE_FACES, String(request.profile))) {
      this.face = PROFILE_FACES[request.profile];
    }
    this.profile = request.profile;
    try {
      this.config = checked.config;
      this.fresh();
    } catch (err) {
      this.config = null;
      this.api = null;
      this.write({ id: id, ok: false, error: 'config refused: ' + (err && err.message ? err.message : err) });
      return;
    }
    var reasons = this.cannot();
    var unsupported = Object.keys(reasons);
    for (var i = 0; i < unsupported.length; i += 1) {
      this.log('cannot honour ' + unsupported[i] + ': ' + reasons[unsupported[i]]);
    }
    var result = {
      name: 'agent:' + (host.name || this.face),
      version: VERSION + (host.version ? ' (' + host.version + ')' : ''),
      protocol: PROTOCOL,
      unsupported: unsupported
    };
    if (this.face !== 'my') result.api = this.face;
    if (host.quietMs > 0) result.quietMs = host.quietMs;
    this.write({ id: id, ok: true, result: result });
  };

  /**
   * A fresh implementation (a host that makes them), or the platform's own:
   * what the last scenario left is ended first (by the host's `destroy`,
   * else by closing it), and reports nothing (an older generation).
   */
  Session.prototype.fresh = function () {
    this.generation += 1;
    var host = this.host;
    var old = this.api;
    if (old) {
      if (typeof host.create === 'function' && typeof host.destroy === 'function') host.destroy(old);
      else this.endEverything();
    }
    this.clear();
    this.api = null;
    if (typeof host.create === 'function') {
      this.api = host.create(this.config, this.face, this.profile);
      if (this.api === null || typeof this.api !== 'object') throw new Error('create() returned no ' + this.face + ' object');
    } else {
      this.api = host.platform;
    }
  };

  /**
   * Ends what a scenario left on the platform's own object: its listeners
   * removed where `off*` exists, its tasks closed; their events are not
   * reported (an older generation).
   */
  Session.prototype.endEverything = function () {
    var api = this.api;
    if (!api) return;
    var i;
    for (i = 0; i < this.added.length; i += 1) {
      var added = this.added[i];
      var off = 'off' + added.method.slice(2);
      try {
        if (typeof added.object[off] === 'function') added.object[off](added.fn);
      } catch (err) {
        this.log('reset: ' + off + ' threw: ' + err);
      }
    }
    for (i = 0; i < this.taskList.length; i += 1) {
      try {
        if (typeof this.taskList[i].close === 'function') this.taskList[i].close({});
      } catch (err2) {
        this.log('reset: close threw: ' + err2);
      }
    }
    if (this.usedGlobalSocket && typeof api.closeSocket === 'function') {
      try {
        api.closeSocket({});
      } catch (err3) {
        this.log('reset: closeSocket threw: ' + err3);
      }
    }
  };

  Session.prototype.reset = function (id, request) {
    if (request.config !== undefined) {
      var checked = checkConfig(request.config);
      if (checked.error) {
        this.write({ id: id, ok: false, error: checked.error });
        return;
      }
      if (this.config === null) {
        this.write({ id: id, ok: false, error: 'reset with a config before hello' });
        return;
      }
      this.config = checked.config;
    }
    try {
      if (this.config !== null) this.fresh();
    } catch (err) {
      this.write({ id: id, ok: false, error: 'config refused: ' + (err && err.message ? err.message : err) });
      return;
    }
    this.write({ id: id, ok: true, result: {} });
  };

  Session.prototype.shutdown = function (id) {
    this.generation += 1;
    var host = this.host;
    if (this.api && typeof host.create === 'function' && typeof host.destroy === 'function') host.destroy(this.api);
    else this.endEverything();
    this.api = null;
    this.config = null;
    this.clear();
    this.write({ id: id, ok: true, result: {} });
  };

  /** The target of a call: the global object, a task handle, or `$returned`. */
  Session.prototype.resolve = function (target, returned) {
    if (target === this.face) return { name: target, object: this.api, isTask: false };
    if (target === '$returned') {
      if (!returned || !has(this.tasks, returned)) {
        throw new ProtocolError('"$returned": the enclosing call returned no SocketTask');
      }
      return { name: returned, object: this.tasks[returned], isTask: true };
    }
    if (typeof target === 'string' && has(this.tasks, target)) {
      return { name: target, object: this.tasks[target], isTask: true };
    }
    throw new ProtocolError('unknown target ' + JSON.stringify(target));
  };

  /** One function object per (target, event type, name), shared by on* and off*. */
  Session.prototype.listenerFunction = function (target, type, name) {
    var key = target + '\u0000' + type + '\u0000' + name;
    if (has(this.listeners, key)) return this.listeners[key];
    var session = this;
    var generation = this.generation;
    var fn = function (res) {
      if (session.generation !== generation || session.listeners[key] !== fn) return;
      session.write({ event: 'listener', target: target, listener: name, type: type, res: toWire(res) });
      if (has(session.listenerBodies, key)) {
        var body = session.listenerBodies[key];
        delete session.listenerBodies[key];
        for (var i = 0; i < body.length; i += 1) session.call(body[i], null);
      }
    };
    this.listeners[key] = fn;
    return fn;
  };

  /** The handle of a returned SocketTask: t1, t2, … since the last reset. */
  Session.prototype.nameTask = function (task) {
    for (var i = 0; i < this.taskList.length; i += 1) {
      if (this.taskList[i] === task) return 't' + (i + 1);
    }
    this.taskList.push(task);
    var handle = 't' + this.taskList.length;
    this.tasks[handle] = task;
    return handle;
  };

  /** Runs one call (a request or a nested one), writes its response, then its `then` calls. */
  Session.prototype.call = function (request, returned) {
    var id = typeof request.id === 'number' ? request.id : null;
    var outcome;
    try {
      outcome = this.invoke(request, id, returned);
    } catch (err) {
      var protocol = err instanceof ProtocolError;
      if (!protocol) this.log('call ' + id + ' threw: ' + (err && err.stack ? err.stack : err));
      this.write({ id: id, ok: false, error: protocol ? err.message : 'the method threw: ' + err });
      return;
    }
    this.write({ id: id, ok: true, result: { returned: outcome.handle ? { task: outcome.handle } : null } });
    var then = Array.isArray(request.then) ? request.then : [];
    for (var i = 0; i < then.length; i += 1) this.call(then[i], outcome.handle);
  };

  Session.prototype.invoke = function (request, id, returned) {
    if (id === null) throw new ProtocolError('a call needs an unsigned integer "id"');
    if (this.api === null) throw new ProtocolError('no `hello` yet: the implementation is not set up');
    var target = this.resolve(request.target, returned);
    var method = request.method;
    var methods = FACES[this.face][target.isTask ? 'task' : 'global'];
    if (typeof method !== 'string' || !has(methods, method)) {
      throw new ProtocolError('unknown method ' + JSON.stringify(method) + ' on ' +
        (target.isTask ? 'a SocketTask' : JSON.stringify(target.name)));
    }
    var kind = methods[method];
    var state = { returned: false, handle: null };
    var args;
    var fn = null;
    if (kind !== 'c') {
      if (request.noArgument || request.listener === undefined || request.listener === null) {
        args = [];
      } else {
        if (typeof request.listener !== 'string') throw new ProtocolError('"listener" must be a string');
        fn = this.listenerFunction(target.name, kind, request.listener);
        args = [fn];
        var body = request.within && Array.isArray(request.within.listener) ? request.within.listener : [];
        if (body.length > 0 && method.slice(0, 2) === 'on') {
          this.listenerBodies[target.name + '\u0000' + kind + '\u0000' + request.listener] = body;
        }
      }
    } else if (request.noArgument) {
      args = [];
    } else {
      var within = request.within && typeof request.within === 'object' ? request.within : {};
      var given = request.args === undefined ? {} : fromWire(request.args);
      if (given !== null && typeof given === 'object' && !Array.isArray(given)) {
        var kinds = ['success', 'fail', 'complete'];
        for (var k = 0; k < kinds.length; k += 1) {
          given[kinds[k]] = this.callback(id, kinds[k], state, Array.isArray(within[kinds[k]]) ? within[kinds[k]] : []);
        }
      }
      args = [given];
    }
    if (typeof target.object[method] !== 'function') {
      throw new ProtocolError('the runtime has no ' + method + ' on ' + (target.isTask ? 'its SocketTask' : this.face));
    }
    var result = target.object[method].apply(target.object, args);
    state.returned = true;
    if (fn && method.slice(0, 2) === 'on') this.added.push({ object: target.object, method: method, fn: fn });
    if (!target.isTask && (method === 'connectSocket' || method === 'sendSocketMessage')) this.usedGlobalSocket = true;
    if (result !== null && typeof result === 'object' && typeof result.then !== 'function') {
      state.handle = this.nameTask(result);
    }
    return state;
  };

  /** success / fail / complete of call `id`: reports, then runs its `within` calls. */
  Session.prototype.callback = function (id, kind, state, nested) {
    var session = this;
    var generation = this.generation;
    return function (res) {
      if (session.generation !== generation) return;
      var event = { event: 'callback', call: id, kind: kind, res: toWire(res === undefined ? null : res) };
      if (!state.returned) event.sync = true;
      session.write(event);
      for (var i = 0; i < nested.length; i += 1) session.call(nested[i], state.handle);
    };
  };

  // ------------------------------------------------------------ transport

  /**
   * The agent: joins the runner with the token, measures the round trip,
   * then polls for requests and posts what the session writes, in order.
   */
  function Agent(options) {
    if (!options || typeof options.url !== 'string') throw new Error('start() needs options.url, the runner\'s agent URL');
    if (typeof options.token !== 'string') throw new Error('start() needs options.token, the token the runner printed');
    if (typeof options.request !== 'function') throw new Error('start() needs options.request, an HTTP function (see requestVia)');
    if (!options.platform && typeof options.create !== 'function') throw new Error('start() needs options.platform (my, wx or tt) or options.create');
    if (options.face && !has(FACES, options.face)) throw new Error('unknown face ' + JSON.stringify(options.face) + ' (my, wx or tt)');
    this.options = options;
    this.base = options.url.replace(/\/+$/, '');
    this.sessionId = null;
    this.outbox = [];
    this.sent = 0;
    // Requests performed so far: the next poll acknowledges them.
    this.received = 0;
    this.posting = false;
    this.stopped = false;
    this.state = { phase: 'joining', scenarios: 0, requests: 0, last: '', error: null };
    var agent = this;
    this.session = new Session(options, function (message) {
      agent.queue(message);
    }, function (text) {
      agent.queue({ event: 'log', text: String(text) });
    });
  }

  Agent.prototype.progress = function (changes) {
    var keys = Object.keys(changes);
    for (var i = 0; i < keys.length; i += 1) this.state[keys[i]] = changes[keys[i]];
    if (typeof this.options.onProgress === 'function') {
      try {
        this.options.onProgress(this.state);
      } catch (err) {
        // a progress display never stops the agent
      }
    }
  };

  /** POSTs `body` (an object) to `path`; `done(error, object)`. */
  Agent.prototype.post = function (path, body, done) {
    this.options.request('POST', this.base + path, JSON.stringify(body), function (error, status, text) {
      if (error) {
        done(String(error));
        return;
      }
      var parsed = null;
      try {
        parsed = typeof text === 'string' ? JSON.parse(text) : text;
      } catch (err) {
        done('HTTP ' + status + ': the runner answered with no JSON');
        return;
      }
      if (status !== 200) {
        done('HTTP ' + status + ': ' + (parsed && parsed.error ? parsed.error : text));
        return;
      }
      done(null, parsed);
    });
  };

  Agent.prototype.fail = function (error) {
    this.stopped = true;
    this.progress({ phase: 'stopped', error: error });
    if (typeof this.options.onFinish === 'function') this.options.onFinish(error);
  };

  Agent.prototype.start = function () {
    var agent = this;
    this.post('/join', { token: this.options.token, face: this.session.face }, function (error, answer) {
      if (error) {
        agent.fail('the runner refused the agent: ' + error);
        return;
      }
      agent.sessionId = answer.session;
      agent.measure(0, 0, function (worst) {
        // An event waits for the post in flight, then takes its own: two
        // round trips, with room for a slow one.
        if (!(agent.options.quietMs > 0)) agent.options.quietMs = Math.max(20, Math.ceil(worst * 3) + 10);
        agent.progress({ phase: 'running', roundTripMs: worst });
        agent.poll(0);
      });
    });
  };

  /** Pings the runner PINGS times; `done(worst round trip in ms)`. */
  Agent.prototype.measure = function (count, worst, done) {
    if (count >= PINGS) {
      done(worst);
      return;
    }
    var agent = this;
    var sent = now();
    this.post('/ping', { session: this.sessionId, at: sent }, function (error) {
      var took = now() - sent;
      agent.measure(count + 1, error ? worst : Math.max(worst, took), done);
    });
  };

  Agent.prototype.poll = function (failures) {
    if (this.stopped) return;
    var agent = this;
    this.post('/poll', { session: this.sessionId, next: this.received }, function (error, answer) {
      if (agent.stopped) return;
      if (error) {
        if (failures + 1 >= MAX_POLL_FAILURES || /^HTTP 4/.test(error)) {
          agent.fail('polling the runner failed: ' + error);
          return;
        }
        setTimeout(function () {
          agent.poll(failures + 1);
        }, 200 * (failures + 1));
        return;
      }
      var requests = answer && Array.isArray(answer.requests) ? answer.requests : [];
      var first = answer && typeof answer.first === 'number' ? answer.first : agent.received;
      for (var i = 0; i < requests.length; i += 1) {
        // A request sent again (its poll's answer was lost) is not performed twice.
        if (first + i < agent.received) continue;
        agent.received = first + i + 1;
        agent.perform(requests[i]);
      }
      if (answer && answer.stop) {
        agent.finish(answer.reason || 'the run ended');
        return;
      }
      agent.poll(0);
    });
  };

  /** Performs one request; a throw anywhere becomes an error response, never the agent's end. */
  Agent.prototype.perform = function (request) {
    var change = { requests: this.state.requests + 1 };
    if (request && request.op === 'reset') change.scenarios = this.state.scenarios + 1;
    if (request && request.op === 'call') change.last = request.target + '.' + request.method;
    this.progress(change);
    try {
      this.session.handle(request);
    } catch (err) {
      this.queue({
        id: request && typeof request.id === 'number' ? request.id : null,
        ok: false,
        error: 'internal error: ' + (err && err.message ? err.message : err)
      });
    }
    if (request && request.op === 'shutdown') this.finishing = true;
  };

  /** Queues one protocol message with the platform's timestamp, and posts. */
  Agent.prototype.queue = function (message) {
    this.outbox.push({ at: now(), message: message });
    this.flush();
  };

  /** Posts every queued message, one post at a time, so they arrive in order. */
  Agent.prototype.flush = function () {
    if (this.posting || this.outbox.length === 0 || this.sessionId === null) return;
    var batch = this.outbox.slice(0);
    var agent = this;
    this.posting = true;
    this.post('/events', { session: this.sessionId, seq: this.sent, messages: batch }, function (error) {
      agent.posting = false;
      if (error) {
        if (/^HTTP 4/.test(error)) {
          agent.fail('the runner refused events: ' + error);
          return;
        }
        // Sent again with the same seq: the runner drops what it has.
        setTimeout(function () {
          agent.flush();
        }, 200);
        return;
      }
      agent.outbox.splice(0, batch.length);
      agent.sent += batch.length;
      if (agent.outbox.length > 0) agent.flush();
      else if (agent.finishing) agent.finish('shut down by the runner');
    });
  };

  Agent.prototype.finish = function (reason) {
    if (this.stopped) return;
    this.stopped = true;
    this.progress({ phase: 'finished', error: null, reason: reason });
    if (typeof this.options.onFinish === 'function') this.options.onFinish(null, reason);
  };

  // ------------------------------------------------------- HTTP functions

  /**
   * HTTP functions for `options.request`: `(method, url, body, done)` with
   * `done(error, status, text)`. Each sends the body as text and reads the
   * answer as text.
   */
  function viaMiniProgram(api, statusKey, headerKey) {
    return function (method, url, body, done) {
      var options = {
        url: url,
        method: method,
        data: body,
        dataType: 'text',
        responseType: 'text',
        timeout: 60000,
        success: function (res) {
          done(null, res[statusKey], res.data);
        },
        fail: function (res) {
          done((res && (res.errMsg || res.errorMessage || res.error)) || 'request failed');
        }
      };
      options[headerKey] = { 'content-type': 'text/plain' };
      api.request(options);
    };
  }

  var requestVia = {
    /** Alipay: `my.request` (`headers`, `res.status`). */
    alipay: function (my) {
      return viaMiniProgram(my, 'status', 'headers');
    },
    /** WeChat: `wx.request` (`header`, `res.statusCode`). */
    wechat: function (wx) {
      return viaMiniProgram(wx, 'statusCode', 'header');
    },
    /** Douyin: `tt.request` (as WeChat's). */
    douyin: function (tt) {
      return viaMiniProgram(tt, 'statusCode', 'header');
    },
    /** A page: `fetch` (a text/plain body needs no CORS preflight). */
    fetch: function (fetchFunction) {
      return function (method, url, body, done) {
        fetchFunction(url, { method: method, body: body, headers: { 'content-type': 'text/plain' } }).then(function (res) {
          return res.text().then(function (text) {
            done(null, res.status, text);
          });
        }, function (err) {
          done(String(err && err.message ? err.message : err));
        });
      };
    }
  };

  /** Starts an agent with `options` (see the top of this file); returns it. */
  function start(options) {
    var agent = new Agent(options);
    agent.start();
    return agent;
  }

  var exported = {
    start: start,
    requestVia: requestVia,
    Session: Session,
    FACES: FACES,
    PROFILE_FACES: PROFILE_FACES,
    CONFIG_KEYS: CONFIG_KEYS,
    encodeBase64: encodeBase64,
    decodeBase64: decodeBase64,
    VERSION: VERSION
  };
  if (typeof module === 'object' && module && module.exports) module.exports = exported;
  else if (root) root.ConnectSocketAgent = exported;
}(typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : this));
