#!/usr/bin/env node
'use strict';
// npm run build: bundles each implementation with its shim into one classic
// script (dist/<id>.js) that defines globalThis.my and globalThis.wx, as the
// browser adapter's --impl expects. Nothing is fetched: esbuild and the
// frameworks come from node_modules (npm ci at the root of the adapters'
// npm workspaces, adapters/).
//
//   node build.js            # every implementation
//   node build.js uni-h5     # only those named

const path = require('node:path');
const esbuild = require('esbuild');
const { ROOT, IMPLEMENTATIONS, installedVersion, bundlePath } = require('./implementations');

/** Builds one implementation's bundle; returns its path. */
async function build(impl) {
  const version = installedVersion(impl.package);
  if (!version) throw new Error(`${impl.package} is not installed: run npm ci in ${path.dirname(ROOT)} (the adapters' npm workspaces)`);
  const outfile = bundlePath(impl.id);
  const { defineVersion, ...extra } = impl.esbuild;
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, impl.entry)],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    // The browser adapter evaluates the bundle in a fresh page at every
    // reset, i.e. once per scenario: minified, Taro's is half the size and
    // about half the time to evaluate, which a run of 133 scenarios on two
    // cores feels (docs/decisions.md). Names are kept, so the functions'
    // names in errors and stacks stay the framework's.
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: 'inline',
    logLevel: 'warning',
    ...extra,
    define: {
      'process.env.NODE_ENV': '"production"',
      __IMPLEMENTATION_VERSION__: JSON.stringify(version),
      ...(extra.define || {}),
      // The framework's own version constant, where its build defines one.
      ...(defineVersion ? { [defineVersion]: JSON.stringify(version) } : {}),
    },
  });
  return outfile;
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((id) => !IMPLEMENTATIONS.some((impl) => impl.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`unknown implementation(s): ${unknown.join(', ')} (known: ${IMPLEMENTATIONS.map((i) => i.id).join(', ')})\n`);
    process.exit(2);
  }
  for (const impl of IMPLEMENTATIONS) {
    if (wanted.length > 0 && !wanted.includes(impl.id)) continue;
    const outfile = await build(impl);
    process.stdout.write(`${impl.id}: ${impl.package}@${installedVersion(impl.package)} -> ${path.relative(process.cwd(), outfile)}\n`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}

module.exports = { build };
