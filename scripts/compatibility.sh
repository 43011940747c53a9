#!/usr/bin/env bash
# Regenerates docs/compatibility.md: installs the third-party implementations
# (npm ci in adapters/, the adapters' npm workspaces, pinned by their
# package-lock.json), bundles
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

# npm ci (every workspace) again whenever the lockfile is newer than what was
# installed, or the install left the third-party workspace out (cargo test
# installs only the workspaces it tests).
if [ ! -f adapters/node_modules/.package-lock.json ] ||
   [ adapters/package-lock.json -nt adapters/node_modules/.package-lock.json ] ||
   [ ! -e adapters/node_modules/connectsocket-conformance-thirdparty ]; then
  (cd adapters && npm ci --no-audit --no-fund)
fi
(cd adapters/thirdparty && npm run --silent build)

if [ -n "${CONFORMANCE_BIN:-}" ]; then
  runner="$CONFORMANCE_BIN"
else
  cargo build --release --locked -p runner --bin connectsocket-conformance
  runner="${CARGO_TARGET_DIR:-target}/release/connectsocket-conformance"
fi

exec node adapters/thirdparty/compatibility.js --runner "$runner" "$@"
