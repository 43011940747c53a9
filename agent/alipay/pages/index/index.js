// Shows the agent's progress (app.js) and the last call it performed.
Page({
  data: { phase: 'starting', scenarios: 0, requests: 0, last: '', error: null },
  onLoad: function () {
    var page = this;
    getApp().watch(function (state) {
      page.setData(state);
    });
  }
});
