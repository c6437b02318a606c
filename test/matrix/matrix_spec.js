'use strict';
/*
 * The version matrix (cells.json): for each Node-RED line and Node.js major the package promises,
 * the packed tarball (the one test/package/pack_spec.js checks) and that Node-RED are installed
 * with npm into a fresh user directory, that Node-RED runs on that Node.js as a child process,
 * loads both node types and their editor HTML, and a flow deployed over the admin API creates
 * accounts in the Vitally sandbox (running in this process).
 *
 * Needs the npm registry. When it cannot be reached the matrix fails under CI (CI set); elsewhere
 * it runs from npm's cache if that holds everything, and is skipped, with the reason printed, if not.
 * Only the matrix: `npm run test:matrix`.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { debugStream, waitFor } = require('../examples/node-red-runner');
const { packOnce, ROOT, PKG } = require('../package/pack');
const { cells: CELLS } = require('./cells.json');
const { resolveCells, installCell, startRed, RegistryUnavailable } = require('./matrix');

const CI = Boolean(process.env.CI);
const API_KEY = 'sandbox-key';
const RECORDS = [
  { externalId: 'm-1', name: 'M1' },
  { externalId: 'm-2', name: 'M2' },
  { externalId: 'm-3', name: 'M3' },
];

const title = (cell) => `Node-RED ${cell.nodeRed} on Node.js ${cell.node}`;

/** The flow each cell deploys: inject -> vitally-destination (createAccount) -> two debug nodes. */
function flow(sandboxUrl) {
  const z = 'matrix-tab';
  return [
    { id: z, type: 'tab', label: 'matrix' },
    {
      id: 'matrix-config',
      type: 'vitally-config',
      name: 'Vitally sandbox',
      region: 'custom',
      baseUrl: sandboxUrl,
      credentials: { apiKey: API_KEY },
    },
    {
      id: 'matrix-inject',
      type: 'inject',
      z,
      name: 'records',
      props: [{ p: 'payload' }],
      repeat: '',
      once: false,
      topic: '',
      payload: JSON.stringify(RECORDS),
      payloadType: 'json',
      wires: [['matrix-destination']],
    },
    {
      id: 'matrix-destination',
      type: 'vitally-destination',
      z,
      name: 'Create accounts',
      vitally: 'matrix-config',
      endpoint: 'createAccount',
      wires: [['matrix-result'], ['matrix-responses']],
    },
    {
      id: 'matrix-result',
      type: 'debug',
      z,
      active: true,
      tosidebar: true,
      console: false,
      complete: 'vitally',
      targetType: 'msg',
      wires: [],
    },
    {
      id: 'matrix-responses',
      type: 'debug',
      z,
      active: true,
      tosidebar: true,
      console: false,
      complete: 'statusCode',
      targetType: 'msg',
      wires: [],
    },
  ];
}

