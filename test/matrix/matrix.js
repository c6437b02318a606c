'use strict';
/*
 * The machinery of the version matrix (matrix_spec.js, cells.json): resolve each cell's newest
 * Node-RED and Node.js releases on the npm registry, fetch Node.js binaries (the registry's
 * node-<platform>-<arch> packages ship bin/node) into a cache outside the repository, install
 * the packed tarball and that Node-RED into a fresh user directory, and run that Node-RED on
 * that Node.js as a child process.
 *
 *   VITALLY_MATRIX_CACHE  where Node.js binaries are kept (default <tmp>/vitally-matrix-cache)
 *   npm's own cache (~/.npm or npm_config_cache) is shared by every install.
 */
const { execFile, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const semver = require('semver');
const { freePort, waitFor } = require('../examples/node-red-runner');

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const CACHE = process.env.VITALLY_MATRIX_CACHE || path.join(os.tmpdir(), 'vitally-matrix-cache');
/** The registry package whose tarball holds this platform's Node.js as bin/node. */
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;
/** npm's error codes for a registry that cannot be reached (or a cache that cannot stand in). */
const NETWORK_CODES = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED)\b/;

/** The registry could not be reached and npm's cache could not answer instead. */
class RegistryUnavailable extends Error {}

/**
 * npm's own CLI script, so npm can run under the cell's Node.js (engine checks and install
 * scripts then see that Node.js); null when it cannot be found (the plain `npm` is used).
 */
const NPM_CLI = (() => {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  return candidates.find((f) => f && /npm-cli\.js$/.test(f) && fs.existsSync(f)) || null;
})();

/** Runs npm (under `node` when given) and resolves to stdout; errors carry npm's stderr. */
function npm(args, { cwd = os.tmpdir(), node = null, timeout = 5 * 60 * 1000 } = {}) {
  const [file, argv] = node && NPM_CLI ? [node, [NPM_CLI, ...args]] : [NPM, args];
  const env = { ...process.env };
  if (node) env.PATH = `${path.dirname(node)}${path.delimiter}${env.PATH || ''}`;
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const lines = String(stderr || '').split('\n');
      const reason =
        lines.map((l) => /request to \S+ failed, reason: (.*)/.exec(l)).find(Boolean)?.[1] ||
        lines.map((l) => /npm (?:error|ERR!) code (\S+)/.exec(l)).find(Boolean)?.[1] ||
        `exit ${err.code ?? err.signal}`;
      const detail = lines.filter((l) => /npm (error|ERR!)/.test(l)).slice(0, 12);
      const command = args.filter((a) => !a.startsWith('--')).join(' ');
      const wrapped = new Error(`npm ${command} failed: ${reason}\n${detail.join('\n') || stderr}`);
      wrapped.network = NETWORK_CODES.test(String(stderr));
      reject(wrapped);
    });
  });
}

/** Quick to give up: an unreachable registry is told within seconds, not after npm's minutes of retries. */
const PROBE = [
  '--fetch-retries=1',
  '--fetch-retry-mintimeout=1000',
  '--fetch-retry-maxtimeout=3000',
  '--fetch-timeout=30000',
];

/** Every published version of `name`: from the registry, else (when `fromCache`) from npm's cache. */
async function publishedVersions(name, fromCache) {
  const parse = (out) => [].concat(JSON.parse(out));
  try {
    return { versions: parse(await npm(['view', name, 'versions', '--json', ...PROBE])), source: 'registry' };
  } catch (online) {
    if (!fromCache) throw new RegistryUnavailable(`cannot list the versions of ${name}: ${online.message}`);
    try {
      return { versions: parse(await npm(['view', name, 'versions', '--json', '--offline'])), source: 'cache' };
    } catch {
      throw new RegistryUnavailable(`cannot list the versions of ${name} on the npm registry: ${online.message}`);
    }
  }
}

function newest(versions, range, what) {
  const found = semver.maxSatisfying(versions, range);
  if (!found) throw new Error(`no ${what} release matches ${range}`);
  return found;
}

/**
 * Each cell with its exact versions: { ...cell, nodeRedVersion, nodeVersion, systemNode }.
 * A cell on the running Node.js's major runs on the running Node.js. With `fromCache`, versions
 * npm has cached stand in for an unreachable registry (`offline` is then true).
 */
async function resolveCells(cells, { fromCache = true } = {}) {
  const nodeRed = await publishedVersions('node-red', fromCache);
  const systemMajor = semver.major(process.version);
  const needsBinaries = cells.some((c) => c.node !== systemMajor);
  const nodes = needsBinaries ? await publishedVersions(NODE_PACKAGE, fromCache) : { versions: [], source: 'none' };
  const resolved = cells.map((cell) => {
    const systemNode = cell.node === systemMajor;
    return {
      ...cell,
      nodeRedVersion: newest(nodeRed.versions, cell.nodeRed, 'node-red'),
      nodeVersion: systemNode ? process.version.slice(1) : newest(nodes.versions, `^${cell.node}`, NODE_PACKAGE),
      systemNode,
    };
  });
  const sources = [nodeRed.source, nodes.source].filter((s) => s !== 'none');
  return { cells: resolved, offline: sources.includes('cache') };
}

