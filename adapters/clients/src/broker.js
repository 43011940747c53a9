'use strict';
// An MQTT broker over WebSocket on loopback, for the client tests: aedes
// behind a `ws` server on 127.0.0.1 (an ephemeral port) that accepts the
// `mqtt` subprotocol, as a broker's WebSocket listener does.

const { WebSocketServer, createWebSocketStream } = require('ws');
const { Aedes } = require('aedes');

/**
 * Starts a broker: `{ port, aedes, drop(), close() }`. `drop()` ends every
 * client connection from the server's side at once (a TCP reset, as when a
 * broker or a proxy goes away); `close()` stops everything.
 */
async function startBroker() {
  const aedes = await Aedes.createBroker();
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  wss.on('connection', (ws) => {
    const stream = createWebSocketStream(ws);
    stream.on('error', () => {}); // a dropped client: aedes sees the stream end
    aedes.handle(stream);
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  return {
    port: wss.address().port,
    aedes,
    drop() {
      for (const ws of wss.clients) ws.terminate();
    },
    close: () => new Promise((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => aedes.close(() => resolve()));
    }),
  };
}

module.exports = { startBroker };
