'use strict';
/**
 * Three real Node-RED processes (test/examples/node-red-runner.js, this package loaded through
 * nodesDir), one API key, one redis-server (test/redis/redis-server.js) and one sandbox with a
 * strict sliding window equal to the configured budget (design.md sections 9 and 10). Each
 * process is injected with its own records at the same moment:
 *
 *   - steady: every record delivered once, 0 429s, and no span of one window in which the
 *     sandbox saw more than the limit (every request that reached it, 429s included);
 *   - Redis stopped for ~2 s mid-run and restarted empty on the same port: still every record
 *     delivered, none twice.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startNodeRed, debugStream, waitFor, sleep } = require('../examples/node-red-runner');
const { startRedis } = require('./redis-server');
const { busiestWindow } = require('../../dist/sandbox');

const ROOT = path.join(__dirname, '..', '..');
const API_KEY = 'multi-process-key-41c7';
const PROCESSES = 3;
const LIMIT = 30;
const WINDOW_MS = 2000;
const RECORDS = 40; // per process: 120 in all, four windows at the limit

const recordsFor = (run, p) =>
  Array.from({ length: RECORDS }, (_, i) => ({ externalId: `${run}-p${p}-${i}`, name: `${run} ${p} ${i}` }));

/** One process's flow (flow nodes need x and y, or Node-RED takes them for config nodes): two inject buttons (steady run, restart run) into one destination, output 1 to a debug node. */
function flowFor(p, sandboxUrl, redisUrl) {
  const inject = (id, run) => ({
    id,
    type: 'inject',
    z: 'tab',
    name: run,
    props: [{ p: 'payload' }],
    payload: JSON.stringify(recordsFor(run, p)),
    payloadType: 'json',
    repeat: '',
    once: false,
    x: 100,
    y: run === 'steady' ? 40 : 80,
    wires: [['dest']],
  });
  return [
    { id: 'tab', type: 'tab', label: `process ${p}` },
    {
      id: 'cfg',
      type: 'vitally-config',
      name: 'shared key',
      region: 'custom',
      baseUrl: sandboxUrl,
      rateLimit: LIMIT,
      rateWindow: WINDOW_MS / 1000,
      concurrency: 4,
      timeout: 30,
      budget: 'redis',
      redisPrefix: 'vitally-mp:',
      credentials: { apiKey: API_KEY, redisUrl },
    },
    inject('steady', 'steady'),
    inject('restart', 'restart'),
    {
      id: 'dest',
      type: 'vitally-destination',
      z: 'tab',
      vitally: 'cfg',
      endpoint: 'createAccount',
      x: 300,
      y: 60,
      wires: [['summary'], []],
    },
    {
      id: 'summary',
      type: 'debug',
      z: 'tab',
      name: 'summary',
      active: true,
      tosidebar: true,
      console: false,
      complete: 'vitally',
      targetType: 'msg',
      x: 500,
      y: 60,
      wires: [],
    },
  ];
}

