'use strict';
// Loads a framework's layer as its mini-program build does, once per
// instance: the layer's entry (src/layers/) is bundled with the framework's
// build-time constants and aliases (implementations.js) into one CommonJS
// body, compiled once per process, and run once per instance with that
// instance's platform object as the free variable `my` or `wx` and the app
// globals of src/stubs.js. The layers bind the platform when they load
// (Taro copies every function of `my`, uni-app's Proxy reads `my`, …), so
// each instance gets its own module instance: nothing is shared between two
// instances but the compiled code.

const path = require('node:path');
const vm = require('node:vm');
const { ROOT, installedVersion } = require('../implementations');
const { appGlobals, APP_GLOBAL_NAMES } = require('./stubs');

/** The free variables a layer's body gets: the platform object, then the app globals. */
function parameterNames(layer) {
  return ['exports', 'module', layer.build, ...APP_GLOBAL_NAMES];
}

/** The esbuild options of `layer`, its version constant and aliases resolved. */
function buildOptions(layer) {
  const { defineVersion, alias, ...extra } = layer.esbuild;
  const version = layer.packages.length > 0 ? installedVersion(layer.packages[0]) : null;
  if (layer.packages.length > 0 && !version) {
    throw new Error(`${layer.packages[0]} is not installed: run \`npm ci --prefix ${ROOT}\` once`);
  }
  return {
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, layer.entry)],
    bundle: true,
    write: false,
    format: 'cjs',
    // A mini-program's JavaScript runtime is no Node.js: no built-in modules, no `process`.
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
    ...extra,
    alias: typeof alias === 'function' ? alias() : alias,
    define: {
      'process.env.NODE_ENV': '"production"',
      ...(extra.define || {}),
      ...(defineVersion ? { [defineVersion]: JSON.stringify(version) } : {}),
    },
  };
}

/** The layer's body as one CommonJS script (esbuild, in memory). */
function bundle(layer) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync(buildOptions(layer));
  return result.outputFiles[0].text;
}

/**
 * The layer compiled once: `instantiate(platform)` runs a fresh module
 * instance over `platform` and returns the layer's `api` (its functions
 * under their mini-program names).
 */
function compileLayer(layer) {
  const body = vm.compileFunction(bundle(layer), parameterNames(layer), { filename: `layer:${layer.id}` });
  return {
    instantiate(platform) {
      const module = { exports: {} };
      body.call(undefined, module.exports, module, platform, ...appGlobals());
      if (!module.exports.api) throw new Error(`${layer.entry} exports no \`api\``);
      return module.exports.api;
    },
  };
}

module.exports = { compileLayer, bundle, buildOptions };
