// Taro's WeChat build: the platform plugin's runtime (which a Taro build's app
// entry imports first, registering its initNativeApi hook) and then
// @tarojs/taro, whose load promisifies every function of `wx` into Taro.*.
import '@tarojs/plugin-platform-weapp/dist/runtime';
import Taro from '@tarojs/taro';

export const api = Taro;
