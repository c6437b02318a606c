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
const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const semver = require('semver');
const { startNodeRed } = require('../examples/node-red-runner');

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

/** Node-RED `redJs` on the Node binary `node`, through the shared runner. */
function startRed({ node, redJs, userDir, timeout = 60000 }) {
  return startNodeRed({ node, redJs, userDir, timeout });
}

module.exports = { resolveCells, nodeBinary, installCell, startRed, RegistryUnavailable, CACHE, NODE_PACKAGE };
