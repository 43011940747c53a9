'use strict';
// The frameworks' mini-program API layers this folder adapts, as data: for
// each, the packages that are the layer (their installed versions are the
// implementation's version), the build (`my` for Alipay, `wx` for WeChat),
// the entry that imports the layer (src/layers/), what esbuild needs to load
// it as the framework's own build would, the profiles it is judged under and
// the runner's --adapter command line. Read by src/adapter.js, the tests and
// whoever adds these rows to the compatibility matrix (same shape as
// adapters/thirdparty/implementations.js, plus `build`, `profiles` and
// `adapter`).

const fs = require('node:fs');
const path = require('node:path');

const ROOT = __dirname;

/** The profiles of each build (docs/profiles.md). */
const PROFILES = { my: ['alipay-2022-09', 'alipay-current'], wx: ['wechat'] };

/** What a Taro mini-program build (its mini-runner's DefinePlugin) substitutes, for platform `env`. */
function taroDefines(env) {
  return {
    'process.env.TARO_ENV': JSON.stringify(env),
    'process.env.TARO_PLATFORM': '"mini"',
    'process.env.FRAMEWORK': '"react"',
    'process.env.SUPPORT_TARO_POLYFILL': '"disabled"',
    ENABLE_INNER_HTML: 'true',
    ENABLE_ADJACENT_HTML: 'false',
    ENABLE_SIZE_APIS: 'false',
    ENABLE_TEMPLATE_CONTENT: 'false',
    ENABLE_CLONE_NODE: 'false',
    ENABLE_CONTAINS: 'false',
    ENABLE_MUTATION_OBSERVER: 'false',
  };
}

/** What uni-app's mp build (uni-mp-vite) substitutes, for platform `platform` ("mp-alipay", "mp-weixin"). */
function uniDefines(platform) {
  return {
    'process.env.UNI_PLATFORM': JSON.stringify(platform),
    'process.env.UNI_SUB_PLATFORM': '""',
    'process.env.UNI_APP_ID': '""',
    'process.env.UNI_APP_NAME': '""',
    'process.env.UNI_APP_VERSION_NAME': '""',
    'process.env.UNI_APP_VERSION_CODE': '""',
    'process.env.UNI_COMPILER_VERSION': '""',
    'process.env.UNI_DEBUG': 'false',
    'process.env.VUE_APP_DARK_MODE': 'false',
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  };
}

/** The `vue` a uni-app mp build resolves: uni's own runtime, the version `pkg` depends on. */
function uniVue(pkg) {
  return () => ({ vue: path.dirname(require.resolve('@dcloudio/uni-mp-vue/package.json', { paths: [path.join(ROOT, 'node_modules', pkg)] })) });
}

/** What @mpxjs/webpack-plugin gives a build in `mode` ("ali", "wx"). */
function mpxOptions(mode) {
  return {
    // It prefers `*.<mode>.js` files and defines __mpx_mode__.
    resolveExtensions: [`.${mode}.js`, '.js', '.mjs', '.json'],
    define: { __mpx_mode__: JSON.stringify(mode), __mpx_env__: '""' },
    // The plugin's ProvidePlugin gives every module `mpxGlobal`.
    inject: [path.join(ROOT, 'src', 'layers', 'mpx-global.js')],
  };
}

/**
 * Each layer: `id` (the matrix row), `title`, `framework`, `packages` (the
 * first is the one whose version names the row), `build`, `entry`,
 * `esbuild` (options beyond the common ones; `alias` may be a function,
 * called when the layer is bundled), `stubs` (the platform's functions and
 * app globals the layer reads that are no part of the socket API: see
 * src/stubs.js) and, where the framework has a known public report about
 * sockets, `reports`.
 */
