'use strict';
// What the context serves, made from ../spec.js (spec/spec.json): a
// profile's face (the global object, its payload and binary forms, its
// methods) with the profile's facts (the arguments it reads, the codes it
// names), the task class it returns and the functions that turn code names
// and received bytes into the payloads it reports. The core asks these
// fields, never which face or profile it serves.

const { CODES, FACES, PROFILES, optionCode, defaultProfileOf } = require('../spec');
const { arrayBufferOf } = require('../base64');
const { SocketTask, WxSocketTask } = require('./tasks');

/**
 * The implementation's own option of the [impl-defined] rules it answers
 * with a code, where a profile's source does not decide it (behaviour.md).
 */
const OWN_OPTIONS = Object.freeze({ 'connect.wss-only.code': '8' });

/** The entry of CODES named `name`; a name spec.json lacks is a bug here. */
function codeNamed(name) {
  const code = CODES[name];
  if (!code) throw new Error(`no error code ${JSON.stringify(name)} in spec/spec.json`);
  return code;
}

/**
 * The payload forms (a face's `payload`): `callbackPayload(method, code)`
 * is the `success` / `fail` object of `method` (a global name: a task's
 * send and close name their global twins), `code` a name of CODES or
 * nothing for success; `errorPayload(code)` is the object of an error event.
 */
const PAYLOADS = Object.freeze({
  errorCode: {
    callbackPayload: (method, code) => {
      if (!code) return {};
      const { code: error, message } = codeNamed(code);
      return { error, errorMessage: message };
    },
    errorPayload: (code) => {
      const { code: error, message } = codeNamed(code);
      return { error, errorMessage: message };
    },
  },
  errMsg: {
    callbackPayload: (method, code) => ({ errMsg: code ? `${method}:fail ${codeNamed(code).reason}` : `${method}:ok` }),
    errorPayload: (code) => ({ errMsg: codeNamed(code).reason }),
  },
});

/**
 * The message forms (a face's `binary`): what a listener of a received text
 * (receive.text) or binary (receive.binary) message gets.
 */
const MESSAGE_FORMS = Object.freeze({
  base64: {
    textMessage: (text) => ({ data: text, isBuffer: false }),
    binaryMessage: (bytes, codec) => ({ data: codec.encodeBase64(bytes), isBuffer: true }),
  },
  arrayBuffer: {
    textMessage: (text) => ({ data: text }),
    binaryMessage: (bytes) => ({ data: arrayBufferOf(bytes) }),
  },
});

/**
 * What the context serves under `profileName` (a key of PROFILES): the
 * fields of its face (FACES) and
 * - `profile`: the profile's name;
 * - `honoursIsBuffer`, `honoursData`, `honoursTimeout`: the arguments
 *   `isBuffer` (send: binary as base64), `data` and `timeout` (connect, ms)
 *   are read;
 * - `wrongTypeCode`: the code of a `url` (or `timeout`) of the wrong type;
 * - `singleExistsCode`: the code of a global connect while the global
 *   socket is not CLOSED;
 * - `wssOnlyCode`: the code of `ws://` under `wssOnly`;
 * - `Task`: the class of the tasks a connect makes (connect.return);
 * - the payload and message functions of its forms.
 */
function servedFace(profileName) {
  const profile = PROFILES[profileName];
  if (!profile) throw new Error(`no profile ${JSON.stringify(profileName)} in spec/spec.json`);
  const data = FACES[profile.face];
  const option = (rule) => (Object.hasOwn(profile.decidedOptions, rule) ? profile.decidedOptions[rule] : OWN_OPTIONS[rule]);
  return Object.freeze({
    ...data,
    profile: profile.name,
    honoursIsBuffer: data.binary === 'base64',
    honoursData: profile.connectArguments.includes('data'),
    honoursTimeout: profile.connectArguments.includes('timeout'),
    wrongTypeCode: profile.wrongTypeCode,
    singleExistsCode: profile.singleExistsCode,
    wssOnlyCode: optionCode('connect.wss-only.code', option('connect.wss-only.code')),
    Task: data.offMethods ? SocketTask : WxSocketTask,
    ...PAYLOADS[data.payload],
    ...MESSAGE_FORMS[data.binary],
  });
}

/** What the context serves for the face `name` under its first profile (`my`: the default profile). */
function faceOf(name) {
  return servedFace(defaultProfileOf(name));
}

/** The `my` face, under the default profile. */
const MY_FACE = faceOf('my');

/** WeChat's `wx` face, under the profile `wechat` (profiles.md). */
const WX_FACE = faceOf('wx');

module.exports = { servedFace, faceOf, MY_FACE, WX_FACE, OWN_OPTIONS };
