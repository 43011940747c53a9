#!/usr/bin/env bash
# Regenerates docs/compatibility.md, the compatibility matrix. It only
# orchestrates: it installs what the runs need (npm ci in adapters/, the adapters'
# npm workspaces, when the lock is newer than what was installed), bundles the third-party implementations
# (npm run build in adapters/thirdparty), builds the runner in release mode,
# runs the suite once per implementation and profile of the plan
# (scripts/compatibility.json, listed by `compare --plan … --list-runs`),
# keeps the current matrix as docs/compatibility/<its date>.md (with its
# verdicts, .json) when it is from an earlier day, and has the runner write
# the new matrix from the JSON reports (`compare --matrix`), with the
# verdicts changed since the newest kept one. It times each run (the
# runner's start to its exit) and writes the times into docs/performance.md.
#
#   scripts/compatibility.sh                      # everything (about 3 minutes on 2 cores)
#   scripts/compatibility.sh --only uni-h5        # run these again (repeatable), keep the others' reports
#   scripts/compatibility.sh --from-reports       # write the matrix again from the last reports
#   scripts/compatibility.sh --jobs 4             # passed to every run
#
# Each run's reports (all four formats, and the runner's output) are in
# target/compatibility/<id>-<profile>/. CONFORMANCE_BIN=/path/to/connectsocket-conformance
# skips the cargo build. Needs Node.js 20+, cargo, chromium and certutil
# (see adapters/browser/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

plan=scripts/compatibility.json
out=docs/compatibility.md
kept=docs/compatibility
reports=target/compatibility
notes=(--notes adapters/thirdparty/findings.md --notes adapters/miniprogram/findings.md)
performance=docs/performance.md

usage() {
  echo "$1" >&2
  echo "usage: scripts/compatibility.sh [--only ID]… [--from-reports] [--jobs N]" >&2
  exit 2
}

only=()
from_reports=false
jobs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || usage "--only needs an implementation id"; only+=("$2"); shift 2 ;;
    --from-reports) from_reports=true; shift ;;
    --jobs) [ $# -ge 2 ] || usage "--jobs needs a number"; jobs=(--jobs "$2"); shift 2 ;;
    *) usage "unknown argument: $1" ;;
  esac
done

log() { echo "[compatibility] $*" >&2; }

