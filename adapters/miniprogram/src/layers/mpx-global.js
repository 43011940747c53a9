// What @mpxjs/webpack-plugin provides to every module as the free variable
// `mpxGlobal` (its ProvidePlugin and lib/runtime/mpxGlobal.js:
// `Object.create(global)`); esbuild injects it the same way (implementations.js).
export const mpxGlobal = Object.create(globalThis);
