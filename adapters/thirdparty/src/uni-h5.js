// uni-app H5 (@dcloudio/uni-h5, Vue 3): its socket functions as `my` / `wx`.
//
// uni-h5's API functions reach their event bus through the global
// `UniServiceJSBridge`, and read the app config `__uniConfig`; a uni-app
// build defines both before any page code runs (uni-h5-vite's generated
// main: `window.UniServiceJSBridge = UniServiceJSBridge`, `window.__uniConfig
// = extend(pages.json, …)`). This entry does the same, with an empty app
// config, before it exposes the functions.
import './page-storage.js'; // first: uni-h5 reads localStorage while it loads
import { uni, UniServiceJSBridge } from '@dcloudio/uni-h5';
import { expose, UNSUPPORTED_BY_WEB_FRAMEWORKS } from './expose.js';

window.UniServiceJSBridge = UniServiceJSBridge;
expose({ name: 'uni-h5', version: __IMPLEMENTATION_VERSION__, api: uni, unsupported: UNSUPPORTED_BY_WEB_FRAMEWORKS });
