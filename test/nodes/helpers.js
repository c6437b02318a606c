'use strict';
// Shared setup for the node tests: a real Node-RED runtime (node-red-node-test-helper)
// and the Vitally sandbox as a real HTTP server on 127.0.0.1.
const helper = require('node-red-node-test-helper');
const configNode = require('../../dist/nodes/vitally-config.js');
const destinationNode = require('../../dist/nodes/vitally-destination.js');
const { startSandbox } = require('../../dist/sandbox');

helper.init(require.resolve('node-red'));

const API_KEY = 'test-rest-key-5f1c';
const ANALYTICS_TOKEN = 'test-analytics-token-9e2a';

function configFor(sandbox, extra = {}) {
  return {
    id: 'cfg',
    type: 'vitally-config',
    name: 'sandbox',
    region: 'custom',
    baseUrl: sandbox.url,
    z: 'tab',
    ...extra,
  };
}

/** A flow on one tab with the config node pointed at the sandbox. */
function flowFor(sandbox, nodes, config = {}) {
  return [{ id: 'tab', type: 'tab' }, configFor(sandbox, config), ...nodes.map((n) => ({ z: 'tab', ...n }))];
}
const CREDENTIALS = { cfg: { apiKey: API_KEY, analyticsToken: ANALYTICS_TOKEN } };

/** Loads a flow on one tab with the config node pointed at the sandbox. */
const nodeModules = [configNode, destinationNode];

async function load(sandbox, nodes, { config = {}, credentials } = {}) {
  await helper.load(nodeModules, flowFor(sandbox, nodes, config), credentials ? { cfg: credentials } : CREDENTIALS);
}

/** A destination node wired to helper nodes out1 (output 1) and out2 (output 2). */
function destination(props) {
  return { id: 'n1', type: 'vitally-destination', vitally: 'cfg', wires: [['out1'], ['out2']], ...props };
}
const outputs = [
  { id: 'out1', type: 'helper' },
  { id: 'out2', type: 'helper' },
];

/** Resolves with the first `count` messages a node receives. */
function collect(id, count) {
  const node = helper.getNode(id);
  const got = [];
  return new Promise((resolve) => {
    node.on('input', (msg) => {
      got.push(msg);
      if (got.length === count) resolve(got);
    });
  });
}

/** Sends one message into n1 and resolves with its output-1 message and every output-2 message. */
async function run(payload, extra = {}) {
  const out2 = [];
  helper.getNode('out2').on('input', (msg) => out2.push(msg));
  const first = collect('out1', 1);
  helper.getNode('n1').receive({ payload, ...extra });
  const [result] = await first;
  return { result, out2 };
}

/** Calls the sandbox's REST API directly (not through the node) to set up fixtures. */
async function rest(sandbox, method, path, body) {
  const res = await fetch(`${sandbox.url}/resources${path}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`,
      'Content-Type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fixture ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function newSandbox(opts = {}) {
  return startSandbox({ port: 0, apiKey: API_KEY, analyticsToken: ANALYTICS_TOKEN, ...opts });
}

async function stop() {
  await helper.unload();
  await helper.stopServer();
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A fresh sandbox and Node-RED runtime for every test of the calling describe block; the
 * returned object's `sandbox` is the current test's.
 */
function sandboxPerTest() {
  const current = {};
  beforeEach(async function () {
    current.sandbox = await newSandbox();
    await helper.startServer();
  });
  afterEach(async function () {
    await stop();
    await current.sandbox.close();
  });
  return current;
}

/** Every status a node shows from now on. */
function recordStatus(node) {
  const statuses = [];
  const original = node.status.bind(node);
  node.status = (s) => {
    statuses.push(s);
    original(s);
  };
  return statuses;
}

module.exports = {
  nodeModules,
  helper,
  API_KEY,
  ANALYTICS_TOKEN,
  CREDENTIALS,
  flowFor,
  load,
  destination,
  outputs,
  collect,
  run,
  rest,
  newSandbox,
  stop,
  delay,
  sandboxPerTest,
  recordStatus,
};
