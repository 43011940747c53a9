#!/usr/bin/env bash
# Benchmarks: prints the figures that docs/performance.md records.
#
# Usage: scripts/bench.sh [--runs N] [--skip-node] [--skip-browser] [--skip-mock]
#
#   --runs N        timed runs per full-suite measurement (default 5; one
#                   warm-up run more), the figure is the median
#   --skip-node     no Node.js adapter measurement
#   --skip-browser  no browser adapter measurement (needs chromium and
#                   certutil; skipped with a line when they are missing)
#   --skip-mock     no mock-server throughput bench
#
# 1. full-suite wall time of the release CLI (hyperfine when installed, else
#    a loop with `date +%s.%N`; median, min, max): in process with the
#    default jobs, with one job per core (the old default) and with every
#    scenario at once (the floor: the run cannot be shorter than its
#    longest scenario), the reference over stdio, the Node.js adapter (one
#    process with its default 64 instances, and NODE_WS_INSTANCES=1: one
#    scenario per process) and the browser adapter; each also as a ratio to the longest scenario
#    measured in the same run (from its JSON report: the run's own duration
#    and the wall time, each divided by the longest scenario's);
# 2. the runner's overhead: the fixed cost of a run (`--list`, and a run of
#    one scenario that takes no time of its own), then per scenario from the
#    JSON report: wall time per scenario, and with one scenario at a time the
#    wall time minus the sum of the scenarios' own durations;
# 3. peak memory (maximum resident set size) of a full in-process run and of
#    the CLI in a stdio run, from GNU time (`/usr/bin/time -v`);
# 4. the mock server's echo round trips/s and broadcast messages/s beside a
#    minimal tokio-tungstenite server (`cargo bench -p mock-server --bench
#    throughput`, passed through).
#
# Bounded: every command has a timeout; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
skip_node=0
skip_browser=0
skip_mock=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a value}"; shift ;;
    --skip-node) skip_node=1 ;;
    --skip-browser) skip_browser=1 ;;
    --skip-mock) skip_mock=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

json_get() { # file jq-filter python-expression(d)
  if command -v jq >/dev/null; then jq -r "$2" "$1"
  else python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($3)" "$1"; fi
}

echo "== machine"
echo "date:   $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc:  $(nproc)"
lscpu 2>/dev/null | grep -E '^(Model name|Architecture|CPU\(s\)|Thread|Core|Socket|CPU max MHz)' | sed 's/^/lscpu:  /' || true
echo "memory: $(free -h 2>/dev/null | awk '/^Mem:/ { print $2 " total, " $7 " available" }')"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (1, 5, 15 min before the measurements)"
echo "rustc:  $(rustc --version)"
command -v node >/dev/null && echo "node:   $(node --version)"

echo "== building (release)"
bin=$(scripts/build-cli.sh)
echo "cli:    $bin"
count=$("$bin" run --list | grep -c '::' || true)
echo "scenarios: $count"

# --- 1. full-suite wall time ------------------------------------------------
stdio_adapter="'$bin' serve-reference"
node_adapter="node adapters/node/src/adapter.js"
if [[ $skip_node -eq 0 ]]; then
  if ! command -v node >/dev/null; then
    echo "node not found: skipping the Node.js adapter" >&2; skip_node=1
  fi
fi

# name -> command (run from the repository root)
if [[ $skip_browser -eq 0 ]]; then
  if ! command -v node >/dev/null || ! command -v certutil >/dev/null \
     || ! { [[ -n "${CHROMIUM:-}" ]] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }; then
    echo "node, certutil or chromium not found: skipping the browser adapter" >&2; skip_browser=1
  fi
fi
browser_adapter="node adapters/browser/src/adapter.js --impl adapters/browser/impl/my-browser.js"
# Both adapters run on the packages of the adapters' npm workspaces.
if [[ $skip_node -eq 0 || $skip_browser -eq 0 ]] &&
   [[ ! -e adapters/node_modules/connectsocket-node-adapter || ! -e adapters/node_modules/connectsocket-browser-adapter ]]; then
  (cd adapters && npm ci --no-audit --no-fund --workspace=node --workspace=browser >/dev/null)
fi

