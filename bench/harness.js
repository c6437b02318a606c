'use strict';
// What every benchmark section shares: the real Node-RED runtime in this process (through
// node-red-node-test-helper, with its call-recording spies taken off again), the in-process
// Vitally sandbox on 127.0.0.1, captured Node-RED logging, and small timing helpers.
const http = require('node:http');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const helper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));
const configNode = require(path.join(ROOT, 'dist/nodes/vitally-config.js'));
const destinationNode = require(path.join(ROOT, 'dist/nodes/vitally-destination.js'));
const httpRequestNode = require('@node-red/nodes/core/network/21-httprequest.js');
const { startSandbox, busiestWindow } = require(path.join(ROOT, 'dist/sandbox'));

const API_KEY = 'bench-rest-key-7d41';
const ANALYTICS_TOKEN = 'bench-analytics-token-03be';
const BASIC = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;

/**
 * Node-RED's log, captured: nothing reaches the console; counts per level and the first few
 * errors are kept for the report (closing a flow with 100,000 queued messages logs 100,000).
 */
const logs = { counts: {}, firstErrors: [] };
const LEVEL_NAMES = {
  10: 'fatal',
  20: 'error',
  30: 'warn',
  40: 'info',
  50: 'debug',
  60: 'trace',
  98: 'audit',
  99: 'metric',
};
const capture = {
  emit(_event, msg) {
    const level = LEVEL_NAMES[msg.level] || String(msg.level);
    logs.counts[level] = (logs.counts[level] || 0) + 1;
    if (msg.level <= 20 && logs.firstErrors.length < 5)
      logs.firstErrors.push(`[${level}] ${msg.type || ''}: ${String(msg.msg).slice(0, 200)}`);
  },
};

function takeLogs() {
  const out = { counts: { ...logs.counts }, firstErrors: logs.firstErrors.slice() };
  logs.counts = {};
  logs.firstErrors = [];
  return out;
}

const sandboxes = new Set();

function newSandbox(opts = {}) {
  return startSandbox({
    port: 0,
    host: '127.0.0.1',
    apiKey: API_KEY,
    analyticsToken: ANALYTICS_TOKEN,
    logLimit: 100,
    ...opts,
  }).then((s) => {
    sandboxes.add(s);
    return s;
  });
}

async function closeSandbox(sandbox) {
  sandboxes.delete(sandbox);
  await sandbox.close();
}

let serverStarted = false;

/**
 * Loads one flow (a tab, a vitally-config pointed at the sandbox, the given nodes) with this
 * package's nodes and the core http request node registered. The helper wraps Node.prototype
 * send/status/log... in sinon spies that record every call (and so keep every message alive),
 * and every node copies `send` when it is wired; both are undone once the flow has started,
 * so the runtime runs as it does in Node-RED.
 */
async function loadFlow(sandbox, nodes, config = {}) {
  if (!serverStarted) {
    await helper.startServer();
    serverStarted = true;
    // startServer initialises Node-RED's log (console off), which drops earlier handlers.
    helper._log.addHandler(capture);
  }
  const flow = [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'vitally-config', name: 'bench', region: 'custom', baseUrl: sandbox.url, z: 'tab', ...config },
    ...nodes.map((n) => ({ z: 'tab', ...n })),
  ];
  await helper.load([configNode, destinationNode, httpRequestNode], flow, {
    cfg: { apiKey: API_KEY, analyticsToken: ANALYTICS_TOKEN },
  });
  helper._sandbox.restore();
  // Each node took its own `send` from the prototype when it was wired: re-wire to drop the spy.
  for (const n of flow) {
    const live = n.wires ? helper.getNode(n.id) : null;
    if (live) live.updateWires(live.wires);
  }
}

async function unloadFlow() {
  await helper.unload();
}

async function shutdown() {
  for (const s of sandboxes) await s.close();
  sandboxes.clear();
  if (serverStarted) await helper.stopServer();
  serverStarted = false;
}

const node = (id) => helper.getNode(id);

/** Calls `fn(msg)` for every message node `id` receives; returns a function that stops it. */
function tap(id, fn) {
  const n = node(id);
  n.on('input', fn);
  return () => n.removeListener('input', fn);
}

/** Resolves once node `id` has received `count` messages (rejects after `timeoutMs`). */
function collect(id, count, timeoutMs = 600000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => {
      untap();
      const err = new Error(`timed out: ${got.length} of ${count} messages reached ${id}`);
      err.partial = got;
      reject(err);
    }, timeoutMs);
    const untap = tap(id, (msg) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        untap();
        resolve(got);
      }
    });
  });
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** Full collections until the heap stops shrinking; returns heapUsed in bytes. */
async function settledHeap() {
  if (!global.gc) throw new Error('run with --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 8; i++) {
    global.gc();
    await delay(20);
    global.gc();
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(last - used) < 64 * 1024) return used;
    last = used;
  }
  return last;
}

/** A plain node:http JSON request on `agent`; resolves { status, body }. */
function request(agent, url, method, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          Accept: 'application/json',
          Authorization: BASIC,
          ...(data === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) }),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* keep the text */
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Runs `worker(i)` for i in [0, n) with at most `concurrency` running at once. */
async function pool(n, concurrency, worker) {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      await worker(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
}

module.exports = {
  busiestWindow,
  ROOT,
  API_KEY,
  ANALYTICS_TOKEN,
  BASIC,
  helper,
  newSandbox,
  closeSandbox,
  loadFlow,
  unloadFlow,
  shutdown,
  node,
  tap,
  collect,
  delay,
  now,
  settledHeap,
  request,
  pool,
  takeLogs,
};
