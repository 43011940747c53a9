'use strict';
// Runs in the page: the entry of the page runtime the adapter bundles
// (../src/scripts.js) and evaluates in every fresh page before the
// implementation bundle. It defines `globalThis.__conformancePage.install`,
// which the adapter calls next: that sets up `globalThis.myHost`
// (./my-host.js) and `globalThis.__conformance`, through which the adapter
// hands the page each request and the host channel's news, and starts the
// protocol session (connectsocket-common/protocol) over the bundle's `my`.

const { Session, PROFILE_APIS, servedProfile } = require('connectsocket-common/protocol');
const { encodeBase64, decodeBase64 } = require('connectsocket-common/base64');
const { createMyHost } = require('./my-host');

/**
 * Sets up `globalThis.myHost` and `globalThis.__conformance` for the page
 * of `generation`, with the hello `config`; the page writes protocol
 * messages through the Runtime binding named `binding`, tagged with its
 * generation so that the adapter drops anything a replaced page still sends.
 */
function install(generation, config, binding) {
  const send = globalThis[binding];
  const write = (message) => send(JSON.stringify([generation, message]));
  const log = (text) => write({ event: 'log', text: String(text) });
  const { myHost, deliver } = createMyHost(config, write);

  let session = null;
  globalThis.myHost = myHost;
  globalThis.__conformance = {
    deliver,
    /**
     * Makes the protocol session over the bundle's `globalThis.my` (or
     * `globalThis.wx`: the face `hello`'s profile names, else `defaultApi`);
     * with a config (a reset), the session is set up as after that `hello`.
     */
    start(helloConfig, defaultApi, helloProfile, instances) {
      const info = globalThis.myImplementation || {};
      session = new Session({
        write,
        log,
        // How many pages (instances) the adapter holds: `instances` in the hello result.
        instances,
        // An event goes page → DevTools binding → adapter → runner; with many
        // pages in one renderer on a busy machine that can take tens of ms
        // (`quietMs` in the hello result: settle windows are no shorter).
        quietMs: 200,
        api: (profile) => (Object.hasOwn(PROFILE_APIS, String(profile)) ? PROFILE_APIS[profile] : defaultApi),
        createMy(_config, api) {
          const my = globalThis[api];
          if (my === null || typeof my !== 'object') throw new Error(`the implementation bundle did not define globalThis.${api}`);
          return my;
        },
        // The adapter replaces the whole page on reset: the page's sockets end with it.
        destroyMy() {},
        isTask: (value) => value !== null && typeof value === 'object',
        // `{ "$binary": … }` of a request: an ArrayBuffer.
        decodeBase64: (text) => decodeBase64(text).buffer,
        encodeBase64,
        hello: () => ({
          name: `browser:${typeof info.name === 'string' ? info.name : 'impl'}`,
          version: `${typeof info.version === 'string' ? info.version : '0.0.0'} (${navigator.userAgent.match(/Chrome\/[\d.]+/) || 'browser'})`,
          unsupported: Array.isArray(info.unsupported) ? info.unsupported.filter((k) => typeof k === 'string') : [],
        }),
        shutdown(id) {
          write({ id, ok: true, result: {} });
        },
      });
      if (helloConfig) {
        session.api = session.host.api(helloProfile);
        session.profile = servedProfile(helloProfile, session.api);
        session.config = helloConfig;
        session.resetState();
      }
    },
    /** One request of the adapter protocol. */
    handle(request) {
      try {
        session.handle(request);
      } catch (err) {
        log(`request failed: ${err && err.stack ? err.stack : err}`);
        write({ id: Number.isInteger(request && request.id) ? request.id : null, ok: false, error: `internal error: ${err && err.message}` });
      }
    },
  };
}

globalThis.__conformancePage = { install };
