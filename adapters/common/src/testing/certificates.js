'use strict';
// Certificates for the adapters' TLS tests, made with the openssl CLI in a
// temporary folder: a test CA, one key for 127.0.0.1, and leaves of that key
// (valid, expired, for another host) signed by the CA or by themselves.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The openssl arguments of a new P-256 key, unencrypted. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes a test CA (`commonName`) and a key with a signing request for
 * 127.0.0.1 in a new temporary folder. Returns the PEM texts `ca` and `key`,
 * `leaf(…)` and `selfSigned()` to make certificates of that key, and
 * `remove()`, which deletes the folder. Throws when openssl fails (or is
 * missing).
 */
function makeTestAuthority(commonName = 'connectsocket test CA') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectsocket-test-ca-'));
  const file = (name) => path.join(dir, name);
  const read = (name) => fs.readFileSync(file(name), 'utf8');
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let made = 0;
  try {
    openssl('req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', `/CN=${commonName}`,
      '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    openssl('req', ...EC_KEY, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    /** The CA's certificate. */
    ca: read('ca.pem'),
    /** The leaves' private key. */
    key: read('leaf.key'),
    /**
     * A certificate of the key, signed by the CA, for `subjectAltName`
     * (openssl's syntax), valid for `days` from now (a negative number: it
     * has expired).
     */
    leaf({ subjectAltName = 'IP:127.0.0.1', days = 2 } = {}) {
      made += 1;
      const ext = `leaf-${made}.ext`;
      fs.writeFileSync(file(ext), `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\n`);
      openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
        '-set_serial', String(1000 + made), '-out', `leaf-${made}.pem`, '-days', String(days), '-extfile', ext);
      return read(`leaf-${made}.pem`);
    },
    /** A certificate of the key for 127.0.0.1, signed by itself. */
    selfSigned() {
      openssl('req', '-x509', '-key', 'leaf.key', '-out', 'self-signed.pem', '-subj', '/CN=127.0.0.1', '-days', '2',
        '-addext', 'subjectAltName=IP:127.0.0.1');
      return read('self-signed.pem');
    },
    /** Deletes the temporary folder. */
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { makeTestAuthority };
