'use strict';
// mqtt.js's mini-program transports (`ali` over `my`, `wx` over `wx`) from
// its browser bundle, over the project's Node.js implementation, against an
// MQTT broker over WebSocket on loopback (src/broker.js). Each transport goes
// through one client's life: connect, subscribe, publish QoS 0 and 1, a
// 100 KB payload, bytes 0-255, a retained message, unsubscribe, reconnect
// after the broker drops the connection, and end().

const test = require('node:test');
const assert = require('node:assert');
const { loadMqtt } = require('../src/mqtt-bundle');
const { startBroker } = require('../src/broker');
const { createPlatform, destroyPlatform } = require('../../miniprogram/src/platform');

const WAIT_MS = 5000;

/** Resolves with the arguments of the next `event` of `emitter` (that `pred` accepts), or rejects after WAIT_MS. */
function next(emitter, event, pred = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no ${event} within ${WAIT_MS} ms`));
    }, WAIT_MS);
    function on(...args) {
      if (!pred(...args)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(args);
    }
    emitter.on(event, on);
  });
}

/** The next message on `topic`: `{ payload, packet }`. */
async function message(client, topic) {
  const [, payload, packet] = await next(client, 'message', (t) => t === topic);
  return { payload: Buffer.from(payload), packet };
}

let broker;
test.before(async () => { broker = await startBroker(); });
test.after(() => broker.close());

for (const transport of ['ali', 'wx']) {
  test(`mqtt.js ${transport} transport over the Node.js implementation as ${transport === 'ali' ? 'my' : 'wx'}`, async (t) => {
    const platform = createPlatform(transport === 'ali' ? 'my' : 'wx', {});
    const mqtt = loadMqtt({ wx: transport === 'wx' ? platform : undefined });
    const clientId = `mp-${transport}`;
    // forceNativeWebSocket: outside a browser the bundle registers the
    // mini-program transports only with it (connect/index.js).
    const client = mqtt.connect(`${transport}://127.0.0.1:${broker.port}/`, {
      clientId, forceNativeWebSocket: true, my: platform, reconnectPeriod: 50, connectTimeout: WAIT_MS,
    });
    const errors = [];
    client.on('error', (err) => errors.push(err.message));
    t.after(() => {
      client.end(true);
      destroyPlatform(platform);
    });

    await t.test('connect', async () => {
      const [connack] = await next(client, 'connect');
      assert.strictEqual(connack.returnCode ?? connack.reasonCode ?? 0, 0);
      assert.strictEqual(client.connected, true);
    });

    await t.test('subscribe', async () => {
      const granted = await client.subscribeAsync({ 't/+': { qos: 1 }, 'z/#': { qos: 1 } });
      assert.deepStrictEqual(granted.map((g) => g.qos).sort(), [1, 1]);
    });

    await t.test('publish QoS 0', async () => {
      const got = message(client, 't/q0');
      await client.publishAsync('t/q0', 'hello, qos 0', { qos: 0 });
      const { payload, packet } = await got;
      assert.strictEqual(payload.toString('utf8'), 'hello, qos 0');
      assert.strictEqual(packet.qos, 0);
    });

    await t.test('publish QoS 1', async () => {
      const got = message(client, 't/q1');
      const puback = await client.publishAsync('t/q1', '你好, qos 1', { qos: 1 });
      assert.ok(puback, 'the broker acknowledged the QoS 1 publish');
      const { payload, packet } = await got;
      assert.strictEqual(payload.toString('utf8'), '你好, qos 1');
      assert.strictEqual(packet.qos, 1);
    });

    await t.test('a 100 KB payload', async () => {
      const big = Buffer.alloc(100 * 1024);
      for (let i = 0; i < big.length; i += 1) big[i] = (i * 31 + 7) % 251;
      const got = message(client, 't/big');
      await client.publishAsync('t/big', big, { qos: 1 });
      const { payload } = await got;
      assert.strictEqual(payload.length, big.length);
      assert.ok(payload.equals(big), 'the payload came back unchanged');
    });

    await t.test('bytes 0-255', async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const got = message(client, 't/bytes');
      await client.publishAsync('t/bytes', bytes, { qos: 1 });
      assert.ok((await got).payload.equals(bytes));
    });

    await t.test('a retained message', async () => {
      await client.publishAsync(`r/${transport}`, 'kept', { qos: 1, retain: true });
      const got = message(client, `r/${transport}`);
      // A new subscription gets the retained message, flagged retained.
      await client.subscribeAsync(`r/${transport}`, { qos: 1 });
      const { payload, packet } = await got;
      assert.strictEqual(payload.toString(), 'kept');
      assert.strictEqual(packet.retain, true);
    });

    await t.test('unsubscribe', async () => {
      await client.unsubscribeAsync('t/+');
      const seen = [];
      const record = (topic) => seen.push(topic);
      client.on('message', record);
      // The broker forwards one publisher's messages in order: once z/after
      // is here, t/gone would have come before it.
      const after = message(client, 'z/after');
      await client.publishAsync('t/gone', 'nobody listens', { qos: 1 });
      await client.publishAsync('z/after', 'still subscribed', { qos: 1 });
      await after;
      // The client's PUBACK for z/after (written after its 'message', so
      // not yet at the broker now; aedes's memory store gives 'ack' no
      // packet, hence the client id) reaches the broker before the next
      // test drops the connection: with a write in flight at the drop,
      // the wx transport throws its send's `fail` uncaught (README).
      await next(broker.aedes, 'ack', (_packet, c) => c?.id === clientId);
      client.off('message', record);
      assert.deepStrictEqual(seen, ['z/after']);
    });

    await t.test('reconnect after the server drops the connection', async () => {
      const closed = next(client, 'close');
      const reconnected = next(client, 'connect');
      broker.drop();
      await closed;
      await next(client, 'reconnect');
      await reconnected;
      // Subscriptions are made again (mqtt.js resubscribes on a clean session).
      const got = message(client, 'z/again');
      await client.publishAsync('z/again', 'back', { qos: 1 });
      assert.strictEqual((await got).payload.toString(), 'back');
    });

    await t.test('end()', async () => {
      const gone = next(broker.aedes, 'clientDisconnect', (c) => c.id === clientId);
      await client.endAsync();
      assert.strictEqual(client.connected, false);
      await gone;
      assert.deepStrictEqual(errors, []);
    });
  });
}