describe('version matrix (the packed package, each Node-RED x Node.js cell of cells.json)', function () {
  this.timeout(60000);
  let tmp;
  let sandbox;
  let tarball;
  /** title -> { cell, ready: Promise<{ node, userDir, redJs }> } */
  const prepared = new Map();

  before(async function () {
    this.timeout(120000);
    let resolved;
    try {
      // CI tests the newest releases or fails; elsewhere npm's cache may stand in for the registry.
      resolved = await resolveCells(CELLS, { fromCache: !CI });
    } catch (err) {
      if (!(err instanceof RegistryUnavailable)) throw err;
      if (CI)
        throw new Error(`the version matrix needs the npm registry, which cannot be reached (CI): ${err.message}`, {
          cause: err,
        });
      console.log(`      skipped: the npm registry cannot be reached (${err.message.split('\n')[0]})`);
      this.skip();
    }
    if (resolved.offline) console.log('      the npm registry cannot be reached: versions taken from the npm cache');
    tarball = (await packOnce()).tarball;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-matrix-'));
    const { startSandbox } = require(path.join(ROOT, 'dist', 'sandbox'));
    sandbox = await startSandbox({ port: 0, apiKey: API_KEY });
    // Every cell installs at once (npm mostly waits on the network and the disk); each test waits for its own.
    for (const cell of resolved.cells) {
      const ready = installCell(cell, tarball, tmp);
      ready.catch(() => {}); // reported by the cell's test
      prepared.set(title(cell), { cell, ready });
    }
  });

  after(async function () {
    // Three Node-RED installs to remove, on a machine that may be busy: time enough.
    this.timeout(180000);
    await Promise.all([...prepared.values()].map((p) => p.ready.catch(() => {})));
    if (sandbox) await sandbox.close();
    if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  for (const spec of CELLS) {
    it(`${title(spec)}: installs from the tarball, loads both nodes and their editor HTML, delivers a flow's records`, async function () {
      this.timeout(8 * 60 * 1000);
      const { cell, ready } = prepared.get(title(spec));
      this.test.title += ` (Node-RED ${cell.nodeRedVersion}, Node.js ${cell.nodeVersion})`;
      let installed;
      try {
        installed = await ready;
      } catch (err) {
        if (err.network && !CI) {
          console.log(`      skipped: the npm registry cannot be reached (${err.message.split('\n')[0]})`);
          this.skip();
        }
        throw err;
      }
      const pkgOf = (name) =>
        JSON.parse(fs.readFileSync(path.join(installed.userDir, 'node_modules', name, 'package.json'), 'utf8'));
      assert.strictEqual(pkgOf('node-red').version, cell.nodeRedVersion, 'npm installed the resolved Node-RED');
      assert.strictEqual(pkgOf(PKG.name).version, PKG.version, 'npm installed the tarball');

      const red = await startRed(installed);
      let debug;
      try {
        // The Node-RED and Node.js that run are the ones the cell names.
        assert.match(red.log(), new RegExp(`Node-RED version: v${cell.nodeRedVersion.replace(/\./g, '\\.')}\\b`));
        assert.match(red.log(), new RegExp(`Node\\.js\\s+version: v${cell.nodeVersion.replace(/\./g, '\\.')}\\b`));

        // Both CommonJS node files load...
        const nodes = await red.request('GET', '/nodes');
        assert.strictEqual(nodes.status, 200);
        const sets = nodes.body.filter((s) => s.module === PKG.name);
        assert.deepStrictEqual(
          sets.map((s) => [s.name, s.enabled, s.err, s.version]).sort(),
          [
            ['vitally-config', true, undefined, PKG.version],
            ['vitally-destination', true, undefined, PKG.version],
          ],
          red.log(),
        );
        assert.ok(
          !/\[(error|warn)\].*vitally/i.test(red.log()),
          `no error or warning about the package:\n${red.log()}`,
        );
        // ...and the editor gets their HTML, help and messages (what it fetches at start).
        const html = await red.request('GET', '/nodes', undefined, { Accept: 'text/html' });
        assert.strictEqual(html.status, 200);
        const messages = await red.request('GET', '/nodes/messages?lng=en-US');
        assert.strictEqual(messages.status, 200);
        for (const type of ['vitally-config', 'vitally-destination']) {
          assert.match(html.text, new RegExp(`registerType\\(\\s*['"]${type}['"]`), `the editor script of ${type}`);
          assert.match(html.text, new RegExp(`data-template-name=["']${type}["']`), `the edit dialog of ${type}`);
          assert.match(html.text, new RegExp(`data-help-name=["']${type}["']`), `the help of ${type}`);
          const catalog = messages.body[`${PKG.name}/${type}`];
          assert.ok(catalog && catalog[type] && catalog[type].label, `the en-US messages of ${type}`);
        }
        const endpoints = await red.request('GET', '/vitally/endpoints');
        assert.strictEqual(endpoints.status, 200, 'the admin routes are registered');

        // A deployed flow sends the inject's records to the sandbox.
        sandbox.reset();
        debug = await debugStream(red);
        await red.deploy(flow(sandbox.url));
        await red.inject('matrix-inject');
        const results = await waitFor(() => debug.from('matrix-result').length && debug.from('matrix-result'), {
          timeout: 20000,
          what: `output 1 of the destination\n${red.tail()}`,
        });
        assert.deepStrictEqual(
          [results.length, results[0].endpoint, results[0].total, results[0].succeeded, results[0].failed],
          [1, 'createAccount', RECORDS.length, RECORDS.length, 0],
          JSON.stringify(results),
        );
        await waitFor(() => debug.from('matrix-responses').length === RECORDS.length, {
          timeout: 5000,
          what: 'one response per record on output 2',
        });
        assert.deepStrictEqual(debug.from('matrix-responses'), [200, 200, 200]);
        const stored = sandbox
          .list('accounts')
          .map((a) => ({ externalId: a.externalId, name: a.name }))
          .sort((a, b) => a.externalId.localeCompare(b.externalId));
        assert.deepStrictEqual(stored, RECORDS, 'the sandbox stored the records');
        assert.ok(
          sandbox.requests.every((r) => r.method === 'POST' && r.path === '/resources/accounts'),
          'createAccount calls only',
        );
      } finally {
        if (debug) debug.close();
        const stopped = await red.stop();
        assert.ok(stopped.signal === 'SIGINT' || stopped.code === 0, `Node-RED stopped: ${JSON.stringify(stopped)}`);
      }
    });
  }
});
