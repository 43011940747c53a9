// What `connectsocket-conformance run --adapter agent:0.0.0.0:7357 --advertise-host <this machine's LAN address>`
// printed: the agent's URL and its one-time token. Edit both before each run.
module.exports = {
  url: 'http://192.168.1.20:7357/agent/v1',
  token: 'paste-the-token-here'
};
