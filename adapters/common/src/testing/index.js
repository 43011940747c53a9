'use strict';
// What the adapters' tests share: bounded waits (./waiters.js) and test
// certificates (./certificates.js). Node.js only.

module.exports = { ...require('./waiters'), ...require('./certificates') };
