'use strict';
// What the adapter evaluates in a fresh page, in this order:
//
//   1. runtimeScript(): the page runtime (../page/), bundled with the shared
//      protocol dispatch (connectsocket-common/protocol);
//   2. installScript(generation, config): `globalThis.myHost` (the config and
//      the host channel) and the output binding;
//   3. the implementation script (implementationScript(file)), which
//      defines `globalThis.my`;
//   4. startScript(config, …): the protocol session over `globalThis.my`.
//
// After that the adapter hands each request to `__conformance.handle(request)`
// and host-channel news to `__conformance.deliver(news)`. The page writes
// protocol messages through the binding `__conformanceSend`, tagged with its
// generation so that the adapter drops anything a page sends after it was
// replaced (reset).
//
// What runs in the page is bundled by esbuild from its sources (CommonJS
// modules) in memory, once per adapter process: no bundle is written, so
// none can be stale.

const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

/** The name of the Runtime binding the page writes protocol messages through. */
const BINDING = '__conformanceSend';

/** The entry of the page runtime. */
const RUNTIME_ENTRY = path.join(__dirname, '..', 'page', 'index.js');

/**
 * The folder of the implementations whose sources this package holds
 * (impl/my-browser.js): an `--impl` file in it is bundled, any other is a
 * classic script loaded as it is.
 */
const IMPLEMENTATION_SOURCES = path.join(__dirname, '..', 'impl');

/** Bundles made so far, by entry. */
const bundles = new Map();

/**
 * `entry` and every module it requires as one classic script (an IIFE), for
 * a page of a recent Chromium; made once per process. Throws esbuild's
 * error when a module is missing or does not parse.
 */
function bundle(entry) {
  let script = bundles.get(entry);
  if (script === undefined) {
    const result = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      // No syntax lowering: the page is a current Chromium.
      target: 'esnext',
      charset: 'utf8',
      logLevel: 'silent',
    });
    script = `${result.outputFiles[0].text}//# sourceURL=${entry}`;
    bundles.set(entry, script);
  }
  return script;
}

/** Step 1: the page runtime, which defines `globalThis.__conformancePage`. */
function runtimeScript() {
  return bundle(RUNTIME_ENTRY);
}

/** Step 2: the expression that sets up `myHost` and `__conformance` for this page. */
function installScript(generation, config) {
  const args = [generation, config, BINDING].map((v) => JSON.stringify(v));
  return `globalThis.__conformancePage.install(${args.join(', ')});`;
}

/**
 * Step 3: the implementation `file` (an absolute path) as a script: the
 * bundle of a source of IMPLEMENTATION_SOURCES, or the file as it is.
 * Throws when it cannot be read or bundled.
 */
function implementationScript(file) {
  if (path.dirname(file) === IMPLEMENTATION_SOURCES) return bundle(file);
  return `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`;
}

/**
 * Step 4: the session; `config` is null before `hello`, the instance's
 * config after a reset; `api` is the face served when `hello` names no
 * profile ("my" or "wx", from --api); `profile` is the one `hello` named;
 * `instances` how many pages the adapter holds (the hello result says it).
 */
function startScript(config, api = 'my', profile = undefined, instances = 1) {
  const args = [config, api, profile === undefined ? null : profile, instances].map((v) => JSON.stringify(v));
  return `globalThis.__conformance.start(${args.join(', ')});`;
}

module.exports = { BINDING, runtimeScript, installScript, implementationScript, startScript };
