'use strict';
/**
 * The shared rate budget (src/delivery/redis-window.ts) against a real redis-server: the exact
 * sliding window, several clients and processes racing, the shared pause, key expiry, and
 * what take() does when Redis stops, hangs or comes back.
 */
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { Redis } = require('ioredis');

const { RedisRateWindow, RedisBudgetError, redisBudgetId, HOLD_SLACK_MS } = require('../../dist/delivery/redis-window');
const { ConfigError } = require('../../dist/core/errors');
const { startRedis, freePort } = require('./redis-server');

const MARGIN_MS = 2;
const PREFIX = 'vitally-test:';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Retries `fn` until it resolves, for up to `ms` (a loaded machine can be slow to connect). */
async function eventually(fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(50);
    }
  }
}

let budgetCounter = 0;
const newBudgetId = () => `budget-${process.pid}-${++budgetCounter}`;

/** Asserts that no `limit + 1` grants (sorted times in ms) fall within one `windowMs` span. */
function assertSliding(times, limit, windowMs) {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + limit < sorted.length; i++) {
    const span = sorted[i + limit] - sorted[i];
    assert.ok(span >= windowMs, `grants ${i} and ${i + limit} only ${span} ms apart (window ${windowMs} ms)`);
  }
  return sorted;
}

