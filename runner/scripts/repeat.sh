#!/usr/bin/env bash
# Runs the conformance scenarios N times in a row (default 20) and stops at
# the first failure: a check that no golden trace depends on timing.
# A thin wrapper over the flake check, scripts/flake-check.sh (release CLI,
# in-process reference), which has more: --load, --adapter stdio|node, counts.
# Usage: runner/scripts/repeat.sh [N] [FILTER...]   (FILTER: part of <area>::<id>)
set -euo pipefail
n="${1:-20}"
shift || true
args=()
for f in "$@"; do
  case "$f" in
    -*) echo "repeat.sh: '$f' is not supported any more; pass filters (part of <area>::<id>), or use scripts/flake-check.sh" >&2; exit 2 ;;
    *) args+=(--filter "$f") ;;
  esac
done
exec "$(dirname "$0")/../../scripts/flake-check.sh" "$n" --fail-fast "${args[@]}"
