'use strict';
/*
 * Runs a real Node-RED 4 (the node-red devDependency's red.js) in a child process, so
 * tests exercise the same loader, registry, flow engine and admin API a user's Node-RED
 * has, without sharing module state with the node-red-node-test-helper specs that run in
 * the mocha process. Used by the example and package tests.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
// ws comes with Node-RED's editor API (Node 20 has no WebSocket client of its own).
const WS = require(
  require.resolve('ws', { paths: [path.dirname(require.resolve('@node-red/editor-api/package.json'))] }),
);

const RED_JS = require.resolve('node-red/red.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (sync or async) until it returns a truthy value or `timeout` ms pass. */
async function waitFor(check, { timeout = 10000, interval = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await sleep(interval);
  }
}

/**
 * Starts Node-RED with `userDir` (created if missing) and settings merged over quiet,
 * loopback-only defaults. Resolves once the admin API answers.
 */
async function startNodeRed({ userDir, settings = {}, timeout = 30000, node = process.execPath, redJs = RED_JS } = {}) {
  fs.mkdirSync(userDir, { recursive: true });
  const port = await freePort();
  const all = {
    uiHost: '127.0.0.1',
    uiPort: port,
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    debugMaxLength: 100000,
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...settings,
  };
  const settingsFile = path.join(userDir, 'test-settings.js');
  fs.writeFileSync(settingsFile, `module.exports = ${JSON.stringify(all, null, 2)};\n`);

  const child = spawn(node, [redJs, '--settings', settingsFile, '--userDir', userDir], {
    cwd: userDir,
    // A Node binary of another version finds its own npm beside it.
    env: {
      ...process.env,
      NODE_RED_ENABLE_PROJECTS: '',
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH || ''}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => {
    output.push(...String(chunk).split('\n').filter(Boolean));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );

  const url = `http://127.0.0.1:${port}`;
  const red = {
    url,
    port,
    userDir,
    output,
    /** The log so far, for assertion messages. */
    log: () => output.join('\n'),
    tail: (n = 25) => output.slice(-n).join('\n'),
    async stop() {
      if (exited) return exited;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
    async request(method, route, body, headers = {}) {
      const res = await fetch(url + route, {
        method,
        headers: {
          Accept: 'application/json',
          ...(body !== undefined && { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, body: json, text };
    },
    /** Full deploy of `flows` (an array of nodes; credentials may sit inline on nodes). */
    async deploy(flows) {
      const started = () => output.filter((line) => / - \[info\] Started flows$/.test(line)).length;
      const before = started();
      const res = await red.request('POST', '/flows', flows, {
        'Node-RED-API-Version': 'v1',
        'Node-RED-Deployment-Type': 'full',
      });
      if (res.status !== 204) throw new Error(`deploy answered ${res.status}: ${res.text}`);
      // The admin API answers before the new flows have started: wait for the runtime to say so.
      await waitFor(() => started() > before, { timeout: 10000, what: `the deployed flows to start\n${red.log()}` });
    },
    /** Presses an inject node's button. */
    async inject(id) {
      const res = await red.request('POST', `/inject/${id}`);
      if (res.status !== 200)
        throw new Error(
          `inject ${id} answered ${res.status}: ${res.text}\n${red.log().split('\n').slice(-20).join('\n')}`,
        );
    },
  };

  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`Node-RED exited (${JSON.stringify(exited)})`);
        const res = await fetch(`${url}/settings`).catch(() => null);
        // 401: the admin API is up and guarded by adminAuth.
        return res && (res.status === 200 || res.status === 401);
      },
      { timeout, interval: 100, what: 'Node-RED to answer' },
    );
  } catch (err) {
    await red.stop();
    err.message += `\n--- Node-RED output ---\n${red.log()}`;
    throw err;
  }
  return red;
}

/**
 * Subscribes to the editor's debug stream over /comms. `messages` collects
 * `{ id, name, msg }` per debug node message, `msg` decoded from the sidebar format.
 */
async function debugStream(red) {
  const ws = new WS(`ws://127.0.0.1:${red.port}/comms`);
  const messages = [];
  ws.on('message', (data) => {
    let packets;
    try {
      packets = JSON.parse(String(data));
    } catch {
      return;
    }
    for (const p of Array.isArray(packets) ? packets : [packets]) {
      if (p.topic !== 'debug' || !p.data) continue;
      messages.push({
        id: p.data.id,
        name: p.data.name,
        property: p.data.property,
        format: p.data.format,
        msg: decode(p.data),
      });
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ subscribe: 'debug' }));
  // The subscription is handled asynchronously: give it a moment before anything is sent.
  await sleep(100);
  return {
    messages,
    from: (id) => messages.filter((m) => m.id === id).map((m) => m.msg),
    clear: () => {
      messages.length = 0;
    },
    close: () => ws.close(),
  };
}

function decode(data) {
  if (typeof data.msg !== 'string') return data.msg;
  if (/^(Object|array|Array)/.test(String(data.format)) || /^\[|^\{/.test(data.msg)) {
    try {
      return JSON.parse(data.msg);
    } catch {
      /* fall through */
    }
  }
  if (data.format === 'number') return Number(data.msg);
  if (data.format === 'boolean') return data.msg === 'true';
  return data.msg;
}

module.exports = { startNodeRed, debugStream, waitFor, freePort, sleep };
