'use strict';
// The frameworks' public reports about sockets, as an app meets them: with
// `await`, which a scenario cannot express (its calls on a task are made in
// the tick of the call that returned it). Each layer is loaded in process
// over a platform object, as src/adapter.js loads it.

const test = require('node:test');
const assert = require('node:assert');
const { layerById } = require('../implementations');
const { compileLayer } = require('../src/load');
const { createPlatform, destroyPlatform, isPlatformTask } = require('../src/platform');
const { platformStubs } = require('../src/stubs');
const { echoServer } = require('./helpers');

let server;
test.before(async () => { server = await echoServer(); });
test.after(() => server.close());

/** Layer `id` loaded over a fresh platform object: `{ api, platform }`. */
function load(id) {
  const layer = layerById(id);
  const platform = createPlatform(layer.build, {});
  Object.assign(platform, platformStubs(platform));
  return { api: compileLayer(layer).instantiate(platform), platform };
}

/** Resolves with the first call of a listener registered by `register(fn)`, or rejects after `ms`. */
function once(register, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not heard')), ms);
    register((res) => { clearTimeout(timer); resolve(res); });
  });
}

test('Taro, Alipay build (NervJS/taro #6511): connectSocket returns a Promise; the task it resolves with sends through my.sendSocketMessage', async () => {
  const { api: Taro, platform: my } = load('taro-alipay');
  try {
    const returned = Taro.connectSocket({ url: server.url, multiple: true });
    assert.ok(returned instanceof Promise, 'a Promise, not a SocketTask');
    const task = await returned;
    // Object.assign(task, res), where modifyAsyncResult gave res forwarders
    // to the global functions: the platform's task with its own methods
    // replaced.
    assert.ok(isPlatformTask(task));
    assert.deepStrictEqual(Object.keys(task).sort(), ['close', 'onClose', 'onError', 'onMessage', 'onOpen', 'send']);
    // task.send is my.sendSocketMessage: with no single-connection socket it
    // fails with error 10 (not open), where the task's own send would send.
    const failed = await new Promise((resolve, reject) => {
      task.send({ data: 'x', fail: resolve, success: () => reject(new Error('sent on the task')) });
    });
    assert.strictEqual(failed.error, 10);
  } finally {
    destroyPlatform(my);
  }
});

test('Taro, WeChat build (NervJS/taro #919, #930, #2022): the Promise resolves with the SocketTask merged with the success result', async () => {
  const { api: Taro, platform: wx } = load('taro-weapp');
  try {
    const returned = Taro.connectSocket({ url: server.url });
    assert.ok(returned instanceof Promise, 'the call itself returns no SocketTask');
    const task = await returned;
    assert.ok(isPlatformTask(task), 'await gives the platform task');
    assert.strictEqual(task.errMsg, 'connectSocket:ok');
    await once((fn) => task.onOpen(fn));
    const echo = once((fn) => task.onMessage(fn));
    task.send({ data: 'ping' });
    assert.strictEqual((await echo).data, 'ping');
  } finally {
    destroyPlatform(wx);
  }
});

test('Remax, WeChat build (remaxjs/remax #847): connectSocket is wx.connectSocket and returns the SocketTask', () => {
  const { api, platform: wx } = load('remax-wechat');
  try {
    assert.strictEqual(api.connectSocket, wx.connectSocket);
    assert.ok(isPlatformTask(api.connectSocket({ url: server.url })));
  } finally {
    destroyPlatform(wx);
  }
});

test('Remax, Alipay build: connectSocket is promisify(my.connectSocket) and returns a Promise of the success result', async () => {
  const { api, platform: my } = load('remax-ali');
  try {
    const returned = api.connectSocket({ url: server.url, multiple: true });
    assert.ok(returned instanceof Promise);
    const res = await returned;
    assert.ok(!isPlatformTask(res), 'the task is lost: the Promise resolves with the success result');
  } finally {
    destroyPlatform(my);
  }
});

test('minapp wxp (qiu8310/minapp #38): connectSocket returns a Promise of the success result, never the SocketTask', async () => {
  const { api: wxp, platform: wx } = load('minapp-wxp');
  try {
    const returned = wxp.connectSocket({ url: server.url });
    assert.ok(returned instanceof Promise);
    assert.ok(!isPlatformTask(await returned));
  } finally {
    destroyPlatform(wx);
  }
});

test('miniprogram-api-promise: with callbacks connectSocket returns nothing, without them a Promise', async () => {
  const { api: wxp, platform: wx } = load('wechat-api-promise');
  try {
    assert.strictEqual(wxp.connectSocket({ url: server.url, success() {} }), undefined);
    const returned = wxp.connectSocket({ url: server.url });
    assert.ok(returned instanceof Promise);
    assert.ok(!isPlatformTask(await returned));
  } finally {
    destroyPlatform(wx);
  }
});

test('mpx with usePromise: connectSocket returns a Promise; the task is only its non-standard __returned', async () => {
  const { api, platform: wx } = load('mpx-wx');
  try {
    const returned = api.connectSocket({ url: server.url });
    assert.ok(returned instanceof Promise);
    assert.ok(isPlatformTask(returned.__returned));
    await returned;
  } finally {
    destroyPlatform(wx);
  }
});

test('uni-app: connectSocket returns the SocketTask only when a callback is given', async () => {
  for (const id of ['uni-mp-alipay', 'uni-mp-weixin']) {
    const { api: uni, platform } = load(id);
    try {
      assert.ok(isPlatformTask(uni.connectSocket({ url: server.url, multiple: true, complete() {} })), id);
      const returned = uni.connectSocket({ url: server.url, multiple: true });
      assert.ok(returned instanceof Promise, id);
      assert.ok(!isPlatformTask(await returned), id);
    } finally {
      destroyPlatform(platform);
    }
  }
});
