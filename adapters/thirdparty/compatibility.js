#!/usr/bin/env node
'use strict';
// The compatibility matrix (docs/compatibility.md): runs the suite against
// each implementation, under each profile the runner offers, and writes what
// the JSON reports say: pass / fail / not applicable / error counts, the
// options each run showed (the report's `options`), the failing scenarios
// grouped by their normalised first difference (largest group first), the
// versions, the date and each run's wall time. Nothing is tuned to an
// implementation: a failure is written down with its evidence.
//
//   node adapters/thirdparty/compatibility.js --runner target/release/connectsocket-conformance
//   node adapters/thirdparty/compatibility.js --runner … --only uni-h5 --only node   # run these again, keep the others' reports
//   node adapters/thirdparty/compatibility.js --runner … --profile alipay-current    # other profiles
//   node adapters/thirdparty/compatibility.js --from-reports                         # rewrite from the last reports
//
// scripts/compatibility.sh installs, builds and calls this with the defaults.

const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { IMPLEMENTATIONS, installedVersion, bundlePath } = require('./implementations');
const { findChromium } = require('../browser/src/browser');

const REPO = path.resolve(__dirname, '..', '..');
const BROWSER_ADAPTER = 'node adapters/browser/src/adapter.js';
/** Where the reports of each run go (one folder per implementation and profile). */
const DEFAULT_REPORTS = path.join(REPO, 'target', 'compatibility');
const DEFAULT_OUT = path.join(REPO, 'docs', 'compatibility.md');
/** How many groups of failures the matrix shows per run; the rest are counted. */
const GROUPS_SHOWN = 6;

/**
 * The rows of the matrix: the two references, then the third-party
 * implementations. `adapter` is the runner's --adapter (from the repository
 * root); `api` the face it serves when the runner names no profile.
 */
function implementations() {
  const rows = [
    {
      id: 'node',
      title: 'Node.js implementation (reference)',
      source: '`adapters/node/src/core.js` with `my.js`, `wx.js`',
      adapter: 'node adapters/node/src/adapter.js',
      version: () => `node-ws ${require('../node/package.json').version}, Node.js ${process.version}`,
    },
    {
      id: 'my-browser',
      title: 'my-browser.js in Chromium (reference)',
      source: '`adapters/node/src/core.js` with `adapters/browser/impl/my-browser.js`',
      adapter: `${BROWSER_ADAPTER} --impl adapters/browser/impl/my-browser.js`,
      version: () => `browser adapter ${require('../browser/package.json').version}`,
      // my-browser.js defines both faces (the shared core's `my` and `wx`).
      faces: ['my', 'wx'],
    },
  ];
  for (const impl of IMPLEMENTATIONS) {
    const bundle = path.relative(REPO, bundlePath(impl.id));
    rows.push({
      id: impl.id,
      title: impl.title,
      source: `\`${impl.package}\` via \`adapters/thirdparty/${impl.entry}\``,
      adapter: `${BROWSER_ADAPTER} --impl ${bundle}`,
      version: () => `${impl.package}@${installedVersion(impl.package) || 'not installed'}`,
      bundle: bundlePath(impl.id),
    });
  }
  return rows;
}

/** The profiles run when none is named: the runner's default and WeChat's (the frameworks' own shape). */
const DEFAULT_PROFILES = ['alipay-2022-09', 'wechat'];

/**
 * The profiles to run (`names`, docs/profiles.md). A runner without a
 * --profile flag runs only its default, and says so for the others.
 */
function profiles(runner, names) {
  const help = spawnSync(runner, ['run', '--help'], { encoding: 'utf8' });
  const hasProfile = /--profile\b/.test(help.stdout || '');
  return names.map((id) => {
    if (hasProfile) return { id, args: ['--profile', id], available: true };
    if (id === 'alipay-2022-09') return { id, args: [], available: true };
    return { id, args: [], available: false, why: 'the runner has no `--profile` flag yet (`run --help`)' };
  });
}

/** Whether `profile` serves the `wx` face (docs/profiles.md). */
function isWx(profile) {
  return profile.id === 'wechat';
}

