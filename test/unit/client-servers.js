'use strict';
/**
 * Real local servers for the client tests (no HTTP mocking): an HTTP server that records what
 * it was sent, a raw TCP server for answers no HTTP library would write, and a small forward
 * proxy (absolute-URI requests and CONNECT tunnels) that records what it could see.
 */
const http = require('node:http');
const net = require('node:net');

const { resolveHosts } = require('../../dist/core/hosts');

/** Listen on 127.0.0.1 and remember every socket, so close() never waits on a keep-alive one. */
async function listen(server) {
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    server,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * An HTTP server; `handler(req, res, body)` runs once the request body is in. `seen` lists
 * each request ({ method, url, headers, body }) and `closed` counts request sockets closed.
 */
async function httpServer(handler) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const listening = await listen(server);
  return { ...listening, seen, origin: `http://127.0.0.1:${listening.port}` };
}

/** A TCP server; `onSocket(socket, firstData)` runs when the first bytes arrive. */
async function rawServer(onSocket) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (data) => onSocket(socket, data));
  });
  return listen(server);
}

/**
 * A forward proxy: absolute-URI requests are relayed with http.request, CONNECT is a TCP
 * tunnel. It records what it could read: `requests` (absolute-URI), `connects` ({ url,
 * headers }) and `tunnelled` (the client-to-target bytes that crossed each tunnel).
 * `answerConnect` may be set to a status code to refuse tunnels.
 */
async function forwardProxy() {
  const state = { requests: [], connects: [], tunnelled: [], answerConnect: 200 };
  const server = http.createServer((req, res) => {
    state.requests.push({ method: req.method, url: req.url, headers: req.headers });
    const out = http.request(req.url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connect', (req, client, head) => {
    const record = { url: req.url, headers: req.headers, bytes: [] };
    state.connects.push(record);
    client.on('error', () => {});
    if (state.answerConnect !== 200) {
      client.end(`HTTP/1.1 ${state.answerConnect} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = req.url.split(':');
    const target = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) target.write(head);
      client.on('data', (d) => record.bytes.push(d));
      client.pipe(target);
      target.pipe(client);
    });
    target.on('error', () => client.destroy());
    client.on('close', () => target.destroy());
  });
  const listening = await listen(server);
  state.tunnelledText = () => Buffer.concat(state.connects.flatMap((c) => c.bytes)).toString('latin1');
  return { ...listening, state, url: `http://127.0.0.1:${listening.port}` };
}

function hostsFor(origin) {
  return resolveHosts({ region: 'custom', baseUrl: origin });
}

const PROXY_VARS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

/** Run `fn` with exactly `vars` as the proxy environment, restoring it afterwards. */
async function withProxyEnv(vars, fn) {
  const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const k of PROXY_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { listen, httpServer, rawServer, forwardProxy, hostsFor, withProxyEnv, sleep, PROXY_VARS };
