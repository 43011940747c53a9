'use strict';
// The adapter protocol's Config (docs/adapter-protocol.md): its keys, their
// defaults and wire types, and a config with the defaults filled in.

/** The defaults of the adapter protocol's Config, one entry per key. */
const DEFAULT_CONFIG = Object.freeze({
  caCertificatesPem: '',
  connectTimeoutMs: 30000,
  closeTimeoutMs: 5000,
  maxMessageBytes: 16 * 1024 * 1024,
  maxTasks: 5,
  wssOnly: false,
  // connect.domain: the host names a URL may name; null: no list.
  allowedHosts: null,
});

/** The keys a `hello` (or `reset`) config may hold. */
const CONFIG_KEYS = Object.freeze(Object.keys(DEFAULT_CONFIG));

/** The wire type of each config key: a string, unsigned integers, a boolean, a list of strings. */
function validConfigValue(key, value) {
  if (key === 'caCertificatesPem') return typeof value === 'string';
  if (key === 'wssOnly') return typeof value === 'boolean';
  if (key === 'allowedHosts') return Array.isArray(value) && value.every((h) => typeof h === 'string');
  return Number.isSafeInteger(value) && value >= 0;
}

/** `config` (anything) over the defaults: absent, undefined and null keys take the default. */
function normaliseConfig(config) {
  const merged = { ...DEFAULT_CONFIG };
  if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
    for (const key of CONFIG_KEYS) {
      if (config[key] !== undefined && config[key] !== null) merged[key] = config[key];
    }
  }
  return merged;
}

module.exports = { DEFAULT_CONFIG, CONFIG_KEYS, validConfigValue, normaliseConfig };