names=(in-process per-core floor stdio)
declare -A cmd=(
  [in-process]="timeout 300 '$bin' run --report json=$tmp/in-process.json"
  [per-core]="timeout 300 '$bin' run --jobs $(nproc) --report json=$tmp/per-core.json"
  [floor]="timeout 300 '$bin' run --jobs $(( count < 128 ? count : 128 )) --report json=$tmp/floor.json"
  [stdio]="timeout 300 '$bin' run --adapter \"$stdio_adapter\" --report json=$tmp/stdio.json"
  [list]="timeout 60 '$bin' run --list"
  [one-scenario]="timeout 60 '$bin' run --filter close::close-not-open-never-connected --report json=$tmp/one.json"
)
if [[ $skip_node -eq 0 ]]; then
  # node: one process holding 64 instances (the adapter's default);
  # node-per-process: NODE_WS_INSTANCES=1, one scenario per process.
  names+=(node node-per-process)
  cmd[node]="timeout 300 '$bin' run --adapter \"$node_adapter\" --report json=$tmp/node.json"
  cmd[node-per-process]="NODE_WS_INSTANCES=1 timeout 300 '$bin' run --adapter \"$node_adapter\" --report json=$tmp/node-per-process.json"
fi
if [[ $skip_browser -eq 0 ]]; then
  names+=(browser)
  cmd[browser]="timeout 600 '$bin' run --adapter \"$browser_adapter\" --report json=$tmp/browser.json"
fi

# median min max (seconds) of one command, on stdout
measure() { # name runs
  local name=$1 n=$2
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 1 --runs "$n" --export-json "$tmp/$name.hf.json" \
      -n "$name" "${cmd[$name]} >/dev/null 2>&1" >/dev/null 2>&1
    json_get "$tmp/$name.hf.json" \
      '.results[0] | "\(.median) \(.min) \(.max)"' \
      '" ".join(str(d["results"][0][k]) for k in ("median","min","max"))'
  else
    local i t0 times=()
    bash -c "${cmd[$name]}" >/dev/null 2>&1 || true # warm-up
    for ((i = 0; i < n; i++)); do
      t0=$(date +%s.%N)
      bash -c "${cmd[$name]}" >/dev/null 2>&1 || true
      times+=("$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'
  fi
}

echo "== 1. full-suite wall time, release CLI, $count scenarios, median of $runs (+1 warm-up)"
echo "   in-process: default jobs; per-core: --jobs $(nproc) (the old default); floor: every scenario at once"
echo "   ratios: to the longest scenario of the last timed run (its JSON report): wall median / longest, and the run's own duration / longest"
echo "   tool: $(command -v hyperfine >/dev/null && hyperfine --version || echo 'date +%s.%N loop')"
declare -A median=()
for name in "${names[@]}"; do
  read -r med mn mx < <(measure "$name" "$runs")
  median[$name]=$med
  # The status of the last run must be a pass: a benchmark of a failing suite means nothing.
  status=$(json_get "$tmp/$name.json" '"\(.totals.pass) pass, \(.totals.fail) fail, \(.totals.error) error"' \
           '"%d pass, %d fail, %d error" % (d["totals"]["pass"], d["totals"]["fail"], d["totals"]["error"])')
  longest=$(json_get "$tmp/$name.json" '[.scenarios[].durationMs] | max' 'max(s["durationMs"] for s in d["scenarios"])')
  own=$(json_get "$tmp/$name.json" '.durationMs' 'd["durationMs"]')
  printf '   %-16s median %6.2f s   min %6.2f s   max %6.2f s   (%s)\n' "$name" "$med" "$mn" "$mx" "$status"
  awk -v n="$name" -v w="$med" -v l="$longest" -v o="$own" 'BEGIN {
    printf "   %-16s longest scenario %5d ms   wall/longest %5.2f   run/longest %5.2f (run %d ms)\n", "", l, w * 1000 / l, o / l, o }'
done
for name in "${names[@]}"; do
  [[ $name == in-process ]] && continue
  awk -v n="$name" -v a="${median[$name]}" -v b="${median[in-process]}" 'BEGIN {
    printf "   %-16s median / in-process median %5.2f\n", n, a / b }'
done
echo "   commands:"
for name in "${names[@]}"; do echo "     ${cmd[$name]}"; done

