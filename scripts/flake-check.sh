#!/usr/bin/env bash
# Flake check: runs the whole conformance suite N times (default 50) with the
# release command line and reports every run that did not pass. Zero
# failures is the bar: a golden trace must never depend on timing.
#
# Usage: scripts/flake-check.sh [N] [options]
#
#   N                  runs per adapter and load setting (default 50)
#   --load             after the unloaded runs, run N more times with every
#                      core busy (one bounded busy loop per core, per run)
#   --load-only        only the loaded runs
#   --load-per-core K  busy loops per core in loaded runs (default 1)
#   --adapter WHAT     reference (default, in process), stdio (the reference
#                      over stdio: `connectsocket-conformance serve-reference`),
#                      node (`node adapters/node/src/adapter.js`), browser
#                      (`node adapters/browser/src/adapter.js --impl
#                      adapters/browser/impl/my-browser.js`, judged against
#                      adapters/browser/baseline.json), or any adapter
#                      command line; repeatable
#   --baseline FILE    passed to the CLI: the failures FILE lists are
#                      expected (a run passes when it fails exactly those)
#   --filter TEXT      passed to the CLI (repeatable; default: every scenario)
#   --jobs N           scenarios at once (default: the CLI's, one per core)
#   --fail-fast        stop at the first failed run
#   --run-timeout S    bound on one run, in seconds (default 300)
#   --out DIR          where logs and JSON reports go (default: a new
#                      temporary directory, kept only when a run failed)
#
# Prints one line per run (pass/FAIL, time, non-passing scenarios), then the
# failures by scenario id with counts. Exit status: 0 when every run passed,
# 1 when any failed, 2 for a usage or build error. Every process it starts
# (runs, adapters, busy loops) is ended on exit, including on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

n=50
load_modes=(plain)
adapters=()
cli_args=()
fail_fast=0
per_core=1
run_timeout=300
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --load) load_modes=(plain load) ;;
    --load-only) load_modes=(load) ;;
    --adapter) adapters+=("${2:?--adapter needs a value}"); shift ;;
    --filter) cli_args+=(--filter "${2:?--filter needs a value}"); shift ;;
    --jobs) cli_args+=(--jobs "${2:?--jobs needs a value}"); shift ;;
    --baseline) cli_args+=(--baseline "${2:?--baseline needs a value}"); shift ;;
    --fail-fast) fail_fast=1 ;;
    --load-per-core) per_core="${2:?--load-per-core needs a value}"; shift ;;
    --run-timeout) run_timeout="${2:?--run-timeout needs a value}"; shift ;;
    --out) out="${2:?--out needs a value}"; shift ;;
    -h|--help) usage ;;
    [0-9]*) n="$1" ;;
    *) echo "flake-check.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
[[ ${#adapters[@]} -eq 0 ]] && adapters=(reference)

# --- processes we started, ended by the trap -------------------------------
run_sid=""      # session of the current CLI run (its adapters are inside)
busy_pids=()    # busy loops of a loaded run

stop_busy() {
  local p
  for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${busy_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  busy_pids=()
}
stop_run() {
  if [[ -n "$run_sid" ]]; then
    # The run is a session of its own: end what is left of it, by session id.
    pkill -TERM -s "$run_sid" 2>/dev/null || true
    sleep 0.2
    pkill -KILL -s "$run_sid" 2>/dev/null || true
    wait "$run_sid" 2>/dev/null || true
    run_sid=""
  fi
}
cleanup() { stop_run; stop_busy; }
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

start_busy() {
  local cores i
  cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN || echo 2)
  for ((i = 0; i < cores * per_core; i++)); do
    # Bounded even if this script were killed with SIGKILL.
    timeout "$((run_timeout + 30))" sh -c 'while :; do :; done' &
    busy_pids+=("$!")
  done
}

# --- build once -------------------------------------------------------------
echo "== building the command line (release)"
bin=$("$root/scripts/build-cli.sh") || exit 2
echo "   $bin"

# The live processes of a session: not zombies, which are dead already and
# wait only for whoever inherited them to reap them (a killed Chromium's
# helpers, say).
live_in_session() {
  local pid state
  for pid in $(pgrep -s "$1" 2>/dev/null); do
    state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || continue
    [[ -n $state && $state != Z && $state != X ]] && printf '%s ' "$pid"
  done
  return 0
}

adapter_arg() { # name -> the CLI's --adapter value
  case "$1" in
    reference) echo reference ;;
    stdio) printf "'%s' serve-reference\n" "$bin" ;;
    node) echo "node adapters/node/src/adapter.js" ;;
    browser) echo "node adapters/browser/src/adapter.js --impl adapters/browser/impl/my-browser.js" ;;
    *) echo "$1" ;;
  esac
}
# The known failures of an adapter (none but the browser build's).
adapter_baseline() {
  case "$1" in
    browser) echo --baseline adapters/browser/baseline.json ;;
  esac
}
for a in "${adapters[@]}"; do
  if [[ "$a" == node || "$a" == browser ]]; then
    command -v node >/dev/null || { echo "flake-check.sh: node not found" >&2; exit 2; }
    if [[ ! -e adapters/node_modules/connectsocket-$a-adapter ]]; then
      echo "== npm ci in adapters (the node and browser workspaces)"
      (cd adapters && npm ci --no-audit --no-fund --workspace=node --workspace=browser) || exit 2
    fi
  fi
