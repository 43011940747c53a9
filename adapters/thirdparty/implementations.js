'use strict';
// The third-party implementations this folder adapts: for each, the npm
// package that is the implementation, the shim that exposes it (src/), and
// what esbuild needs to bundle it for a page as the framework's own build
// would. Read by build.js and the tests; the compatibility matrix runs the
// bundles as the rows of scripts/compatibility.json say.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = __dirname;
/** Where `npm run build` writes the bundles (gitignored). */
const DIST = path.join(ROOT, 'dist');

/** uni-app's compile-time feature flags (uni-cli-shared's initFeatures), for an app with no pages, tabBar or windows. */
const UNI_FEATURES = Object.fromEntries([
  'LEFTWINDOW', 'LONGPRESS', 'NAVIGATIONBAR_BUTTONS', 'NAVIGATIONBAR_SEARCHINPUT', 'NAVIGATIONBAR_TRANSPARENT',
  'NAVIGATIONBAR', 'PAGES', 'PULL_DOWN_REFRESH', 'RESPONSIVE', 'RIGHTWINDOW', 'TABBAR_MIDBUTTON', 'TABBAR',
  'TOPWINDOW', 'UNI_CLOUD', 'WXS', 'WX',
].map((name) => [`__UNI_FEATURE_${name}__`, 'false']));

/** Vue's compile-time flags, as a production build sets them. */
const VUE_FLAGS = {
  __VUE_OPTIONS_API__: 'true',
  __VUE_PROD_DEVTOOLS__: 'false',
  __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
};

/**
 * Each implementation: `id` (the bundle's name and the matrix row), `title`,
 * `package` (whose installed version is the implementation's version),
 * `entry` (the shim) and esbuild options beyond the common ones.
 */
const IMPLEMENTATIONS = [
  {
    id: 'taro-h5',
    title: 'Taro H5',
    package: '@tarojs/taro-h5',
    entry: 'src/taro-h5.js',
    esbuild: {
      // What Taro's H5 build (its webpack/vite runner's DefinePlugin) substitutes.
      define: {
        'process.env.TARO_ENV': '"h5"',
        'process.env.TARO_PLATFORM': '"web"',
        'process.env.FRAMEWORK': '"react"',
        'process.env.SUPPORT_TARO_POLYFILL': '"disabled"',
      },
      defineVersion: 'process.env.TARO_VERSION',
      // @tarojs/components' lazy loader globs for component chunks a page of sockets never loads.
      logOverride: { 'empty-glob': 'silent' },
    },
  },
  {
    id: 'uni-h5',
    title: 'uni-app H5',
    package: '@dcloudio/uni-h5',
    entry: 'src/uni-h5.js',
    esbuild: {
      // uni-h5-vite resolves `vue` to uni's own build of the Vue runtime.
      alias: { vue: '@dcloudio/uni-h5-vue' },
      define: { ...UNI_FEATURES, __UNI_FEATURE_ROUTER_MODE__: '"hash"', ...VUE_FLAGS },
    },
  },
  {
    id: 'mpx-web',
    title: 'mpx (web)',
    package: '@mpxjs/api-proxy',
    entry: 'src/mpx-web.js',
    esbuild: {
      // mpx's web runtime is Vue 2 (@mpxjs/core's peer dependency vue ^2.7), while uni-app and
      // Taro bring Vue 3 to node_modules/vue: Vue 2 is installed as `vue2` (package.json) for it.
      alias: { vue: 'vue2' },
      // @mpxjs/webpack-plugin in mode "web" prefers `*.web.js` and defines __mpx_mode__.
      resolveExtensions: ['.web.js', '.js', '.mjs', '.json'],
      // webpack gives modules `global` (the window); mpx's web files use it.
      define: { __mpx_mode__: '"web"', __mpx_env__: '""', global: 'globalThis' },
      // The stylesheets of its modal, toast and action-sheet components: no socket code, and a
      // page without them works the same for sockets (the framework's build compiles stylus).
      loader: { '.styl': 'empty' },
      // The plugin's ProvidePlugin gives every module `mpxGlobal`.
      inject: [path.join(ROOT, 'src', 'mpx-global.js')],
    },
  },
];

/**
 * The installed version of `pkg`, or null when it is not installed: from the
 * first `node_modules/<pkg>` found from this folder up, as Node.js resolves it
 * (npm workspaces install it in `adapters/node_modules`).
 */
function installedVersion(pkg) {
  for (let dir = ROOT; ; dir = path.dirname(dir)) {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    } catch {
      if (path.dirname(dir) === dir) return null;
    }
  }
}

/** The bundle file of implementation `id`. */
function bundlePath(id) {
  return path.join(DIST, `${id}.js`);
}

module.exports = { ROOT, DIST, IMPLEMENTATIONS, installedVersion, bundlePath };
