'use strict';
// mqtt.js as a mini-program loads it: its browser bundle (dist/mqtt.js, the
// build whose Buffer is its own polyfill), run as one script with the
// platform object as the free variable `wx` (the `wx` transport calls
// `wx.connectSocket`); the `ali` transport takes `my` from its options
// (`opts.my`). Its `process` polyfill reads `navigator.language` at load,
// which Node.js 20 lacks: the script gets a `navigator` of its own, as the
// mini-program runtimes define one. Node.js's own build of mqtt.js hands the transports slices
// of Node's pooled ArrayBuffer (`chunk.buffer` is the whole pool), which no
// platform could send as the packet.

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(path.dirname(require.resolve('mqtt/package.json')), 'dist', 'mqtt.js');

let compiled = null;

/** A fresh instance of the bundle's `mqtt` (its transports keep module state) with `wx` as given. */
function loadMqtt({ wx } = {}) {
  if (!compiled) {
    compiled = vm.compileFunction(`${fs.readFileSync(BUNDLE, 'utf8')}\nreturn mqtt;`, ['wx', 'navigator'], { filename: BUNDLE });
  }
  return compiled.call(undefined, wx, { language: 'en', userAgent: '' });
}

/** The installed mqtt.js version. */
function mqttVersion() {
  return require('mqtt/package.json').version;
}

module.exports = { loadMqtt, mqttVersion };