# Each run's wall time as this script measured it (the runner's start to its
# exit: adapter start-up, every scenario and the reports), in
# docs/performance.md between its two markers, with the run's own time and
# the load. A run left by an earlier call (--only) keeps its time.
performance_table() {
  RUNS="$runs" node - "$plan" "$reports" "$performance" <<'NODE'
const fs = require('node:fs');
const os = require('node:os');
const [plan, reports, file] = process.argv.slice(2);
const BEGIN = '<!-- compatibility.sh: wall time begin -->';
const END = '<!-- compatibility.sh: wall time end -->';
const titles = new Map(JSON.parse(fs.readFileSync(plan, 'utf8')).implementations.map((i) => [i.id, i.title]));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const lines = [
  '| implementation | profile | wall time | run (report) | jobs | pass | fail | n/a | error | load average |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
let dates = new Set();
let slowest = 0;
for (const line of process.env.RUNS.split('\n').filter(Boolean)) {
  const [id, profile] = line.split('\t');
  const dir = `${reports}/${id}-${profile}`;
  let wall;
  let report;
  try {
    wall = Number(fs.readFileSync(`${dir}/wall-ms`, 'utf8'));
    report = JSON.parse(fs.readFileSync(`${dir}/report.json`, 'utf8'));
  } catch {
    lines.push(`| ${titles.get(id) || id} | ${profile} | no run | | | | | | | |`);
    continue;
  }
  slowest = Math.max(slowest, wall);
  dates.add(report.startedAt.slice(0, 10));
  const t = report.totals;
  const h = report.host || {};
  const load = h.loadAtStart == null || h.loadAtEnd == null ? '–' : `${h.loadAtStart.toFixed(1)} → ${h.loadAtEnd.toFixed(1)}`;
  lines.push(`| ${titles.get(id) || id} | ${profile} | ${wall > 10000 ? `**${seconds(wall)}**` : seconds(wall)} | ${seconds(report.durationMs)} | ${report.jobs ?? '–'} | ${t.pass} | ${t.fail} | ${t.notApplicable} | ${t.error} | ${load} |`);
}
const table = [
  BEGIN,
  `Measured by \`scripts/compatibility.sh\` on ${[...dates].sort().join(', ')} (${os.availableParallelism()} cores; the load average is the run's own, from its report). Wall time: the runner's start to its exit, adapter start-up and reports included; run: the report's, its first scenario's start to its last's end. Slowest: ${seconds(slowest)}${slowest > 10000 ? ' (over the 10 s bound)' : ''}.`,
  '',
  ...lines,
  END,
].join('\n');
const text = fs.readFileSync(file, 'utf8');
const begin = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (begin < 0 || end < begin) {
  console.error(`[compatibility] ${file}: no "${BEGIN}" … "${END}" markers to write the wall times between`);
  process.exit(1);
}
fs.writeFileSync(file, text.slice(0, begin) + table + text.slice(end + END.length));
NODE
}

# npm ci (every workspace of adapters/) whenever the lockfile is newer than
# what was installed, or the install left the third-party workspace out
# (cargo test installs only the workspaces it tests).
install() {
  if [ ! -f adapters/node_modules/.package-lock.json ] ||
     [ adapters/package-lock.json -nt adapters/node_modules/.package-lock.json ] ||
     [ ! -e adapters/node_modules/connectsocket-conformance-thirdparty ]; then
    (cd adapters && npm ci --no-audit --no-fund)
  fi
  # The frameworks' mini-program layers: a project of its own (docs/decisions.md).
  if [ ! -f adapters/miniprogram/node_modules/.package-lock.json ] ||
     [ adapters/miniprogram/package-lock.json -nt adapters/miniprogram/node_modules/.package-lock.json ]; then
    (cd adapters/miniprogram && npm ci --no-audit --no-fund)
  fi
}

if [ -n "${CONFORMANCE_BIN:-}" ]; then
  runner="$CONFORMANCE_BIN"
else
  cargo build --release --locked -p runner --bin connectsocket-conformance
  runner="${CARGO_TARGET_DIR:-target}/release/connectsocket-conformance"
fi

# The plan's runs (the runner checks the plan first: a mistake in it stops
# here, not after the runs).
runs=$("$runner" compare --plan "$plan" --list-runs)
for id in "${only[@]}"; do
  cut -f1 <<<"$runs" | grep -qx -- "$id" || usage "--only $id: no such implementation in $plan"
done

if ! $from_reports; then
  install
  (cd adapters/thirdparty && npm run --silent build)
  while IFS=$'\t' read -r id profile adapter; do
    if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx -- "$id"; then
      continue
    fi
    dir="$reports/$id-$profile"
    rm -rf "$dir" && mkdir -p "$dir"
    log "$id / $profile: $runner run --adapter \"$adapter\" --profile $profile"
    status=0
    started=$(date +%s%N)
    "$runner" run --adapter "$adapter" --profile "$profile" --report-dir "$dir" "${jobs[@]}" \
      >"$dir/runner-output.txt" 2>&1 </dev/null || status=$?
    wall=$((($(date +%s%N) - started) / 1000000))
    echo "$wall" >"$dir/wall-ms"
    log "$id / $profile: exit $status in $wall ms, $(grep -m 1 '^result:' "$dir/runner-output.txt" || echo 'no result')"
  done <<<"$runs"

  # The current matrix is kept when it is from an earlier day; a second
  # matrix of one day replaces the first.
  current=$(sed -n 's/^- Date: \([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\).*/\1/p' "$out" 2>/dev/null | head -n 1)
  if [ -n "$current" ] && [[ "$current" < "$(date -u +%F)" ]]; then
    mkdir -p "$kept"
    mv "$out" "$kept/$current.md"
    if [ -f "${out%.md}.json" ]; then mv "${out%.md}.json" "$kept/$current.json"; fi
    log "the matrix of $current is kept as $kept/$current.md"
  fi
fi

# The JSON reports the runs left, and the newest kept matrix.
found=()
while IFS=$'\t' read -r id profile _; do
  if [ -f "$reports/$id-$profile/report.json" ]; then
    found+=("$reports/$id-$profile/report.json")
  else
    log "$id / $profile: no report (see $reports/$id-$profile/runner-output.txt)"
  fi
done <<<"$runs"
[ ${#found[@]} -gt 0 ] || { log "no run left a report"; exit 1; }
previous=()
newest=$(ls "$kept"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].md 2>/dev/null | sort | tail -n 1 || true)
if [ -n "$newest" ]; then previous=(--previous "$newest"); fi

# What the runs used, for the matrix's header.
chromium=$(node -e "process.stdout.write(require('./adapters/browser/src/browser').findChromium() || '')")
if [ -n "$chromium" ]; then
  # Debian's wrapper prints a shell warning on stderr; the version is on stdout.
  browser=$("$chromium" --version 2>/dev/null || echo "$chromium (version unknown)")
else
  browser="no chromium found"
fi

"$runner" compare --plan "$plan" --matrix "$out" "${previous[@]}" "${notes[@]}" \
  --about "Browser: $browser" --about "Node.js $(node --version)" "${found[@]}"
performance_table && log "wall times written to $performance"