function parseArgs(argv) {
  const options = { runner: path.join(REPO, 'target', 'release', 'connectsocket-conformance'), only: [], profiles: [], reports: DEFAULT_REPORTS, out: DEFAULT_OUT, fromReports: false, jobs: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      i += 1;
      return argv[i];
    };
    if (arg === '--runner') options.runner = path.resolve(value());
    else if (arg === '--only') options.only.push(value());
    else if (arg === '--profile') options.profiles.push(value());
    else if (arg === '--reports') options.reports = path.resolve(value());
    else if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--jobs') options.jobs = value();
    else if (arg === '--from-reports') options.fromReports = true;
    else usage(`unknown argument ${JSON.stringify(arg)}`);
  }
  return options;
}

function usage(text) {
  process.stderr.write(`${text}\nusage: compatibility.js [--runner PATH] [--only ID]… [--profile NAME]… [--reports DIR] [--out FILE] [--jobs N] [--from-reports]\n`);
  process.exit(2);
}

function log(text) {
  process.stderr.write(`[compatibility] ${text}\n`);
}

/** Runs the suite once; returns { wallMs, exitCode, reportFile }. */
function runSuite(runner, row, profile, reportDir, jobs) {
  fs.rmSync(reportDir, { recursive: true, force: true });
  fs.mkdirSync(reportDir, { recursive: true });
  const args = ['run', '--adapter', row.adapter, '--report-dir', reportDir, ...profile.args];
  if (jobs) args.push('--jobs', jobs);
  log(`${row.id} / ${profile.id}: ${runner} ${args.map((a) => JSON.stringify(a)).join(' ')}`);
  const loadAtStart = os.loadavg()[0];
  const started = process.hrtime.bigint();
  const result = spawnSync(runner, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = Number((process.hrtime.bigint() - started) / 1000000n);
  fs.writeFileSync(path.join(reportDir, 'runner-output.txt'), `${result.stdout || ''}\n--- stderr ---\n${result.stderr || ''}`);
  const run = { wallMs, exitCode: result.status, signal: result.signal, spawnError: result.error ? result.error.message : null, commit: gitCommit(), dirty: gitDirty(), loadAtStart, loadAtEnd: os.loadavg()[0] };
  fs.writeFileSync(path.join(reportDir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  log(`${row.id} / ${profile.id}: exit ${result.status} in ${(wallMs / 1000).toFixed(1)} s`);
  return run;
}

/** The run's record and JSON report from `reportDir`, or null when the run left none. */
function readRun(reportDir) {
  try {
    const run = JSON.parse(fs.readFileSync(path.join(reportDir, 'run.json'), 'utf8'));
    let report = null;
    try {
      report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
    } catch {
      report = null;
    }
    return { run, report };
  } catch {
    return null;
  }
}

// --- grouping failures by their first difference ---

/** Keys of trace entries that are not call names (the client's `my`, the server's events). */
const NOT_CALL_NAMES = new Set(['my', 'wx', 'handshake', 'response', 'closeIn', 'closeOut', 'end', 'out', 'in', 'path', 'returned', 'error', 'code', 'reason', 'data', 'errMsg', 'extra']);

/**
 * A first difference with the scenario's own names taken out, so that the
 * same defect in two scenarios reads the same: call names (`c3`, `connect1`)
 * become `<call>`, task handles `t<n>`, listener names `@<L>`, server
 * connections `conn<n>`, numbers of the mock server's session `<session>`.
 */
function normaliseDifference(text) {
  return String(text)
    .split(' / ')
    .map((part) => part
      .replace(/\bt\d+\b/g, 't<n>')
      .replace(/\bconn\d+\b/g, 'conn<n>')
      .replace(/@[A-Za-z][\w-]*/g, '@<L>')
      .replace(/^([-+ ]\s+- )([a-z][\w-]*)(?=(\.(success|fail|complete)\b|:| \(sync\)))/, (whole, lead, name) => (NOT_CALL_NAMES.has(name) ? whole : `${lead}<call>`))
      .replace(/\s+/g, ' ')
      .trim())
    .join(' / ');
}

/** The first line of a scenario's message, with paths relative to the repository. */
function firstLine(message) {
  return String(message || '').split('\n')[0].split(`${REPO}${path.sep}`).join('');
}

/**
 * The failing (and erroring) scenarios grouped by normalised first
 * difference, largest group first: the report's own `rootCauses` (the
 * runner's triage, report/src/triage.rs) when it has them, else grouped
 * here with normaliseDifference (reports written before the triage).
 */
function failureGroups(report) {
  if (Array.isArray(report.rootCauses)) {
    const byId = new Map(report.scenarios.map((s) => [s.id, s]));
    return report.rootCauses.map((cause) => ({
      key: cause.cause,
      scenarios: cause.scenarios.map((id) => byId.get(id) || { id, message: null }),
    }));
  }
  const groups = new Map();
  for (const s of report.scenarios) {
    if (s.status !== 'fail' && s.status !== 'error') continue;
    const key = normaliseDifference(s.firstDifference || firstLine(s.message) || '(no difference given)');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  return [...groups.entries()]
    .map(([key, scenarios]) => ({ key, scenarios }))
    .sort((a, b) => b.scenarios.length - a.scenarios.length || a.key.localeCompare(b.key));
}

/**
 * Counts that explain a run at a glance, read the same way for every
 * implementation: scenarios whose failure is an await that timed out (each
 * costs the await's whole timeout), scenarios whose trace has a callback
 * run inside the call that caused it (`(sync)`, rule order.async), and
 * scenarios whose failure is a call the implementation threw on or lacked.
 */
function signals(report) {
  const count = (pred) => report.scenarios.filter(pred).length;
  const message = (s) => String(s.message || '');
  return {
    timedOut: count((s) => s.status !== 'pass' && /not seen within \d+ ms/.test(message(s))),
    syncCallback: count((s) => /\(sync\)/.test(JSON.stringify(s.trace || null))),
    callRefused: count((s) => s.status !== 'pass' && /the adapter refused call/.test(message(s))),
  };
}

// --- the document ---

function mdEscape(text) {
  return String(text).replace(/\|/g, '\\|').replace(/`/g, "'");
}

/** A path relative to the repository when it is inside it, else as it is. */
function displayPath(file) {
  const relative = path.relative(REPO, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The commits the runs were made at (from run.json), with "+ changes" for a dirty worktree. */
function runCommits(runs) {
  const seen = new Set();
  for (const { result } of runs) {
    if (result && result.run && result.run.commit) seen.add(`${result.run.commit}${result.run.dirty ? ' + uncommitted changes' : ''}`);
  }
  return seen.size > 0 ? [...seen].join(', ') : 'unknown';
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The options of each [impl-defined] rule a run showed: the report's
 * `options` (schema 2 before profiles: `profile` held them).
 */
function optionsOf(report) {
  if (Array.isArray(report.options)) return report.options;
  return Array.isArray(report.profile) ? report.profile : [];
}

/** The options a run showed: `rule=option` for each observed rule, "two options" when inconsistent. */
function observedOptions(report) {
  const shown = [];
  let notObserved = 0;
  const options = optionsOf(report);
  for (const entry of options) {
    const options = (entry.observed || []).map((o) => o.option);
    if (options.length === 0) notObserved += 1;
    else shown.push(`\`${entry.rule}=${options.join(' and ')}\`${options.length > 1 ? ' (**two options**)' : ''}`);
  }
  return { shown, notObserved, total: options.length };
}

function chromiumVersion() {
  const executable = findChromium();
  if (!executable) return 'chromium not found';
  try {
    // Debian's wrapper script prints a shell warning on stderr; only stdout is the version.
    return execFileSync(executable, ['--version'], { encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (err) {
    return `${executable} (version unknown: ${err.message.split('\n')[0]})`;
  }
}

/** The day of the earliest run (from the reports' startedAt), else today. */
function runDate(runs) {
  const days = runs
    .map(({ result }) => result && result.report && result.report.startedAt)
    .filter((d) => typeof d === 'string')
    .sort();
  return (days[0] || new Date().toISOString()).slice(0, 10);
}

/** Whether the worktree has changes not committed (outside target/ and node_modules). */
function gitDirty() {
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8' }).trim() !== '';
  } catch {
    return null;
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The runner's suite version from a report, or null. */
function suiteOf(runs) {
  for (const { result } of runs) if (result && result.report) return result.report.suite;
  return null;
}

function writeDocument(out, rows, profileList, runs, meta) {
  const lines = [];
  const push = (...l) => lines.push(...l);
  const suite = suiteOf(runs);
  push(
    '# Compatibility matrix',
    '',
    '<!-- Generated by scripts/compatibility.sh (adapters/thirdparty/compatibility.js); do not edit by hand. -->',
    '',
    `The suite run against real implementations of the socket API: the two references of this repository and three cross-platform frameworks' web builds, each bundled with a shim that only maps the framework's own functions to \`my.*\` / \`wx.*\` names (\`adapters/thirdparty/\`, \`../adapters/README.md\`) and run in headless Chromium through the browser adapter. A failure here is a finding about that implementation, with its evidence; no scenario is tuned to an implementation.`,
    '',
    `- Date: ${meta.date}`,
    `- Repository commit of the runs: ${runCommits(runs)}${suite ? `; suite ${suite.name} ${suite.version}` : ''}`,
    `- Runner: \`${displayPath(meta.runner)}\`${meta.jobs ? ` with \`--jobs ${meta.jobs}\`` : " (the runner's default `--jobs`)"}; machine: ${meta.cores} cores`,
    `- Browser: ${meta.chromium}; Node.js ${process.version}`,
    '',
    'Regenerate with `scripts/compatibility.sh` (installs `adapters/thirdparty` with `npm ci`, builds the bundles and the runner, runs everything; about 2 minutes on 2 cores, most of it spent waiting on events that never come, see "Wall time").',
    '',
    '## Matrix',
    '',
    '| implementation | version | profile | pass | fail | not applicable | error | wall time |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const { row, profile, result } of runs) {
    if (profile.skip) {
      push(`| ${row.title} | ${mdEscape(row.version())} | ${profile.id} | – | – | – | – | not run: ${profile.skip} |`);
      continue;
    }
    if (!profile.available) {
      push(`| ${row.title} | ${mdEscape(row.version())} | ${profile.id} | – | – | – | – | not run: ${profile.why} |`);
      continue;
    }
    if (!result || !result.report) {
      const why = result ? `no report (exit ${result.run.exitCode}${result.run.spawnError ? `, ${result.run.spawnError}` : ''})` : 'not run';
      push(`| ${row.title} | ${mdEscape(row.version())} | ${profile.id} | – | – | – | – | ${why} |`);
      continue;
    }
    const t = result.report.totals;
    const impl = result.report.implementation;
    const version = `${row.version()}${impl && impl.version && !row.version().includes(impl.version.split(' ')[0]) ? ` (hello: ${impl.version})` : ''}`;
    push(`| ${row.title} | ${mdEscape(version)} | ${profile.id} | ${t.pass} | ${t.fail} | ${t.notApplicable} | ${t.error} | ${seconds(result.run.wallMs)} |`);
  }
  push(
    '',
    'Sources: ' + rows.map((r) => `${r.title}: ${r.source}`).join('; ') + '.',
    '',
    'The third-party shims declare `connectTimeoutMs`, `closeTimeoutMs`, `maxMessageBytes`, `maxTasks`, `wssOnly` and `allowedHosts` unsupported (none of the frameworks has such a setting), so the scenarios that set them are "not applicable" for them rather than failures.',
    '',
    '## Wall time',
    '',
    'Each run is timed from the runner\'s start to its exit. A scenario waits for the events it expects; against an implementation that never sends one, each such await ends after its timeout (5 s), so a run against a broken implementation is slower than one against a working one. Once a kind of event has not come in two scenarios (and has come in none), the runner ends waits for it after 500 ms, including those already under way, so a missing kind costs about one timeout per wave of scenarios running at once, not one per scenario; the numbers above are as measured.',
    '',
    'The load average (1 minute) at the start and end of each run says how busy the machine was: other work on it slows every run.',
    '',
    '| implementation | profile | wall time | load average | scenarios failing on an await that timed out | with a callback inside its call (`(sync)`) | failing on a call that threw or does not exist |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.filter(({ result }) => result && result.report).map(({ row, profile, result }) => {
      const sig = signals(result.report);
      const load = typeof result.run.loadAtStart === 'number' ? `${result.run.loadAtStart.toFixed(1)} → ${result.run.loadAtEnd.toFixed(1)}` : '–';
      return `| ${row.title} | ${profile.id} | ${seconds(result.run.wallMs)} | ${load} | ${sig.timedOut} | ${sig.syncCallback} | ${sig.callRefused} |`;
    }),
    '',
    '## Observed options',
    '',
    'For each `[impl-defined]` rule (`behaviour.md`), the option the run\'s scenarios showed (the JSON report\'s `options`). A rule no passing scenario showed is "not observed".',
    '',
  );
  for (const { row, profile, result } of runs) {
    if (!result || !result.report) continue;
    const { shown, notObserved, total } = observedOptions(result.report);
    push(`- **${row.title}**, ${profile.id}: ${shown.length > 0 ? shown.join(', ') : 'none'}${notObserved > 0 ? `; ${notObserved} of ${total} rules not observed` : ''}.`);
  }
  push('', '## Root causes', '', `Failing and erroring scenarios of each run, grouped by their first difference with what varies between scenarios taken out (the JSON report's \`rootCauses\`: call names become \`<call>\`, task names \`<task>\`, numbers \`N\`, paths \`<path>\`), largest group first; at most ${GROUPS_SHOWN} groups each, with up to three example scenarios and the first line of the first example's message. \`-\` lines are what the golden trace has and the implementation did not do; \`+\` lines what it did instead. The full traces are in each run's reports (\`target/compatibility/<implementation>-<profile>/\`).`, '');
  for (const { row, profile, result } of runs) {
    if (!result || !result.report) continue;
    const groups = failureGroups(result.report);
    push(`### ${row.title}, ${profile.id}`, '');
    if (groups.length === 0) {
      push('No failures.', '');
      continue;
    }
    push('| scenarios | first difference (normalised) | examples |', '| ---: | --- | --- |');
    for (const group of groups.slice(0, GROUPS_SHOWN)) {
      const examples = group.scenarios.slice(0, 3).map((s) => `\`${s.id}\``).join(', ');
      const message = firstLine(group.scenarios[0].message);
      push(`| ${group.scenarios.length} | \`${mdEscape(group.key)}\` | ${examples}${message ? `<br>${mdEscape(message.length > 300 ? `${message.slice(0, 300)}…` : message)}` : ''} |`);
    }
    const rest = groups.slice(GROUPS_SHOWN);
    if (rest.length > 0) {
      push(`| ${rest.reduce((n, g) => n + g.scenarios.length, 0)} | ${rest.length} smaller groups | |`);
    }
    push('');
  }
  if (meta.findings) {
    push('## Reading the root causes', '', meta.findings.trim(), '');
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  // Every row is written; --only chooses the rows run again, the others keep their last reports.
  const rows = implementations();
  const runAgain = (row) => !options.fromReports && (options.only.length === 0 || options.only.includes(row.id));
  const unknown = options.only.filter((id) => !implementations().some((r) => r.id === id));
  if (unknown.length > 0) usage(`unknown implementation(s): ${unknown.join(', ')}`);
  if (!fs.existsSync(options.runner)) usage(`no runner at ${options.runner}: build it (cargo build --release -p runner --bin connectsocket-conformance) or pass --runner`);
  const profileList = profiles(options.runner, options.profiles.length > 0 ? options.profiles : DEFAULT_PROFILES);
  for (const row of rows) {
    if (runAgain(row) && row.bundle && !fs.existsSync(row.bundle)) usage(`no bundle ${row.bundle}: run npm run build in adapters/thirdparty`);
  }
  const runs = [];
  for (const row of rows) {
    for (const profile of profileList) {
      if (isWx(profile) && row.faces && !row.faces.includes('wx')) {
        runs.push({ row, profile: { ...profile, skip: 'it defines only the `my` face' }, result: null });
        continue;
      }
      const reportDir = path.join(options.reports, `${row.id}-${profile.id}`);
      let result = null;
      if (profile.available) {
        if (runAgain(row)) runSuite(options.runner, row, profile, reportDir, options.jobs);
        result = readRun(reportDir);
      }
      runs.push({ row, profile, result });
    }
  }
  const findingsFile = path.join(__dirname, 'findings.md');
  writeDocument(options.out, rows, profileList, runs, {
    date: runDate(runs),
    runner: options.runner,
    jobs: options.jobs,
    cores: os.cpus().length,
    chromium: chromiumVersion(),
    findings: fs.existsSync(findingsFile) ? fs.readFileSync(findingsFile, 'utf8') : null,
  });
  log(`wrote ${path.relative(process.cwd(), options.out)}`);
}

if (require.main === module) main();

module.exports = { normaliseDifference, failureGroups, observedOptions, signals };
