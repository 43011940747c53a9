// mpx (@mpxjs/api-proxy) in a mini-program mode (`ali` or `wx`, a build-time
// constant): the proxy an mpx app installs with `mpx.use(apiProxy, { usePromise:
// true })`, the setting of mpx's project template. Without usePromise its
// socket functions are the platform's own (ENV_OBJ.connectSocket, …).
import { getProxy } from '@mpxjs/api-proxy';

export const api = getProxy({ usePromise: true });