describe('RedisRateWindow against a real redis-server', function () {
  this.timeout(30000);
  let server;
  let admin; // a plain client to look at the keys
  const open = [];

  /** A window on its own connection, closed after the test. */
  function makeWindow(opts) {
    const window = RedisRateWindow.connect(opts.url || server.url, {
      prefix: PREFIX,
      maxHoldMs: 5000,
      ...opts,
    });
    open.push(window);
    return window;
  }
  const keysOf = (budgetId) => ({
    window: `${PREFIX}{${budgetId}}:w`,
    pause: `${PREFIX}{${budgetId}}:p`,
  });
  /** The Redis time (ms) at which a slot still in flight was taken, read from its score. */
  async function takenAt(budgetId, slot, windowMs, maxHoldMs) {
    const score = Number(await admin.zscore(keysOf(budgetId).window, slot));
    return score - maxHoldMs - HOLD_SLACK_MS - windowMs - MARGIN_MS;
  }

  /** The Redis time (ms) at which a slot leaves the window: its score. */
  const leavesAt = async (budgetId, slot) => Number(await admin.zscore(keysOf(budgetId).window, slot));
  /**
   * take() with this machine's clock read around it. redis-server runs on the same machine, so
   * its TIME and Date.now() are one clock, and a test can compare them exactly.
   */
  async function timedTake(window) {
    const before = Date.now();
    const grant = await window.take();
    return { grant, before, after: Date.now() };
  }
  /** The wait a full take() announced is the time left until `leaveAt` when it ran. */
  function assertWait({ grant, before, after }, leaveAt) {
    assert.ok(
      grant.waitMs >= leaveAt - after - 1 && grant.waitMs <= leaveAt - before + 1,
      `waitMs ${grant.waitMs}, leaves in ${leaveAt - after}..${leaveAt - before} ms`,
    );
  }

  before(async function () {
    server = await startRedis();
    admin = new Redis(server.url);
  });
  afterEach(async function () {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
  after(async function () {
    admin.disconnect();
    await server.dispose();
  });

  it('never grants more than the limit in any window span, and fills the window (many takes)', async function () {
    const budgetId = newBudgetId();
    const limit = 10;
    const windowMs = 300;
    const maxHoldMs = 2000;
    const window = makeWindow({ budgetId, limit, windowMs, maxHoldMs });
    const times = [];
    let takes = 0;
    const end = Date.now() + 1600;
    async function lane() {
      while (Date.now() < end) {
        const grant = await window.take();
        takes++;
        if (!grant.slot) {
          assert.equal(grant.reason, 'full');
          assert.ok(grant.waitMs >= 1 && grant.waitMs <= windowMs + MARGIN_MS, `waitMs ${grant.waitMs}`);
          await sleep(grant.waitMs);
          continue;
        }
        times.push(await takenAt(budgetId, grant.slot, windowMs, maxHoldMs));
        await sleep(Math.random() * 15);
        await window.finish(grant.slot);
      }
    }
    await Promise.all(Array.from({ length: 8 }, lane));
    assertSliding(times, limit, windowMs);
    // 1.6 s is five windows of 300 ms (plus request time): the budget is used, not starved
    // (loosely: a loaded CI machine is slow, and the check above is the point).
    assert.ok(times.length >= 3 * limit, `only ${times.length} grants in 1.6 s`);
    assert.ok(takes > times.length, 'the window was full at times');
  });

  it('frees a finished slot exactly windowMs after its finish, not before', async function () {
    const budgetId = newBudgetId();
    const windowMs = 400;
    const window = makeWindow({ budgetId, limit: 1, windowMs });
    const first = await window.take();
    assert.ok(first.slot);
    await sleep(150); // the request takes 150 ms: its slot is held from the start
    const beforeFinish = Date.now();
    await window.finish(first.slot);
    const afterFinish = Date.now();
    const leaveAt = await leavesAt(budgetId, first.slot);
    assert.ok(
      leaveAt >= beforeFinish + windowMs + MARGIN_MS && leaveAt <= afterFinish + windowMs + MARGIN_MS,
      `leaves ${leaveAt - beforeFinish} ms after finish() began`,
    );
    const full = await timedTake(window);
    assert.equal(full.grant.reason, 'full');
    assertWait(full, leaveAt);
    await sleep(leaveAt - 60 - Date.now());
    const late = await timedTake(window);
    if (late.after < leaveAt) {
      assert.equal(late.grant.reason, 'full', 'the slot left the window before windowMs had passed');
      assertWait(late, leaveAt);
    }
    await sleep(leaveAt + 5 - Date.now()); // timers may fire a millisecond early
    const second = await window.take();
    assert.ok(second.slot, `not free windowMs after finish: ${JSON.stringify(second)}`);
  });

  it('frees a slot that is never finished (a dead instance) after maxHoldMs + slack + windowMs', async function () {
    const budgetId = newBudgetId();
    const windowMs = 300;
    const maxHoldMs = 200;
    const window = makeWindow({ budgetId, limit: 1, windowMs, maxHoldMs });
    const taken = await timedTake(window);
    assert.ok(taken.grant.slot);
    const leaveAt = await leavesAt(budgetId, taken.grant.slot);
    const hold = maxHoldMs + HOLD_SLACK_MS + windowMs + MARGIN_MS; // 1502 ms
    assert.ok(leaveAt >= taken.before + hold && leaveAt <= taken.after + hold, `held ${leaveAt - taken.before} ms`);
    // While the slot is in flight, nothing can free sooner than a window from now.
    const full = await window.take();
    assert.equal(full.reason, 'full');
    assert.equal(full.waitMs, windowMs + MARGIN_MS);
    // Near its end the wait is exact.
    await sleep(leaveAt - 120 - Date.now());
    const late = await timedTake(window);
    if (late.after < leaveAt) {
      assert.equal(late.grant.reason, 'full', 'the unfinished slot left early');
      assertWait(late, leaveAt);
    }
    await sleep(leaveAt + 5 - Date.now()); // timers may fire a millisecond early
    assert.ok((await window.take()).slot, 'the unfinished slot never left');
  });

  it('cancel() frees a slot at once; a finish() for a slot already gone does not bring it back', async function () {
    const budgetId = newBudgetId();
    const window = makeWindow({ budgetId, limit: 1, windowMs: 5000 });
    const a = await window.take();
    assert.ok(a.slot);
    assert.equal((await window.take()).reason, 'full');
    await window.cancel(a.slot);
    const b = await window.take();
    assert.ok(b.slot, 'the cancelled slot was not freed');
    await window.finish(a.slot); // ZADD XX: no effect
    assert.equal(await admin.zcard(keysOf(budgetId).window), 1);
    assert.equal(await admin.zscore(keysOf(budgetId).window, a.slot), null);
  });

  it('five clients racing for limit 20 get exactly 20 slots', async function () {
    const budgetId = newBudgetId();
    const windows = Array.from({ length: 5 }, () => makeWindow({ budgetId, limit: 20, windowMs: 10000 }));
    const grants = await Promise.all(windows.flatMap((window) => Array.from({ length: 15 }, () => window.take())));
    const slots = grants.filter((g) => g.slot).map((g) => g.slot);
    assert.equal(slots.length, 20);
    assert.equal(new Set(slots).size, 20, 'slot ids are unique');
    assert.equal(await admin.zcard(keysOf(budgetId).window), 20);
    for (const g of grants.filter((g) => !g.slot)) assert.equal(g.reason, 'full');
    // Each client got some: they really raced.
    const perClient = windows.map((_, i) => grants.slice(i * 15, i * 15 + 15).filter((g) => g.slot).length);
    assert.ok(perClient.filter((n) => n > 0).length >= 2, `grants per client: ${perClient}`);
  });

  it('three processes racing for one budget never exceed the limit in any window (server clock)', async function () {
    const budgetId = newBudgetId();
    const limit = 15;
    const windowMs = 300;
    const maxHoldMs = 2000;
    const durationMs = 1800;
    const startAt = Date.now() + 700; // after every process has started
    const worker = path.join(__dirname, 'race-worker.js');
    const args = [server.url, PREFIX, budgetId, limit, windowMs, maxHoldMs, startAt, durationMs, 4].map(String);
    const run = () =>
      new Promise((resolve, reject) => {
        execFile(process.execPath, [worker, ...args], { timeout: 20000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
        );
      });
    const results = await Promise.all([run(), run(), run()]);
    const all = results.flatMap((r) => r.grants);
    assertSliding(all, limit, windowMs);
    for (const r of results) assert.ok(r.grants.length > 0, 'every process got slots');
    assert.ok(
      results.every((r) => r.waits > 0),
      'every process met a full window',
    );
    // Six windows of 300 ms in 1.8 s: the budget is used, not starved (loosely, as above).
    assert.ok(all.length >= 2 * limit, `only ${all.length} grants`);
  });

  it('a shared pause blocks every client until it ends, and is never shortened', async function () {
    const budgetId = newBudgetId();
    const a = makeWindow({ budgetId, limit: 100, windowMs: 1000 });
    const b = makeWindow({ budgetId, limit: 100, windowMs: 1000 });
    assert.equal(await b.pauseInfo(), undefined);
    /** pauseUntil(ms) with the local clock around it: the pause ends between lo and hi. */
    async function pause(window, ms, cause) {
      const lo = Date.now() + ms;
      await window.pauseUntil(ms, cause);
      return { lo, hi: Date.now() + ms };
    }
    async function timedInfo(window) {
      const before = Date.now();
      const info = await window.pauseInfo();
      return { info, before, after: Date.now() };
    }
    function assertEnds({ info, before, after }, end, cause) {
      assert.equal(info.cause, cause);
      assert.ok(
        info.remainingMs >= end.lo - after - 1 && info.remainingMs <= end.hi - before + 1,
        `${info.remainingMs}`,
      );
      assert.ok(info.until >= end.lo - 1 && info.until <= end.hi + (after - before) + 1, 'until is on the local clock');
    }

    const first = await pause(a, 500, 'paused by Vitally (429)');
    const blocked = await timedTake(b);
    assert.equal(blocked.grant.reason, 'paused');
    assert.equal(blocked.grant.cause, 'paused by Vitally (429)');
    assert.ok(
      blocked.grant.waitMs >= first.lo - blocked.after - 1 && blocked.grant.waitMs <= first.hi - blocked.before + 1,
      `waitMs ${blocked.grant.waitMs}`,
    );
    assert.equal((await a.take()).reason, 'paused', 'the pausing client is paused too');

    await b.pauseUntil(100, 'a shorter one'); // does not shorten the pause in force
    assertEnds(await timedInfo(a), first, 'paused by Vitally (429)');

    const longer = await pause(b, 700, 'RateLimit-Remaining: 0'); // a longer one replaces it
    assertEnds(await timedInfo(a), longer, 'RateLimit-Remaining: 0');

    await a.pauseUntil(0, 'ignored');
    await a.pauseUntil(NaN, 'ignored');
    assert.equal((await a.pauseInfo()).cause, 'RateLimit-Remaining: 0');

    await sleep(longer.hi + 5 - Date.now());
    assert.equal(await b.pauseInfo(), undefined);
    assert.ok((await a.take()).slot, 'a slot after the pause');
    assert.ok((await b.take()).slot, 'a slot after the pause');
  });

  it('keys carry TTLs and vanish when the budget is idle', async function () {
    const budgetId = newBudgetId();
    const windowMs = 300;
    const maxHoldMs = 400;
    const keys = keysOf(budgetId);
    const window = makeWindow({ budgetId, limit: 5, windowMs, maxHoldMs });

    // The set expires with its last entry (PEXPIREAT its leave time + 1 ms).
    const a = await window.take();
    const leaveA = await leavesAt(budgetId, a.slot);
    const before = Date.now();
    const held = await admin.pttl(keys.window);
    assert.ok(held > 0 && Math.abs(held - (leaveA + 1 - before)) <= Date.now() - before + 1, `PTTL ${held}`);
    await window.finish(a.slot);
    const finished = await admin.pttl(keys.window);
    assert.ok(finished > 0 && finished <= windowMs + MARGIN_MS + 1, `PTTL after finish ${finished}`);
    await window.pauseUntil(200, 'test');
    const paused = await admin.pttl(keys.pause);
    assert.ok(paused > 0 && paused <= 200, `pause PTTL ${paused}`);
    const all = await admin.keys(`${PREFIX}{${budgetId}}*`);
    assert.deepEqual(all.sort(), [keys.pause, keys.window].sort());
    for (const key of all) assert.ok((await admin.pttl(key)) > 0, `${key} has no TTL`);
    await sleep(windowMs + 50);
    assert.equal(await admin.exists(keys.window, keys.pause), 0, 'the keys outlived the window');

    // A slot never finished: the set lives exactly as long as the slot counts.
    const b = await window.take();
    const leaveB = await leavesAt(budgetId, b.slot);
    assert.ok(leaveB - Date.now() > maxHoldMs + HOLD_SLACK_MS);
    await sleep(leaveB - 100 - Date.now());
    const probe = Date.now();
    const exists = await admin.exists(keys.window);
    if (probe < leaveB) assert.equal(exists, 1, 'the set went before its slot left');
    await sleep(leaveB + 30 - Date.now());
    assert.equal(await admin.exists(keys.window), 0, 'an abandoned slot kept the set alive');
  });

  it('budgets are separate, and windows of different lengths on one budget do not prune each other', async function () {
    const one = makeWindow({ budgetId: newBudgetId(), limit: 1, windowMs: 5000 });
    const two = makeWindow({ budgetId: newBudgetId(), limit: 1, windowMs: 5000 });
    assert.ok((await one.take()).slot);
    assert.ok((await two.take()).slot, 'another budget is not full');

    const budgetId = newBudgetId();
    const long = makeWindow({ budgetId, limit: 2, windowMs: 3000 });
    const short = makeWindow({ budgetId, limit: 2, windowMs: 100 });
    for (let i = 0; i < 2; i++) await long.finish((await long.take()).slot);
    await sleep(150);
    const g = await short.take();
    assert.equal(g.reason, 'full', 'a short window pruned the long window’s slots');
  });

  it('take() right after connect() waits for the connection instead of failing', async function () {
    const window = makeWindow({ budgetId: newBudgetId(), limit: 1, windowMs: 1000 });
    assert.ok((await window.take()).slot);
    assert.equal(window.isHealthy(), true);
    assert.equal(window.lastError, undefined);
  });

  it('Redis stopped: take() rejects fast naming Redis; restarted: take() works again', async function () {
    const own = await startRedis();
    try {
      const changes = [];
      const window = makeWindow({
        url: own.url,
        budgetId: newBudgetId(),
        limit: 100,
        windowMs: 1000,
        onHealthChange: (healthy, error) => changes.push({ healthy, error }),
      });
      const before = await window.take();
      assert.ok(before.slot);
      await own.stop();

      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        await assert.rejects(window.take(), (err) => {
          assert.ok(err instanceof RedisBudgetError);
          assert.match(err.message, /^Redis unreachable/);
          return true;
        });
        const took = Date.now() - t0;
        assert.ok(took < 1000, `take() took ${took} ms to fail`);
        if (process.env.REDIS_TEST_VERBOSE) console.log(`      take() failed after ${took} ms: ${window.lastError}`);
        await sleep(100);
      }
      assert.equal(window.isHealthy(), false);
      assert.match(window.lastError, /Redis unreachable/);
      // The others never reject: the slot simply stays counted until it expires.
      await window.finish(before.slot);
      await window.cancel(before.slot);
      await window.pauseUntil(1000, 'x');
      assert.equal(await window.pauseInfo(), undefined);

      await own.restart();
      const t0 = Date.now();
      let grant;
      while (!grant && Date.now() - t0 < 5000) {
        grant = await window.take().catch(() => undefined);
        if (!grant) await sleep(100);
      }
      assert.ok(grant && grant.slot, 'take() never worked again after the restart');
      assert.ok(Date.now() - t0 < 3000, `back after ${Date.now() - t0} ms`);
      assert.equal(window.isHealthy(), true);
      assert.deepEqual(
        changes.map((c) => c.healthy),
        [false, true],
      );
      assert.match(changes[0].error, /^Redis unreachable/);
    } finally {
      await own.dispose();
    }
  });

  it('a hung Redis: take() rejects after commandTimeoutMs, and works once it answers again', async function () {
    const own = await startRedis();
    try {
      const window = makeWindow({
        url: own.url,
        budgetId: newBudgetId(),
        limit: 100,
        windowMs: 1000,
        commandTimeoutMs: 300,
      });
      assert.ok((await eventually(() => window.take())).slot);
      own.freeze();
      const t0 = Date.now();
      await assert.rejects(
        window.take(),
        /^RedisBudgetError: Redis unreachable: (no answer within 300 ms|Command timed out)$/,
      );
      const took = Date.now() - t0;
      assert.ok(took >= 290 && took < 2000, `rejected after ${took} ms`);
      assert.equal(window.isHealthy(), false);
      own.thaw();
      assert.ok((await eventually(() => window.take())).slot);
      assert.equal(window.isHealthy(), true);
    } finally {
      await own.dispose();
    }
  });

  it('with no Redis at all, take() rejects quickly and the status can say why', async function () {
    const port = await freePort();
    const window = makeWindow({ url: `redis://127.0.0.1:${port}`, budgetId: newBudgetId(), limit: 1, windowMs: 1000 });
    const t0 = Date.now();
    await assert.rejects(window.take(), /Redis unreachable/);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(window.isHealthy(), false);
    assert.match(window.lastError, /ECONNREFUSED|Redis unreachable/);
  });

  it('connect() takes redis:// and rediss:// only and never echoes the URL', function () {
    for (const url of ['http://u:secret@example.com', 'secret', '', 'redis:/nohost']) {
      assert.throws(
        () => RedisRateWindow.connect(url, { prefix: PREFIX, budgetId: 'x', limit: 1, windowMs: 1, maxHoldMs: 1 }),
        (err) => err instanceof ConfigError && !err.message.includes('secret'),
      );
    }
    const client = RedisRateWindow.createClient('REDISS://127.0.0.1:1', { lazyConnect: true });
    assert.ok(client.options.tls, 'rediss:// turns TLS on');
    client.disconnect();
  });

  it('validates its options', function () {
    const redis = new Redis({ lazyConnect: true });
    const base = { redis, prefix: PREFIX, budgetId: 'b', limit: 1, windowMs: 1000, maxHoldMs: 1000 };
    assert.throws(() => new RedisRateWindow({ ...base, limit: 0 }), RangeError);
    assert.throws(() => new RedisRateWindow({ ...base, windowMs: 0 }), RangeError);
    assert.throws(() => new RedisRateWindow({ ...base, maxHoldMs: -1 }), RangeError);
    assert.throws(() => new RedisRateWindow({ ...base, limit: Infinity }), RangeError);
    assert.throws(() => new RedisRateWindow({ ...base, budgetId: '' }), TypeError);
    assert.throws(() => new RedisRateWindow({ ...base, redis: {} }), TypeError);
    redis.disconnect();
  });

  it('close() quits a client it made and leaves a caller’s client open', async function () {
    const owned = RedisRateWindow.connect(server.url, {
      prefix: PREFIX,
      budgetId: newBudgetId(),
      limit: 1,
      windowMs: 1000,
      maxHoldMs: 1000,
    });
    await owned.take();
    await owned.close();
    await assert.rejects(owned.take(), /closed/);

    const client = new Redis(server.url);
    const shared = new RedisRateWindow({
      redis: client,
      prefix: PREFIX,
      budgetId: newBudgetId(),
      limit: 1,
      windowMs: 1000,
      maxHoldMs: 1000,
    });
    assert.ok((await shared.take()).slot);
    await shared.close();
    assert.equal(await client.ping(), 'PONG');
    assert.equal(client.listenerCount('error'), 0, 'close() removed its listeners');
    client.disconnect();
  });

  it('redisBudgetId() is a stable digest of host and key that does not contain the key', function () {
    const key = 'sk_live_abcdef0123456789';
    const id = redisBudgetId('https://acme.rest.vitally.io', key);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.ok(!id.includes(key));
    assert.equal(redisBudgetId('https://acme.rest.vitally.io', key), id);
    assert.notEqual(redisBudgetId('https://rest.vitally-eu.io', key), id);
    assert.notEqual(redisBudgetId('https://acme.rest.vitally.io', `${key}x`), id);
  });
});
