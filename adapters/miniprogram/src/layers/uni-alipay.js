// uni-app's Alipay build (Vue 3): the `uni` object of @dcloudio/uni-mp-alipay,
// a Proxy whose functions wrap `my.*` with uni's protocols and promisify.
import uni from '@dcloudio/uni-mp-alipay/dist/uni.api.esm.js';

export const api = uni;
