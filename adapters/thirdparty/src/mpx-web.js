// mpx on the web (@mpxjs/api-proxy, its `.web.js` platform files, as
// @mpxjs/webpack-plugin resolves them in mode "web"): its socket functions as
// `my` / `wx`.
import * as mpx from '@mpxjs/api-proxy';
import { expose, UNSUPPORTED_BY_WEB_FRAMEWORKS } from './expose.js';

expose({ name: 'mpx-web', version: __IMPLEMENTATION_VERSION__, api: mpx, unsupported: UNSUPPORTED_BY_WEB_FRAMEWORKS });
