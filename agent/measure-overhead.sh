#!/bin/sh
# The agent's overhead: the whole suite through the direct browser adapter,
# through the agent in headless Chromium and in Node.js, and through the
# direct node adapter one scenario at a time, each run's wall time as the
# runner's summary gives it. Rerun: agent/measure-overhead.sh [BINARY]
# (default target/debug/connectsocket-conformance; build it first).
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/connectsocket-conformance}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
seconds() { sed -n 's/.* scenarios in \([0-9.]*\) s$/\1/p' "$1"; }

"$BIN" run --adapter "node adapters/browser/src/adapter.js --impl adapters/browser/impl/my-browser.js" --report-dir "$OUT/r" > "$OUT/browser.txt" 2>&1 || true
"$BIN" run --adapter "node adapters/browser/src/adapter.js --impl adapters/browser/impl/my-browser.js --instances 1" --jobs 1 --report-dir "$OUT/r" > "$OUT/browser1.txt" 2>&1 || true
"$BIN" run --adapter "node adapters/node/src/adapter.js" --jobs 1 --report-dir "$OUT/r" > "$OUT/node1.txt" 2>&1 || true
for host in browser node; do
  "$BIN" run --adapter agent --report-dir "$OUT/r" > "$OUT/agent-$host.txt" 2>&1 &
  RUN=$!
  until grep -q 'token:' "$OUT/agent-$host.txt" 2>/dev/null; do sleep 0.1; done
  URL=$(sed -n 's/^ *url: *//p' "$OUT/agent-$host.txt")
  TOKEN=$(sed -n 's/^ *token: *//p' "$OUT/agent-$host.txt")
  node "agent/hosts/$host.js" "$URL" "$TOKEN" 2> "$OUT/agent-$host.err" || true
  wait "$RUN" || true
done
printf '%-48s %s\n' "run (133 scenarios)" "seconds"
printf '%-48s %s\n' "browser adapter, default (16 pages at once)" "$(seconds "$OUT/browser.txt")"
printf '%-48s %s\n' "browser adapter, one page, --jobs 1" "$(seconds "$OUT/browser1.txt")"
printf '%-48s %s\n' "agent in headless Chromium" "$(seconds "$OUT/agent-browser.txt")"
printf '%-48s %s\n' "node adapter, --jobs 1" "$(seconds "$OUT/node1.txt")"
printf '%-48s %s\n' "agent in Node.js" "$(seconds "$OUT/agent-node.txt")"