describe('three Node-RED processes sharing one Redis budget (real redis-server)', function () {
  this.timeout(60000);
  let redis;
  let sandbox;
  let tmp;
  const reds = [];
  const debugs = [];

  before(async function () {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/nodes/vitally-config.js')), 'run npm run build first');
    redis = await startRedis();
    const { startSandbox } = require(path.join(ROOT, 'dist/sandbox'));
    sandbox = await startSandbox({
      port: 0,
      apiKey: API_KEY,
      rateLimit: LIMIT,
      windowMs: WINDOW_MS,
      recordAcceptedTimes: true,
      logLimit: 10000,
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-multi-'));
    const started = await Promise.all(
      Array.from({ length: PROCESSES }, (_, p) =>
        startNodeRed({ userDir: path.join(tmp, `red-${p}`), settings: { nodesDir: [ROOT] } }),
      ),
    );
    reds.push(...started);
    await Promise.all(reds.map((red, p) => red.deploy(flowFor(p, sandbox.url, redis.url))));
    debugs.push(...(await Promise.all(reds.map((red) => debugStream(red)))));
  });

  after(async function () {
    this.timeout(30000);
    for (const d of debugs) d.close();
    await Promise.all(reds.map((red) => red.stop()));
    if (sandbox) await sandbox.close();
    if (redis) await redis.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const tails = () =>
    reds.map((red, p) => `--- process ${p}\n${red.log().split('\n').slice(-8).join('\n')}`).join('\n');

  /** Presses `button` in every process at once; resolves with each process's msg.vitally. */
  async function runAll(button, { during } = {}) {
    for (const d of debugs) d.clear();
    await Promise.all(reds.map((red) => red.inject(button)));
    if (during) await during();
    try {
      return await waitFor(
        () => debugs.every((d) => d.from('summary').length === 1) && debugs.map((d) => d.from('summary')[0]),
        { timeout: 40000, interval: 100, what: 'every process to report' },
      );
    } catch (err) {
      const done = debugs.map((d) => d.from('summary').length);
      err.message += ` (reported: ${done}; ${sandbox.counters.total} requests reached the sandbox)\n${tails()}`;
      throw err;
    }
  }

  /** The sandbox's view: POSTs per externalId by status, every request time. */
  function seen() {
    const requests = sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/resources/accounts');
    assert.equal(requests.length, sandbox.counters.total, 'the log kept every request');
    const byId = new Map();
    for (const r of requests) {
      const list = byId.get(r.body.externalId) || [];
      list.push(r.status);
      byId.set(r.body.externalId, list);
    }
    return { requests, byId, times: requests.map((r) => r.time) };
  }

  function assertAllDelivered(summaries, run) {
    for (const [p, v] of summaries.entries()) {
      assert.equal(v.total, RECORDS);
      assert.equal(
        v.succeeded,
        RECORDS,
        `process ${p}: ${JSON.stringify(v.results.filter((r) => r.error).slice(0, 3))}`,
      );
    }
    const want = Array.from({ length: PROCESSES }, (_, p) => recordsFor(run, p).map((r) => r.externalId)).flat();
    const stored = sandbox.list('accounts').map((a) => a.externalId);
    assert.deepEqual([...stored].sort(), [...want].sort(), 'the store holds every record, once');
    return want;
  }

  it('steady: every record delivered once, 0 429s, never more than the limit in any window', async function () {
    sandbox.reset();
    const summaries = await runAll('steady');
    const want = assertAllDelivered(summaries, 'steady');
    const { byId, times } = seen();
    for (const id of want) assert.deepEqual(byId.get(id), [200], `${id}: ${byId.get(id)}`);
    assert.equal(sandbox.counters.byStatus['429'] || 0, 0, 'no 429');
    assert.equal(sandbox.counters.total, PROCESSES * RECORDS, 'one request per record');
    const busiest = busiestWindow(times, WINDOW_MS);
    assert.ok(busiest <= LIMIT, `the sandbox saw ${busiest} requests in one window (limit ${LIMIT})`);
    assert.ok(busiestWindow(sandbox.acceptedTimes, WINDOW_MS) <= LIMIT);
  });

  it('Redis stopped ~2 s mid-run and restarted empty: nothing lost, nothing sent twice', async function () {
    sandbox.reset();
    let stoppedWith;
    const summaries = await runAll('restart', {
      during: async () => {
        await waitFor(() => sandbox.counters.total >= LIMIT, { timeout: 10000, what: 'the first window' });
        await redis.stop();
        stoppedWith = sandbox.counters.total;
        await sleep(2000);
        await redis.restart();
      },
    });
    assert.ok(stoppedWith < PROCESSES * RECORDS, 'Redis stopped while records were queued');
    const want = assertAllDelivered(summaries, 'restart');
    const { byId } = seen();
    // A restarted Redis (no persistence) has forgotten the window, while the sandbox still
    // counts requests from up to a window ago (those in flight when Redis stopped landed after
    // it): right after the restart the processes together may start a few more than the
    // sandbox allows, and it answers 429. The design promises 0 429s for the steady case only;
    // here every 429 must have been retried, so that each record ends with exactly one 200 and
    // no create was applied twice (a second create of one externalId would be a 400 here).
    for (const id of want) {
      const statuses = byId.get(id);
      assert.equal(statuses.filter((s) => s === 200).length, 1, `${id}: ${statuses}`);
      assert.equal(statuses.at(-1), 200, `${id}: ${statuses}`);
      assert.ok(
        statuses.every((s) => s === 200 || s === 429),
        `${id}: ${statuses}`,
      );
    }
    const count429 = sandbox.counters.byStatus['429'] || 0;
    assert.ok(count429 <= LIMIT, `${count429} 429s`);
    if (process.env.REDIS_TEST_VERBOSE) console.log(`      429s after the restart: ${count429}`);
  });
});
