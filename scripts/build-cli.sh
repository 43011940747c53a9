#!/usr/bin/env bash
# Builds the command line in release (once; cargo skips it when up to date)
# and prints the binary's path on stdout. Honours CARGO_TARGET_DIR and any
# cargo configuration, since the path comes from cargo's own build messages.
# Usage: scripts/build-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo build --release -p runner --bin connectsocket-conformance \
        --message-format=json-render-diagnostics \
      | grep -o '"executable":"[^"]*connectsocket-conformance[^"]*"' \
      | tail -n 1 | sed 's/^"executable":"//; s/"$//')
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "build-cli.sh: could not find the connectsocket-conformance binary in cargo's output" >&2
  exit 2
fi
printf '%s\n' "$bin"