done

if [[ -z "$out" ]]; then
  out=$(mktemp -d "${TMPDIR:-/tmp}/flake-check.XXXXXX")
  keep_out=0
else
  mkdir -p "$out"
  keep_out=1
fi

# Non-passing scenarios of one run, "id status" per line: from the JSON
# report when there is one (jq or python3), else from the progress lines.
not_passing() { # report.json log
  if [[ -s "$1" ]] && command -v jq >/dev/null; then
    jq -r '.scenarios[] | select(.status != "pass" and .status != "notApplicable") | "\(.id) \(.status)"' "$1" && return
  elif [[ -s "$1" ]] && command -v python3 >/dev/null; then
    python3 - "$1" <<'PY' && return
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    if s["status"] not in ("pass", "notApplicable"):
        print(s["id"], s["status"])
PY
  fi
  sed -nE 's/^\[ *[0-9]+\/[0-9]+\] +(fail|error|differsImplDefined) +([^ ]+).*/\2 \1/p' "$2"
}

# --- the runs ---------------------------------------------------------------
declare -A fail_count=()   # "setting scenario status" -> runs
declare -A failed_runs=()  # setting -> count
failed_total=0
runs_total=0
logs_of_failures=()
t_all=$(date +%s)

for ai in "${!adapters[@]}"; do
  a=${adapters[$ai]}
  adapter=$(adapter_arg "$a")
  for mode in "${load_modes[@]}"; do
    setting="$a/$mode"
    failed_runs[$setting]=0
    echo "== $n runs: adapter $a, $([[ $mode == load ]] && echo "CPU loaded ($(( $(nproc) * per_core )) busy loops on $(nproc) cores)" || echo "no extra load")"
    for ((i = 1; i <= n; i++)); do
      case "$a" in reference|stdio|node|browser) tag="$a-$mode-$i" ;; *) tag="adapter$ai-$mode-$i" ;; esac
      log="$out/$tag.log"
      json="$out/$tag.json"
      [[ $mode == load ]] && start_busy
      t0=$(date +%s.%N)
      # shellcheck disable=SC2046 # the baseline's words are meant to split
      setsid timeout -k 10 "$run_timeout" "$bin" run --adapter "$adapter" "${cli_args[@]}" $(adapter_baseline "$a") \
        --report "json=$json" >"$log" 2>&1 </dev/null &
      run_sid=$!
      rc=0
      wait "$run_sid" || rc=$?
      left=$(live_in_session "$run_sid")
      stop_run
      [[ $mode == load ]] && stop_busy
      secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
      runs_total=$((runs_total + 1))
      bad=$(not_passing "$json" "$log" || true)
      note=""
      [[ -n "$left" ]] && note=" (processes left behind by the run, ended: $left)"
      if [[ $rc -eq 0 && -z "$left" ]]; then
        printf '%-22s run %3d/%d  pass  %5s s\n' "$setting" "$i" "$n" "$secs"
      else
        failed_total=$((failed_total + 1))
        failed_runs[$setting]=$((failed_runs[$setting] + 1))
        logs_of_failures+=("$log")
        why="exit $rc"
        [[ $rc -eq 124 || $rc -eq 137 ]] && why="timed out after ${run_timeout} s"
        printf '%-22s run %3d/%d  FAIL  %5s s  %s%s\n' "$setting" "$i" "$n" "$secs" "$why" "$note"
        if [[ -n "$bad" ]]; then
          while read -r id status; do
            printf '    %s %s\n' "$status" "$id"
            key="$setting $id $status"
            fail_count[$key]=$(( ${fail_count[$key]:-0} + 1 ))
          done <<<"$bad"
          # The CLI's summary has each non-passing scenario's first difference.
          sed -n '/^compliance summary/,$p' "$log" | grep -vE '^(  (pass|fail|differsImplDefined|notApplicable|error) +[0-9]+|reports written:|  /)' | sed 's/^/    | /' | head -n 40
        else
          key="$setting (the run itself) $why"
          fail_count[$key]=$(( ${fail_count[$key]:-0} + 1 ))
          tail -n 15 "$log" | sed 's/^/    | /'
        fi
        if [[ $fail_fast -eq 1 ]]; then break 3; fi
      fi
    done
  done
done

# --- summary ----------------------------------------------------------------
echo
echo "== flake check: $runs_total runs in $(( $(date +%s) - t_all )) s, $failed_total failed"
for a in "${adapters[@]}"; do
  for mode in "${load_modes[@]}"; do
    s="$a/$mode"
    [[ -n "${failed_runs[$s]+x}" ]] && printf '  %-22s %d failed\n' "$s" "${failed_runs[$s]}"
  done
done
if [[ $failed_total -gt 0 ]]; then
  echo "failures by scenario (setting, scenario, status: runs):"
  for key in "${!fail_count[@]}"; do
    printf '  %s: %d\n' "$key" "${fail_count[$key]}"
  done | sort
  echo "logs and JSON reports (with each trace): $out"
  printf '  %s\n' "${logs_of_failures[@]}" | head -n 20
  exit 1
fi
[[ $keep_out -eq 0 ]] && rm -rf "$out"
echo "result: no flaky run"
exit 0
