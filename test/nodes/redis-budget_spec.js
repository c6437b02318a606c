'use strict';
/**
 * The destination node with `budget: redis` (design.md section 10) in the real Node-RED runtime
 * (node-red-node-test-helper), against the sandbox's strict sliding window and a real
 * redis-server (test/redis/redis-server.js): records delivered within the window, two config
 * nodes sharing it through Redis, a missing or malformed Redis URL refused at deploy, and Redis
 * stopping and coming back while records wait.
 */
const assert = require('node:assert/strict');
const { Redis } = require('ioredis');
const {
  helper,
  API_KEY,
  nodeModules,
  flowFor,
  load,
  destination,
  outputs,
  collect,
  newSandbox,
  stop,
  delay,
} = require('./helpers');
const { startRedis } = require('../redis/redis-server');
const { busiestWindow } = require('../../dist/sandbox');

const LIMIT = 10;
const WINDOW_MS = 1000;
const RATE = { rateLimit: LIMIT, rateWindow: WINDOW_MS / 1000 };

const accounts = (n, prefix) =>
  Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}-${i}`, name: `${prefix} ${i}` }));

/** Polls `check` until it is truthy or `ms` pass. */
async function until(check, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/**
 * What the sandbox saw: every request that reached it (429s included, so a node that sent too
 * many shows here, not only in the count of 429s), the POSTs per externalId, and the statuses.
 */
function seen(sandbox) {
  const requests = sandbox.requests;
  const posts = new Map();
  for (const r of requests) {
    if (r.method !== 'POST' || r.path !== '/resources/accounts') continue;
    const id = r.body && r.body.externalId;
    posts.set(id, (posts.get(id) || 0) + 1);
  }
  const statuses = {};
  for (const r of requests) statuses[r.status] = (statuses[r.status] || 0) + 1;
  return { requests, posts, statuses, times: requests.map((r) => r.time) };
}

/** Every record created once: one POST each, all 200, and the store holds exactly them. */
function assertEachOnce(sandbox, ids) {
  const { posts, statuses } = seen(sandbox);
  assert.deepEqual(statuses, { 200: ids.length }, 'one 200 per record, nothing else');
  for (const id of ids) assert.equal(posts.get(id), 1, `${id} was POSTed ${posts.get(id) || 0} times`);
  const stored = sandbox
    .list('accounts')
    .map((a) => a.externalId)
    .sort();
  assert.deepEqual(stored, [...ids].sort());
}

/** The destination's error log entries. */
const errorsOf = (id) =>
  helper
    .log()
    .args.map((a) => a[0])
    .filter((e) => e.level === 20 && e.id === id)
    .map((e) => String(e.msg));

/** The destination's status calls (sinon spy) from `from` on. */
const statusesOf = (id, from = 0) =>
  helper
    .getNode(id)
    .status.args.slice(from)
    .map((a) => a[0]);

describe('destination node with budget: redis (real redis-server)', function () {
  this.timeout(40000);
  let redis; // one server for the tests that do not stop it
  let admin; // a plain client to look at the keys
  let sandbox;
  let own; // a server a test stops and restarts
  let prefixCounter = 0;
  const newPrefix = () => `vt-node-${process.pid}-${++prefixCounter}:`;

  before(async function () {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterEach(async function () {
    await stop();
    if (sandbox) await sandbox.close();
    sandbox = undefined;
    if (own) await own.dispose();
    own = undefined;
  });
  after(async function () {
    admin.disconnect();
    await redis.dispose();
  });

  /** A flow with n1 on the config node, budget redis, plus a Catch node wired to `caught`. */
  async function loadRedisFlow({ redisUrl, prefix, config = {}, nodes = [] }) {
    await helper.startServer();
    await load(
      sandbox,
      [
        destination({ endpoint: 'createAccount' }),
        ...outputs,
        { id: 'catcher', type: 'catch', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper' },
        ...nodes,
      ],
      {
        config: { budget: 'redis', redisPrefix: prefix, ...RATE, ...config },
        credentials: { apiKey: API_KEY, redisUrl },
      },
    );
  }

  it('delivers every record within the sandbox strict window, 0 429s, the window kept in Redis', async function () {
    sandbox = await newSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, recordAcceptedTimes: true, logLimit: 5000 });
    const prefix = newPrefix();
    await loadRedisFlow({ redisUrl: redis.url, prefix });
    const done = collect('out1', 1);
    const records = accounts(35, 'one');
    helper.getNode('n1').receive({ payload: records });
    // While it runs, the window lives in Redis under the configured prefix, with a TTL.
    await until(() => sandbox.acceptedTimes.length >= 5, 10000, 'the first requests');
    // The window (:w), and the shared pause (:p) once the sandbox said none is left.
    const keys = await admin.keys(`${prefix}*`);
    assert.equal(keys.filter((k) => k.endsWith(':w')).length, 1, `keys under the prefix: ${keys}`);
    for (const key of keys) {
      assert.ok(key.startsWith(prefix), key);
      assert.match(key.slice(prefix.length), /^\{[0-9a-f]{32}\}:[wp]$/);
      assert.ok(!key.includes(API_KEY), 'the key never reaches Redis');
      const ttl = await admin.pttl(key);
      // Nothing lives longer than a slot held for the whole timeout (30 s) + slack + a window.
      assert.ok(ttl > 0 && ttl <= 30000 + 1000 + WINDOW_MS + 10, `${key}: PTTL ${ttl}`);
    }

    const [result] = await done;
    assert.equal(result.vitally.succeeded, 35, JSON.stringify(result.vitally.results.filter((r) => r.error)));
    assertEachOnce(
      sandbox,
      records.map((r) => r.externalId),
    );
    assert.equal(sandbox.counters.byStatus['429'] || 0, 0);
    const busiest = busiestWindow(seen(sandbox).times, WINDOW_MS);
    assert.ok(busiest <= LIMIT, `${busiest} requests reached the sandbox in one window`);
    await until(() => helper.getNode('n1').status.lastCall.args[0].fill === 'green', 2000, 'a green status');
  });

  it('two config nodes on the same key, both budget redis, share one window', async function () {
    // Each config node keeps its own local window of LIMIT too: only Redis stops them from
    // sending 2 * LIMIT per window together, which the sandbox would answer with 429s.
    sandbox = await newSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, recordAcceptedTimes: true, logLimit: 5000 });
    const prefix = newPrefix();
    await helper.startServer();
    const config = { budget: 'redis', redisPrefix: prefix, ...RATE };
    const flow = flowFor(
      sandbox,
      [
        destination({ endpoint: 'createAccount' }),
        ...outputs,
        { id: 'n2', type: 'vitally-destination', vitally: 'cfg2', endpoint: 'createAccount', wires: [['out3'], []] },
        { id: 'out3', type: 'helper' },
      ],
      config,
    );
    flow.push({ ...flow.find((n) => n.id === 'cfg'), id: 'cfg2', name: 'same key, second config node' });
    const credentials = { apiKey: API_KEY, redisUrl: redis.url };
    await helper.load(nodeModules, flow, { cfg: credentials, cfg2: credentials });
    const a = accounts(25, 'a');
    const b = accounts(25, 'b');
    const doneA = collect('out1', 1);
    const doneB = collect('out3', 1);
    helper.getNode('n1').receive({ payload: a });
    helper.getNode('n2').receive({ payload: b });
    const [[ra], [rb]] = await Promise.all([doneA, doneB]);
    assert.equal(ra.vitally.succeeded + rb.vitally.succeeded, 50);
    assertEachOnce(
      sandbox,
      [...a, ...b].map((r) => r.externalId),
    );
    assert.equal(sandbox.counters.byStatus['429'] || 0, 0);
    const busiest = busiestWindow(seen(sandbox).times, WINDOW_MS);
    assert.ok(busiest <= LIMIT, `${busiest} requests reached the sandbox in one window`);
    const byNode = { a: 0, b: 0 };
    for (const r of seen(sandbox).requests) byNode[r.body.externalId[0]]++;
    assert.deepEqual(byNode, { a: 25, b: 25 });
  });

  it('a missing Redis URL is a configuration error at deploy: red status, nothing sent', async function () {
    sandbox = await newSandbox();
    await helper.startServer();
    await load(
      sandbox,
      [
        destination({ endpoint: 'createAccount' }),
        ...outputs,
        { id: 'catcher', type: 'catch', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
      { config: { budget: 'redis' }, credentials: { apiKey: API_KEY } },
    );
    // The status is red; its 60 characters end before "Redis URL", which the log gives in full.
    const status = helper.getNode('n1').status.lastCall.args[0];
    assert.equal(status.fill, 'red');
    assert.match(status.text, /shared rate budget/);
    assert.ok(
      errorsOf('n1').some((e) => /the shared rate budget needs the Redis URL/.test(e)),
      'the log names it',
    );
    const caught = collect('caught', 1);
    const done = collect('out1', 1);
    helper.getNode('n1').receive({ payload: accounts(2, 'x') });
    const [[result], [err]] = await Promise.all([done, caught]);
    assert.deepEqual([result.vitally.total, result.vitally.failed], [2, 2]);
    assert.match(result.vitally.results[0].error, /needs the Redis URL/);
    assert.match(err.error.message, /Redis URL/);
    assert.equal(sandbox.counters.total, 0);
  });

  it('a Redis URL that is not redis:// is a configuration error that never echoes the URL', async function () {
    sandbox = await newSandbox();
    const secret = 's3cret-redis-pw';
    await loadRedisFlow({ redisUrl: `http://user:${secret}@127.0.0.1:6379`, prefix: newPrefix() });
    const status = helper.getNode('n1').status.lastCall.args[0];
    assert.equal(status.fill, 'red');
    assert.match(status.text, /the Redis URL must start with/);
    const done = collect('out1', 1);
    helper.getNode('n1').receive({ payload: accounts(1, 'x') });
    const [result] = await done;
    assert.match(result.vitally.results[0].error, /Redis URL must start with redis:\/\/ or rediss:\/\//);
    const shown = JSON.stringify([result, helper.getNode('n1').status.args, helper.log().args]);
    assert.ok(!shown.includes(secret), 'the Redis password leaked');
    assert.equal(sandbox.counters.total, 0);
  });

  it('Redis stopped mid-run: the status says so and records wait; restarted: each delivered exactly once', async function () {
    own = await startRedis();
    sandbox = await newSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, recordAcceptedTimes: true, logLimit: 5000 });
    await loadRedisFlow({ redisUrl: own.url, prefix: newPrefix() }); // timeout 30 s: records may wait that long
    // Enough records that some still queue when Redis stops, even if this test's timers run late.
    const records = accounts(60, 'mid');
    const out1 = [];
    helper.getNode('out1').on('input', (m) => out1.push(m));
    helper.getNode('n1').receive({ payload: records });
    await until(() => sandbox.counters.total >= 12, 10000, '12 requests');

    await own.stop();
    const statusFrom = helper.getNode('n1').status.args.length;
    await delay(300); // what was in flight when Redis stopped lands
    const sentBefore = sandbox.counters.total;
    assert.ok(sentBefore < records.length, 'Redis stopped while records were queued');
    await delay(1500);
    assert.equal(sandbox.counters.total, sentBefore, 'nothing is sent outside the shared budget');
    assert.equal(out1.length, 0, 'the records wait: none has failed');
    const down = statusesOf('n1', statusFrom).filter((s) => s.fill === 'red' && /Redis/.test(s.text));
    assert.ok(down.length > 0, `status never named Redis: ${JSON.stringify(statusesOf('n1', statusFrom))}`);
    assert.match(down.at(-1).text, /queued/);

    await own.restart();
    await until(() => out1.length === 1, 20000, 'the message to finish after the restart');
    const { vitally } = out1[0];
    assert.equal(vitally.succeeded, 60, JSON.stringify(vitally.results.filter((r) => r.error)));
    assertEachOnce(
      sandbox,
      records.map((r) => r.externalId),
    );
    // One process: its own local window still holds the limit while Redis forgets, so no 429.
    assert.equal(sandbox.counters.byStatus['429'] || 0, 0);
    assert.ok(busiestWindow(seen(sandbox).times, WINDOW_MS) <= LIMIT);
    await until(() => helper.getNode('n1').status.lastCall.args[0].fill === 'green', 2000, 'a green status');
  });

  it('Redis down longer than the timeout: waiting records fail naming Redis (results and done(err)); back: it sends again', async function () {
    own = await startRedis();
    sandbox = await newSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, logLimit: 5000 });
    const timeoutS = 1.5;
    await loadRedisFlow({ redisUrl: own.url, prefix: newPrefix(), config: { timeout: timeoutS } });
    // Enough records that some still queue when Redis stops, even if this test's timers run late.
    const total = 60;
    const records = accounts(total, 'long');
    const done = collect('out1', 1);
    const caught = [];
    helper.getNode('caught').on('input', (m) => caught.push(m));
    helper.getNode('n1').receive({ payload: records });
    await until(() => sandbox.counters.total >= LIMIT, 10000, 'the first window');
    const stoppedAt = Date.now(); // no record can have met a Redis error before this
    await own.stop();
    const [result] = await done;
    const waited = Date.now() - stoppedAt;

    const { vitally } = result;
    assert.equal(vitally.total, total);
    assert.ok(vitally.succeeded >= LIMIT && vitally.failed > 0, JSON.stringify(vitally));
    assert.ok(waited >= timeoutS * 1000 - 50, `the records failed ${waited} ms after Redis stopped`);
    assert.equal(vitally.succeeded + vitally.failed, total);
    const failures = vitally.results.filter((r) => r.error);
    assert.equal(failures.length, vitally.failed);
    for (const f of failures) {
      assert.match(f.error, /^not sent: the shared rate budget is unreachable: Redis unreachable/);
      assert.equal(f.statusCode, undefined);
    }
    await until(() => caught.length === 1, 2000, 'the Catch node');
    assert.match(
      caught[0].error.message,
      new RegExp(`${vitally.failed} of ${total} records failed: record \\d+: not sent: .*Redis`),
    );
    // What succeeded is exactly what the sandbox has; what failed was never sent.
    const delivered = vitally.results.filter((r) => !r.error).map((r) => records[r.index].externalId);
    assertEachOnce(sandbox, delivered);
    const last = helper.getNode('n1').status.lastCall.args[0];
    assert.equal(last.fill, 'red');
    assert.match(last.text, /Redis|not sent/);

    // Redis back: the same node sends again once its client has reconnected (ioredis tries
    // again at most 2 s apart, longer than this config's 1.5 s timeout, so wait for it first).
    await own.restart();
    await delay(2500);
    const again = collect('out1', 1);
    helper.getNode('n1').receive({ payload: accounts(3, 'after') });
    const [next] = await again;
    assert.equal(next.vitally.succeeded, 3, JSON.stringify(next.vitally.results));
  });

  it('runs at the limit, and the event loop stays responsive while the window is full', async function () {
    sandbox = await newSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, recordAcceptedTimes: true, logLimit: 5000 });
    await loadRedisFlow({ redisUrl: redis.url, prefix: newPrefix() });
    let maxLag = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      maxLag = Math.max(maxLag, now - last - 10);
      last = now;
    }, 10);
    try {
      const done = collect('out1', 1);
      helper.getNode('n1').receive({ payload: accounts(35, 'lag') });
      const [result] = await done;
      assert.equal(result.vitally.succeeded, 35);
    } finally {
      clearInterval(ticker);
    }
    assert.ok(maxLag < 200, `the event loop was blocked for ${maxLag} ms`);
    const busiest = busiestWindow(seen(sandbox).times, WINDOW_MS);
    assert.equal(busiest, LIMIT, `at most ${busiest} of ${LIMIT} requests in any window: the node ran under the limit`);
  });

  it('a second outage, shorter than the timeout, loses nothing (records waited through an earlier one)', async function () {
    own = await startRedis();
    sandbox = await newSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, logLimit: 5000 });
    const timeoutS = 3;
    await loadRedisFlow({ redisUrl: own.url, prefix: newPrefix(), config: { timeout: timeoutS } });
    const records = accounts(60, 'twice');
    const out1 = [];
    helper.getNode('out1').on('input', (m) => out1.push(m));
    for (const r of records) helper.getNode('n1').receive({ payload: r }); // one message each: failures show when they happen
    await until(() => sandbox.counters.total >= 5, 10000, 'the first requests');
    await own.stop(); // outage 1: 1 s, well under the timeout
    const firstOutage = Date.now();
    await delay(1000);
    await own.restart();
    // Records flow again at the limit; wait until the first outage is longer ago than the timeout.
    await until(() => Date.now() - firstOutage > timeoutS * 1000 + 500, 10000, 'time');
    assert.ok(sandbox.counters.total < records.length - 5, `records still queued (${sandbox.counters.total} sent)`);
    await own.stop(); // outage 2: 1.5 s, also under the timeout
    await delay(1500);
    const failedDuringOutage = out1.filter((m) => m.vitally.failed > 0).length;
    await own.restart();
    await until(() => out1.length === records.length, 20000, 'every message to finish');
    const failed = out1.filter((m) => m.vitally.failed > 0);
    assert.equal(
      failedDuringOutage,
      0,
      `${failedDuringOutage} records failed during a 1.5 s outage (timeout ${timeoutS} s)`,
    );
    assert.equal(failed.length, 0, JSON.stringify(failed.map((m) => m.vitally.results[0].error).slice(0, 3)));
    assertEachOnce(
      sandbox,
      records.map((r) => r.externalId),
    );
  });
});
