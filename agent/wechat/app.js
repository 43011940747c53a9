// The conformance agent in a WeChat mini-program: it starts at launch
// with the URL and token of config.js, talks to the runner through
// wx.request and performs the runner's requests on `wx` itself. The page
// shows its progress and the last call.
var agent = require('./agent.js');
var config = require('./config.js');

App({
  state: { phase: 'starting', scenarios: 0, requests: 0, last: '', error: null },
  watchers: [],
  onLaunch: function () {
    var app = this;
    agent.start({
      url: config.url,
      token: config.token,
      platform: wx,
      face: 'wx',
      name: 'wechat',
      version: (wx.getSystemInfoSync().SDKVersion || 'unknown SDK'),
      request: agent.requestVia.wechat(wx),
      onProgress: function (state) {
        app.state = {
          phase: state.phase, scenarios: state.scenarios, requests: state.requests,
          last: state.last, error: state.error
        };
        for (var i = 0; i < app.watchers.length; i += 1) app.watchers[i](app.state);
      }
    });
  },
  /** Calls `fn` with the agent's state now and at every change. */
  watch: function (fn) {
    this.watchers.push(fn);
    fn(this.state);
  }
});
