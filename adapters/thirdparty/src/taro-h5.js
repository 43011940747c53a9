// Taro H5 (@tarojs/taro-h5): its socket functions as `my` / `wx`.
// Taro's H5 connectSocket returns a Promise of its SocketTask, and its
// onSocket* / sendSocketMessage / closeSocket only warn "Deprecated"; they are
// passed through as they are.
import './page-storage.js'; // first: Taro's H5 runtime reads localStorage while it loads
import * as taro from '@tarojs/taro-h5';
import { expose, UNSUPPORTED_BY_WEB_FRAMEWORKS } from './expose.js';

expose({ name: 'taro-h5', version: __IMPLEMENTATION_VERSION__, api: taro, unsupported: UNSUPPORTED_BY_WEB_FRAMEWORKS });