# --- 2. overhead ------------------------------------------------------------
echo "== 2. the runner's overhead"
read -r list_med _ _ < <(measure list 10)
read -r one_med _ _ < <(measure one-scenario 10)
one_own=$(json_get "$tmp/one.json" '[.scenarios[].durationMs] | add' 'sum(s["durationMs"] for s in d["scenarios"])')
printf '   fixed cost, load and list the scenarios (--list):              %6.0f ms (median of 10)\n' "$(awk -v s="$list_med" 'BEGIN { print s * 1000 }')"
printf '   fixed cost, a run of one scenario (close-not-open-never-connected, %s ms of its own): %6.0f ms (median of 10; start-up, mock server with its certificates, report)\n' "$one_own" "$(awk -v s="$one_med" 'BEGIN { print s * 1000 }')"
for name in "${names[@]}"; do
  sum=$(json_get "$tmp/$name.json" '[.scenarios[].durationMs] | add' 'sum(s["durationMs"] for s in d["scenarios"])')
  rep=$(json_get "$tmp/$name.json" '.durationMs' 'd["durationMs"]')
  awk -v n="$name" -v w="${median[$name]}" -v c="$count" -v s="$sum" -v r="$rep" 'BEGIN {
    printf "   %-16s wall/scenario %5.1f ms   sum of scenario durations %6.0f ms (mean %4.1f ms)   run per the report %5.0f ms\n", n, w * 1000 / c, s, s / c, r }'
done
settle=$(grep -rhoE 'settle: *[0-9]+' scenarios --include='*.yaml' | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }')
echo "   of the scenarios' own time, deliberate quiet periods (expect: settle N ms, summed over scenarios/**.yaml): $settle ms"
# One scenario at a time: the wall time minus the scenarios' own time is what
# the runner adds (per scenario: fresh implementation and session, trace
# normalisation, golden comparison, reporting) plus the fixed cost.
for name in in-process stdio; do
  a=$([[ $name == stdio ]] && echo "--adapter \"$stdio_adapter\"" || echo "")
  t0=$(date +%s.%N)
  eval "timeout 300 '$bin' run $a --jobs 1 --report json=$tmp/$name-j1.json" >/dev/null 2>&1 || true
  wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  sum=$(json_get "$tmp/$name-j1.json" '[.scenarios[].durationMs] | add' 'sum(s["durationMs"] for s in d["scenarios"])')
  awk -v n="$name" -v w="$wall" -v s="$sum" -v c="$count" -v f="$one_med" 'BEGIN {
    printf "   %-16s --jobs 1: wall %6.0f ms, sum of scenario durations %6.0f ms, difference %5.0f ms = %4.2f ms per scenario (%4.2f ms after the fixed cost)\n",
      n, w * 1000, s, w * 1000 - s, (w * 1000 - s) / c, (w * 1000 - s - f * 1000) / c }'
done

# --- 3. peak memory ---------------------------------------------------------
echo "== 3. peak memory (maximum resident set size, GNU time)"
if [[ -x /usr/bin/time ]]; then
  # GNU time reports the largest single process among the CLI and the
  # adapters it waited for (getrusage), not their sum.
  for name in "${names[@]}"; do
    case "$name" in
      stdio) a="--adapter \"$stdio_adapter\"" ;;
      node) a="--adapter \"$node_adapter\"" ;;
      node-per-process) continue ;; # several smaller node processes: the shared one is the largest
      browser) a="--adapter \"$browser_adapter\"" ;;
      per-core|floor) continue ;; # the same processes as in-process
      *) a="" ;;
    esac
    eval "/usr/bin/time -v timeout 300 '$bin' run $a --report json=$tmp/mem.json" >/dev/null 2>"$tmp/time.txt" || true
    kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
    label=$([[ $name == in-process ]] && echo "$name" || echo "$name (largest single process: the CLI or one adapter)")
    awk -v n="$label" -v k="$kb" 'BEGIN { printf "   %6.1f MiB (%d kB)  %s\n", k / 1024, k, n }'
  done
  echo "   command: /usr/bin/time -v '$bin' run   (line: Maximum resident set size)"
else
  echo "   /usr/bin/time not found (Debian: apt-get install -y time): skipped"
fi

# --- 4. mock server throughput ---------------------------------------------
if [[ $skip_mock -eq 0 ]]; then
  echo "== 4. mock server beside a minimal tokio-tungstenite server (cargo bench -p mock-server --bench throughput)"
  timeout 1200 cargo bench -q -p mock-server --bench throughput 2>/dev/null | sed 's/^/   /'
fi
echo "== load after the measurements: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
