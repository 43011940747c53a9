// Remax's WeChat build: the API module of @remax/wechat (what `remax/wechat`
// re-exports next to its host components), whose socket functions are `wx.*`
// or promisify(wx.*).
import * as remax from '@remax/wechat/esm/api/index.js';

export const api = remax;
