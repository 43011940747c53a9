// WeChat's own promisifier (miniprogram-api-promise, from
// wechat-miniprogram-admin): `promisifyAll(wx, wxp)`, as its README shows.
import { promisifyAll } from 'miniprogram-api-promise';

const wxp = {};
promisifyAll(wx, wxp);
export const api = wxp;