/** A Node.js binary of exactly `version`, fetched into the cache unless already there. */
async function nodeBinary(version) {
  if (process.platform === 'win32') throw new Error('the matrix fetches Node.js binaries on Linux and macOS only');
  const dir = path.join(CACHE, `node-v${version}-${process.platform}-${process.arch}`);
  const bin = path.join(dir, 'bin', 'node');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(CACHE, { recursive: true });
  const work = fs.mkdtempSync(path.join(CACHE, '.fetch-'));
  try {
    const packed = JSON.parse(await npm(['pack', `${NODE_PACKAGE}@${version}`, '--json', '--pack-destination', work]));
    const tgz = path.join(work, [].concat(packed)[0].filename);
    const unpacked = path.join(work, 'node');
    fs.mkdirSync(unpacked);
    await new Promise((resolve, reject) =>
      execFile('tar', ['-xzf', tgz, '-C', unpacked, '--strip-components=1', 'package/bin/node'], (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    const reported = await new Promise((resolve, reject) =>
      execFile(path.join(unpacked, 'bin', 'node'), ['--version'], (err, out) => (err ? reject(err) : resolve(out))),
    );
    if (reported.trim() !== `v${version}`)
      throw new Error(`${NODE_PACKAGE}@${version} holds Node.js ${reported.trim()}`);
    // Another run may have finished first: keep whichever landed.
    fs.renameSync(unpacked, dir);
  } catch (err) {
    if (!fs.existsSync(bin)) throw err;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

/**
 * A fresh user directory under `root` with the tarball and node-red@<nodeRedVersion> installed
 * by npm running on the cell's Node.js. Resolves to { node, userDir, redJs }.
 */
async function installCell(cell, tarball, root) {
  const node = cell.systemNode ? process.execPath : await nodeBinary(cell.nodeVersion);
  const userDir = path.join(root, `node-red-${cell.nodeRedVersion}-node-${cell.nodeVersion}`);
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', version: '0.0.1', private: true }),
  );
  const install = (freshness) =>
    npm(
      [
        'install',
        tarball,
        `node-red@${cell.nodeRedVersion}`,
        '--no-audit',
        '--no-fund',
        freshness,
        '--omit=dev',
        '--loglevel=error',
      ],
      { cwd: userDir, node },
    );
  try {
    await install('--prefer-offline');
  } catch (err) {
    // A release newer than npm's cached (abbreviated) metadata: --prefer-offline does not look again.
    if (!/\bETARGET\b/.test(err.message)) throw err;
    await install('--prefer-online');
  }
  return { node, userDir, redJs: path.join(userDir, 'node_modules', 'node-red', 'red.js') };
}

/**
 * Starts `redJs` on `node` with `userDir` and a minimal settings file: 127.0.0.1 on a free port,
 * no credential encryption, no telemetry or tours. Resolves once the admin API answers.
 */
async function startRed({ node, redJs, userDir, timeout = 60000 }) {
  const port = await freePort();
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  const settingsFile = path.join(userDir, 'matrix-settings.js');
  fs.writeFileSync(settingsFile, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const child = spawn(node, [redJs, '--settings', settingsFile, '--userDir', userDir], {
    cwd: userDir,
    env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH || ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => output.push(...String(chunk).split('\n').filter(Boolean));
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
    /** { status, body (parsed JSON or undefined), text }. */
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
    /** Full deploy over the admin API (v1: an array of nodes, credentials inline); waits for the flows to start. */
    async deploy(flows) {
      const started = () => output.filter((line) => /\[info\] Started flows$/.test(line)).length;
      const before = started();
      const res = await red.request('POST', '/flows', flows, {
        'Node-RED-API-Version': 'v1',
        'Node-RED-Deployment-Type': 'full',
      });
      if (res.status !== 204) throw new Error(`deploy answered ${res.status}: ${res.text}`);
      await waitFor(() => started() > before, { timeout: 15000, what: `the deployed flows to start\n${red.tail()}` });
    },
    /** Presses an inject node's button. */
    async inject(id) {
      const res = await red.request('POST', `/inject/${id}`);
      if (res.status !== 200) throw new Error(`inject ${id} answered ${res.status}: ${res.text}\n${red.tail()}`);
    },
  };

  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`Node-RED exited (${JSON.stringify(exited)})`);
        const res = await fetch(`${url}/settings`).catch(() => null);
        return res && res.status === 200;
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

module.exports = { resolveCells, nodeBinary, installCell, startRed, RegistryUnavailable, CACHE, NODE_PACKAGE };
