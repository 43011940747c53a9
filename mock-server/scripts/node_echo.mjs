// Echo through Node's WebSocket client (node --experimental-websocket).
// Usage: node --experimental-websocket node_echo.mjs ws[s]://127.0.0.1:PORT/s/ID/echo
const url = process.argv[2];
const timer = setTimeout(() => { console.log(`FAIL node ${url}: timed out`); process.exit(1); }, 5000);
const ws = new WebSocket(url);
ws.onerror = (e) => { console.log(`FAIL node ${url}: ${e.message ?? e.type}`); process.exit(1); };
ws.onopen = () => ws.send("hello from node");
ws.onmessage = (e) => {
  if (e.data !== "hello from node") { console.log(`FAIL node ${url}: echo was ${e.data}`); process.exit(1); }
  ws.close(1000, "done");
};
ws.onclose = (e) => {
  clearTimeout(timer);
  if (e.code !== 1000) { console.log(`FAIL node ${url}: close code ${e.code}`); process.exit(1); }
  console.log(`ok   node echo over ${new URL(url).protocol.replace(":", "")}: text echoed, closed with ${e.code}`);
};