const LAYERS = [
  {
    id: 'platform-my',
    title: 'Node.js implementation as `my` (no framework)',
    framework: null,
    packages: [],
    build: 'my',
    entry: 'src/layers/platform.js',
    esbuild: {},
  },
  {
    id: 'platform-wx',
    title: 'Node.js implementation as `wx` (no framework)',
    framework: null,
    packages: [],
    build: 'wx',
    entry: 'src/layers/platform.js',
    esbuild: {},
  },
  {
    id: 'taro-alipay',
    title: 'Taro (Alipay build)',
    framework: 'Taro',
    packages: ['@tarojs/taro', '@tarojs/plugin-platform-alipay'],
    build: 'my',
    entry: 'src/layers/taro-alipay.js',
    esbuild: { define: taroDefines('alipay'), defineVersion: 'process.env.TARO_VERSION' },
  },
  {
    id: 'taro-weapp',
    title: 'Taro (WeChat build)',
    framework: 'Taro',
    packages: ['@tarojs/taro', '@tarojs/plugin-platform-weapp'],
    build: 'wx',
    entry: 'src/layers/taro-weapp.js',
    esbuild: { define: taroDefines('weapp'), defineVersion: 'process.env.TARO_VERSION' },
  },
  {
    id: 'uni-mp-alipay',
    title: 'uni-app (Alipay build)',
    framework: 'uni-app',
    packages: ['@dcloudio/uni-mp-alipay'],
    build: 'my',
    entry: 'src/layers/uni-alipay.js',
    esbuild: { alias: uniVue('@dcloudio/uni-mp-alipay'), define: uniDefines('mp-alipay') },
  },
  {
    id: 'uni-mp-weixin',
    title: 'uni-app (WeChat build)',
    framework: 'uni-app',
    packages: ['@dcloudio/uni-mp-weixin'],
    build: 'wx',
    entry: 'src/layers/uni-weixin.js',
    esbuild: { alias: uniVue('@dcloudio/uni-mp-weixin'), define: uniDefines('mp-weixin') },
  },
  {
    id: 'mpx-ali',
    title: 'mpx (Alipay build, usePromise)',
    framework: 'mpx',
    packages: ['@mpxjs/api-proxy'],
    build: 'my',
    entry: 'src/layers/mpx.js',
    esbuild: mpxOptions('ali'),
  },
  {
    id: 'mpx-wx',
    title: 'mpx (WeChat build, usePromise)',
    framework: 'mpx',
    packages: ['@mpxjs/api-proxy'],
    build: 'wx',
    entry: 'src/layers/mpx.js',
    esbuild: mpxOptions('wx'),
  },
  {
    id: 'remax-ali',
    title: 'Remax (Alipay build)',
    framework: 'Remax',
    packages: ['@remax/ali', '@remax/framework-shared'],
    build: 'my',
    entry: 'src/layers/remax-ali.js',
    esbuild: {},
  },
  {
    id: 'remax-wechat',
    title: 'Remax (WeChat build)',
    framework: 'Remax',
    packages: ['@remax/wechat', '@remax/framework-shared'],
    build: 'wx',
    entry: 'src/layers/remax-wechat.js',
    esbuild: {},
  },
  {
    id: 'minapp-wxp',
    title: 'minapp wxp (WeChat)',
    framework: 'minapp',
    packages: ['@minapp/wx'],
    build: 'wx',
    entry: 'src/layers/minapp-wxp.js',
    esbuild: {},
  },
  {
    id: 'wechat-api-promise',
    title: 'miniprogram-api-promise (WeChat)',
    framework: 'miniprogram-api-promise',
    packages: ['miniprogram-api-promise'],
    build: 'wx',
    entry: 'src/layers/wechat-api-promise.js',
    esbuild: {},
  },
];

/** The installed version of `pkg` (from node_modules), or null when it is not installed. */
function installedVersion(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** The layer named `id`, or an Error naming the known ones. */
function layerById(id) {
  const layer = LAYERS.find((l) => l.id === id);
  if (layer) return layer;
  return new Error(`unknown layer ${JSON.stringify(id)} (known: ${LAYERS.map((l) => l.id).join(', ')})`);
}

/** The runner's --adapter for layer `id`, from the repository root. */
function adapterCommand(id) {
  return `node adapters/miniprogram/src/adapter.js --layer ${id}`;
}

/**
 * The rows for the compatibility matrix: one per layer and profile of its
 * build, with the package versions installed now.
 */
function matrixRows() {
  return LAYERS.flatMap((layer) => PROFILES[layer.build].map((profile) => ({
    id: layer.id,
    title: layer.title,
    framework: layer.framework,
    build: layer.build,
    profile,
    versions: Object.fromEntries(layer.packages.map((p) => [p, installedVersion(p)])),
    adapter: adapterCommand(layer.id),
  })));
}

module.exports = { ROOT, LAYERS, PROFILES, installedVersion, layerById, adapterCommand, matrixRows };
