// uni-app's WeChat build (Vue 3): the `uni` object of @dcloudio/uni-mp-weixin,
// a Proxy whose functions wrap `wx.*` with uni's protocols and promisify.
import uni from '@dcloudio/uni-mp-weixin/dist/uni.api.esm.js';

export const api = uni;
