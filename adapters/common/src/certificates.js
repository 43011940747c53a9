'use strict';
// The certificates of the adapter protocol's `caCertificatesPem`.

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The PEM blocks of every certificate in `caPem`, in order. Throws when it
 * holds none; whether each one parses is for the platform to say.
 */
function pemCertificates(caPem) {
  const blocks = caPem.match(PEM_CERTIFICATE) || [];
  if (blocks.length === 0) throw new Error('caCertificatesPem holds no PEM certificate');
  return blocks;
}

module.exports = { pemCertificates };
