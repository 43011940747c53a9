'use strict';
// What the layers read that is no part of the socket API and that a
// mini-program runtime has and Node.js does not. Each stub is the least the
// layers need to load and run their socket functions; none of them touches a
// socket, and a layer's socket calls reach the platform unchanged.

/**
 * Functions added to the platform object (`my` / `wx`) before a layer loads:
 * - `canIUse(name)`: uni-app asks at load (`my.canIUse('request')`,
 *   `'page.getOpenerEventChannel'`, …); true exactly for the functions the
 *   platform object has, false for `a.b` schemas (no pages here);
 * - `getSystemInfoSync()`: uni-app reads the host's language from it; an
 *   English host with nothing else.
 */
function platformStubs(platform) {
  return {
    canIUse: (name) => typeof name === 'string' && !name.includes('.') && typeof platform[name] === 'function',
    getSystemInfoSync: () => ({ language: 'en', platform: 'node', SDKVersion: '0.0.0' }),
  };
}

/** The names of the app globals (appGlobals), in the order a layer's body takes them. */
const APP_GLOBAL_NAMES = ['getApp', 'getCurrentPages', 'requirePlugin', 'navigator'];

/**
 * The app globals a mini-program runtime defines beside `my` / `wx`, passed
 * to each layer as free variables, fresh for each instance (a layer may
 * change them): an app with no pages. `getApp` (uni-app reads
 * `getApp({ allowDefault: true })`), `getCurrentPages` (Taro copies it to
 * Taro.getCurrentPages at load), `requirePlugin` (Taro, likewise) and
 * `navigator` (Alipay's runtime has one; Taro's Alipay runtime redefines its
 * `userAgent` at load).
 */
function appGlobals() {
  const globals = {
    getApp: () => undefined,
    getCurrentPages: () => [],
    requirePlugin: () => undefined,
    navigator: { userAgent: '' },
  };
  return APP_GLOBAL_NAMES.map((name) => globals[name]);
}

module.exports = { platformStubs, appGlobals, APP_GLOBAL_NAMES };
