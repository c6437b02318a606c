#!/usr/bin/env node
'use strict';
/*
 * `npm start` (after `npm run build`): the Vitally sandbox plus a local Node-RED with this
 * package and every example flow loaded against the sandbox.
 *
 *   SANDBOX_PORT  sandbox port (default 4010)      PORT  Node-RED editor port (default 1880)
 *   --reset       re-import every example tab and the shared config node, replacing edits
 *
 * Node-RED runs embedded in this process with its user directory in ./.node-red/
 * (git-ignored); it loads this package straight from the repository (settings.nodesDir),
 * so a rebuild and restart picks up changes. Both listen on 127.0.0.1 only. Ctrl-C stops both.
 * The sandbox is asked for its demo workspace (`seed: 'demo'`); the banner counts its accounts.
 */
const fs = require('fs');
const http = require('http');
const path = require('path');
const { rehost } = require('./rehost');

const ROOT = path.join(__dirname, '..');
const USER_DIR = path.join(ROOT, '.node-red');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const HOST = '127.0.0.1';
const API_KEY = 'sandbox-key';
const ANALYTICS_TOKEN = 'sandbox-analytics-token';
const SHARED_CONFIG_NAME = 'Vitally sandbox';

function port(value, fallback, name) {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The examples as Node-RED tabs: one tab per file, their own config nodes replaced by one
 * shared config (the id the examples use; they all carry the same one).
 */
function exampleFlows(sandboxUrl) {
  const files = fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  let sharedId = null;
  const tabs = [];
  for (const file of files) {
    const nodes = rehost(JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')), sandboxUrl);
    const configIds = new Set(nodes.filter((n) => n.type === 'vitally-config').map((n) => n.id));
    if (!sharedId && configIds.size) sharedId = [...configIds][0];
    const label = file.replace(/\.json$/, '');
    const tabId = `vitally-example-${label.slice(0, 2)}`;
    const comment = nodes.find((n) => n.type === 'comment');
    const tab = { id: tabId, type: 'tab', label, disabled: false, info: comment ? comment.info : '' };
    const members = nodes
      .filter((n) => n.type !== 'vitally-config')
      .map((n) => ({
        ...n,
        z: tabId,
        ...(n.type === 'vitally-destination' && configIds.has(n.vitally) && { vitally: sharedId }),
      }));
    tabs.push({ tab, nodes: members });
  }
  const config = {
    id: sharedId || 'vitally-sandbox-config',
    type: 'vitally-config',
    name: SHARED_CONFIG_NAME,
    region: 'custom',
    subdomain: '',
    baseUrl: sandboxUrl,
    rateLimit: 1000,
    rateWindow: 60,
    concurrency: 4,
    timeout: 30,
  };
  return { tabs, config };
}

async function admin(editorUrl, method, route, body) {
  const res = await fetch(editorUrl + route, {
    method,
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'Node-RED-API-Version': 'v2',
      'Node-RED-Deployment-Type': 'full',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

/**
 * Adds the example tabs that are not there yet (all of them with --reset) and makes sure the
 * shared config node exists, points at this sandbox and has the sandbox's credentials.
 */
async function provision(editorUrl, sandboxUrl, reset) {
  // RED.start() resolves before the flow file is loaded: wait for GET /flows to have them.
  let current = null;
  for (let i = 0; i < 200 && !(current && Array.isArray(current.flows)); i++) {
    current = await admin(editorUrl, 'GET', '/flows');
    if (!(current && Array.isArray(current.flows))) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!(current && Array.isArray(current.flows))) throw new Error('Node-RED did not load its flows within 10 s');
  const { rev, flows } = current;
  const { tabs, config } = exampleFlows(sandboxUrl);
  const exampleTabIds = new Set(tabs.map((t) => t.tab.id));
  let next = reset
    ? flows.filter((n) => !exampleTabIds.has(n.id) && !exampleTabIds.has(n.z) && n.id !== config.id)
    : flows.slice();
  const present = new Set(next.map((n) => n.id));
  const added = [];
  for (const { tab, nodes } of tabs) {
    if (present.has(tab.id)) continue;
    next.push(tab, ...nodes);
    added.push(tab.label);
  }
  const existing = next.find((n) => n.id === config.id);
  let changed = added.length > 0 || next.length !== flows.length;
  if (!existing) {
    next.push({ ...config, credentials: { apiKey: API_KEY, analyticsToken: ANALYTICS_TOKEN } });
    changed = true;
  } else if (
    existing.baseUrl !== sandboxUrl &&
    existing.region === 'custom' &&
    /^http:\/\/127\.0\.0\.1:\d+$/.test(existing.baseUrl)
  ) {
    // The sandbox moved (SANDBOX_PORT): follow it in the config, the example tabs (their info) and their nodes.
    const from = existing.baseUrl;
    const follows = (n) => n.id === config.id || exampleTabIds.has(n.id) || exampleTabIds.has(n.z);
    next = next.map((n) => (follows(n) ? rehost(n, sandboxUrl, from) : n));
    changed = true;
  }
  if (changed) await admin(editorUrl, 'POST', '/flows', { rev, flows: next });
  return { added, kept: tabs.length - added.length };
}

/** `--reset` or nothing. */
function parseArgs(args) {
  const unknown = args.filter((a) => a !== '--reset');
  if (unknown.length) throw new Error(`unknown argument(s) ${unknown.join(' ')} (only --reset)`);
  return { reset: args.includes('--reset') };
}

function checkBuilt() {
  for (const built of ['dist/nodes/vitally-destination.js', 'dist/nodes/vitally-config.js', 'dist/sandbox/index.js']) {
    if (!fs.existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run npm run build (npm start does)`);
  }
}

/** The sandbox on 127.0.0.1:`sandboxPort`, with the demo workspace (once the sandbox has one). */
async function startSandbox(sandboxPort) {
  const sandbox = require(path.join(ROOT, 'dist', 'sandbox'));
  return sandbox
    .startSandbox({
      port: sandboxPort,
      host: HOST,
      apiKey: API_KEY,
      analyticsToken: ANALYTICS_TOKEN,
      seed: 'demo',
    })
    .catch((err) => {
      if (err.code === 'EADDRINUSE')
        err.message = `port ${sandboxPort} is in use (set SANDBOX_PORT to another port): ${err.message}`;
      throw err;
    });
}

/** Node-RED's settings for the embedded runtime: this repository as a nodes directory, .node-red/ as user directory. */
function nodeRedSettings(editorPort) {
  return {
    uiHost: HOST,
    uiPort: editorPort,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    userDir: USER_DIR,
    flowFile: 'flows.json',
    flowFilePretty: true,
    nodesDir: [ROOT],
    // Relative file names in flows (the examples write vitally-examples/...) land in .node-red/.
    fileWorkingDirectory: USER_DIR,
    functionGlobalContext: {},
    diagnostics: { enabled: true, ui: true },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { projects: { enabled: false }, tours: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
}

/** Node-RED embedded in this process, listening on 127.0.0.1:`editorPort`. Resolves to { RED, server, editorUrl }. */
async function startNodeRed(editorPort) {
  // express comes with node-red; resolve it the way node-red does.
  const RED = require('node-red');
  const express = require(
    require.resolve('express', { paths: [path.dirname(require.resolve('node-red/package.json'))] }),
  );
  fs.mkdirSync(USER_DIR, { recursive: true });
  const app = express();
  const server = http.createServer(app);
  const settings = nodeRedSettings(editorPort);
  RED.init(server, settings);
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  app.use(settings.httpNodeRoot, RED.httpNode);
  await new Promise((resolve, reject) => {
    server.once('error', (err) => {
      if (err.code === 'EADDRINUSE')
        err.message = `port ${editorPort} is in use (set PORT to another port): ${err.message}`;
      reject(err);
    });
    server.listen(editorPort, HOST, resolve);
  });
  await RED.start();
  return { RED, server, editorUrl: `http://${HOST}:${server.address().port}` };
}

/** Ctrl-C (SIGINT), SIGTERM and SIGHUP stop Node-RED, then the sandbox; a second one exits at once. */
function stopOnSignals({ RED, server }, sandbox) {
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) {
      console.log('Stopping now.');
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping Node-RED and the sandbox (Ctrl-C again to force)...`);
    try {
      await RED.stop();
    } catch (err) {
      console.error('Node-RED did not stop cleanly:', err.message);
    }
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await sandbox.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
}

function banner({ sandbox, editorUrl, added, kept }) {
  const examples = added.length ? `imported ${added.length} example tab(s)` : 'example tabs already present';
  const accounts = sandbox.list('accounts').length;
  return [
    '',
    `  Vitally sandbox   ${sandbox.url}/   (REST key "${API_KEY}", Analytics token "${ANALYTICS_TOKEN}")`,
    ...(accounts ? [`                    seeded with the demo workspace: ${accounts} account(s)`] : []),
    `  Node-RED editor   ${editorUrl}/`,
    '',
    `  ${examples}${kept && added.length ? `, kept ${kept} existing` : ''}; config node "${SHARED_CONFIG_NAME}" -> ${sandbox.url}`,
    `  user directory    ${path.relative(process.cwd(), USER_DIR) || USER_DIR}/  (\`npm start -- --reset\` re-imports the examples)`,
    '',
    '  Ctrl-C stops both.',
    '',
  ].join('\n');
}

async function main() {
  const { reset } = parseArgs(process.argv.slice(2));
  const sandboxPort = port(process.env.SANDBOX_PORT, 4010, 'SANDBOX_PORT');
  const editorPort = port(process.env.PORT, 1880, 'PORT');
  checkBuilt();
  const sandbox = await startSandbox(sandboxPort);
  const red = await startNodeRed(editorPort);
  const { added, kept } = await provision(red.editorUrl, sandbox.url, reset);
  stopOnSignals(red, sandbox);
  console.log(banner({ sandbox, editorUrl: red.editorUrl, added, kept }));
}

main().catch((err) => {
  console.error(`npm start: ${err.message}`);
  process.exit(1);
});
