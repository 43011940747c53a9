'use strict';
// Starting and ending headless Chromium: a fresh temporary HOME (with its own
// NSS certificate database holding the run's CA) and profile per adapter
// process, DevTools over a pipe, its own process group, killed whole.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pemCertificates } = require('connectsocket-common/certificates');
const { CdpConnection } = require('./cdp');

/** Candidate browser executables, in order; `CHROMIUM` overrides them. */
const EXECUTABLES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser executable to use, or null when none is installed. */
function findChromium(env = process.env) {
  if (env.CHROMIUM) return fs.existsSync(env.CHROMIUM) ? env.CHROMIUM : null;
  return EXECUTABLES.find((file) => fs.existsSync(file)) || null;
}

/** Whether `certutil` (libnss3-tools) is on PATH. */
function hasCertutil() {
  try {
    execFileSync('certutil', ['-H'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // certutil -H prints its help and exits 1; ENOENT means it is missing.
    return err.code !== 'ENOENT';
  }
}

/**
 * Makes `$home/.pki/nssdb` and adds each certificate of `caPem` as a trusted
 * CA for TLS servers ("C,,"). Throws when the PEM holds no certificate or
 * certutil refuses one.
 */
function makeNssDatabase(home, caPem) {
  const db = path.join(home, '.pki', 'nssdb');
  fs.rmSync(db, { recursive: true, force: true });
  fs.mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'], { stdio: 'pipe' });
  if (!caPem) return;
  pemCertificates(caPem).forEach((block, i) => {
    const file = path.join(home, `ca-${i}.pem`);
    fs.writeFileSync(file, `${block}\n`);
    try {
      execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-t', 'C,,', '-n', `conformance-ca-${i}`, '-i', file], {
        stdio: 'pipe',
      });
    } catch (err) {
      const detail = err.stderr ? String(err.stderr).trim() : err.message;
      throw new Error(`certutil refused certificate ${i + 1} of caCertificatesPem: ${detail}`);
    }
  });
}

/** Command-line switches: headless, quiet, nothing fetched from the network by the browser itself. */
function browserArguments(profile, extra = []) {
  const args = [
    ...extra,
    '--headless',
    '--remote-debugging-pipe',
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-sync',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--mute-audio',
    // Every instance's page runs its timers on time, visible or not.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--password-store=basic',
    '--disable-features=Translate,MediaRouter,OptimizationHints,LocalNetworkAccessChecks',
    'about:blank',
  ];
  // Chromium's sandbox refuses to run as root.
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.unshift('--no-sandbox');
  return args;
}

/** A running browser: its process, its DevTools connection, its temporary HOME. */
class Browser {
  constructor(child, cdp, home) {
    this.child = child;
    this.cdp = cdp;
    this.home = home;
    this.exited = false;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal });
      });
    });
  }

  /**
   * Kills the browser and every process below it (renderers, zygote,
   * utilities) at once: no orderly shutdown to wait for. The tree is read
   * before the kill, since orphans are adopted by init at once.
   */
  kill() {
    if (this.exited) return;
    this.tree = descendants(this.child.pid).concat([this.child.pid]);
    for (const pid of this.tree) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /**
   * Kills the browser and waits until it and every process it started have
   * gone, for at most `limitMs`.
   */
  async close(limitMs = 2000) {
    this.kill();
    await this.exit;
    this.cdp.close(new Error('browser closed'));
    const until = Date.now() + limitMs;
    while ((this.tree || []).some(isLive) && Date.now() < until) {
      // No event tells when an unrelated process has gone: look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** `[pid, ppid, state]` of every process, from /proc (empty without it). */
function processTable() {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const table = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    table.push([Number(entry), Number(fields[1]), fields[0]]);
  }
  return table;
}

/** Every live process below `root`, children before grandchildren. */
function descendants(root) {
  const table = processTable();
  const found = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = table.filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Whether `pid` is a live (not zombie) process. */
function isLive(pid) {
  const row = processTable().find(([p]) => p === pid);
  return row !== undefined && row[2] !== 'Z' && row[2] !== 'X';
}

/**
 * Starts Chromium with HOME = `home` (whose NSS database must be ready) and a
 * profile under it. Resolves once DevTools answers.
 */
async function launchBrowser({ executable, home, log, extraArguments = [] }) {
  const profile = path.join(home, 'profile');
  fs.mkdirSync(profile, { recursive: true });
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
  const child = spawn(executable, browserArguments(profile, extraArguments), {
    env,
    // fd 3: commands to the browser, fd 4: answers and events from it.
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    // The adapter's own process group (no `detached`): the runner ends an
    // adapter by killing its group, and that must take the browser with it.
  });
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const forward = (stream) => {
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) if (line.trim()) log(`chromium: ${line}`);
    });
  };
  forward(child.stdout);
  forward(child.stderr);
  await spawned;
  const cdp = new CdpConnection(child.stdio[3], child.stdio[4]);
  const browser = new Browser(child, cdp, home);
  try {
    const version = await Promise.race([
      cdp.send('Browser.getVersion'),
      browser.exit.then(({ code, signal }) => {
        throw new Error(`chromium exited at start (code ${code}, signal ${signal})`);
      }),
    ]);
    browser.version = version.product;
  } catch (err) {
    browser.kill();
    throw err;
  }
  return browser;
}

const HOME_PREFIX = 'connectsocket-browser-';

/**
 * A new temporary HOME for one adapter process, named after its pid. HOMEs
 * left by adapters that were killed outright (their pid is gone) are
 * removed first.
 */
function makeTemporaryHome() {
  removeStaleHomes();
  return fs.mkdtempSync(path.join(os.tmpdir(), `${HOME_PREFIX}${process.pid}-`));
}

function removeStaleHomes() {
  let entries = [];
  try {
    entries = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = new RegExp(`^${HOME_PREFIX}(\\d+)-`).exec(entry);
    if (!match || processAlive(Number(match[1]))) continue;
    fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

module.exports = { findChromium, hasCertutil, makeNssDatabase, launchBrowser, makeTemporaryHome };
