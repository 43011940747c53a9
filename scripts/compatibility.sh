#!/usr/bin/env bash
# Regenerates docs/compatibility.md: installs the third-party implementations
# (npm ci in adapters/thirdparty, pinned by its package-lock.json), bundles
# them (npm run build), builds the runner in release mode, and runs the suite
# against each implementation and reference (adapters/thirdparty/compatibility.js).
#
#   scripts/compatibility.sh                 # everything (about 2 minutes on 2 cores)
#   scripts/compatibility.sh --only uni-h5   # arguments go to compatibility.js
#
# CONFORMANCE_BIN=/path/to/connectsocket-conformance skips the cargo build.
# Needs Node.js 20+, cargo, chromium and certutil (see adapters/browser/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci again whenever the lockfile is newer than what was installed.
if [ ! -f adapters/thirdparty/node_modules/.package-lock.json ] ||
   [ adapters/thirdparty/package-lock.json -nt adapters/thirdparty/node_modules/.package-lock.json ]; then
  (cd adapters/thirdparty && npm ci --no-audit --no-fund)
fi
(cd adapters/thirdparty && npm run --silent build)

if [ -n "${CONFORMANCE_BIN:-}" ]; then
  runner="$CONFORMANCE_BIN"
else
  cargo build --release --locked -p runner --bin connectsocket-conformance
  runner="${CARGO_TARGET_DIR:-target}/release/connectsocket-conformance"
fi

exec node adapters/thirdparty/compatibility.js --runner "$runner" "$@"
