// Remax's Alipay build: the API module of @remax/ali (what `remax/ali`
// re-exports next to its host components), whose socket functions are `my.*`
// or promisify(my.*).
import * as remax from '@remax/ali/esm/api.js';

export const api = remax;
