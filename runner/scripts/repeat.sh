#!/usr/bin/env bash
# Runs the conformance scenarios N times in a row (default 20) and stops at
# the first failure: a check that no golden trace depends on timing.
# Usage: runner/scripts/repeat.sh [N] [extra libtest arguments...]
set -euo pipefail
n="${1:-20}"
shift || true
cd "$(dirname "$0")/../.."
cargo test -p runner --test conformance --no-run
start=$(date +%s)
for i in $(seq 1 "$n"); do
  if ! INSTA_UPDATE=no cargo test -q -p runner --test conformance -- "$@" >"${TMPDIR:-/tmp}/conformance-run.txt" 2>&1; then
    cat "${TMPDIR:-/tmp}/conformance-run.txt"
    echo "run $i of $n failed" >&2
    exit 1
  fi
  grep -E '^test result' "${TMPDIR:-/tmp}/conformance-run.txt" | sed "s/^/run $i: /"
done
echo "$n runs passed in $(( $(date +%s) - start )) s"
