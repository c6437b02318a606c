'use strict';
/**
 * The scheduler (src/delivery/scheduler.ts) over the shared budget (SharedBudget +
 * RedisRateWindow) against a real redis-server, with a fake transport: jobs on several
 * schedulers sharing one Redis window, and how the scheduler waits when the window (its own or
 * the shared one) is full or the server says no request is left.
 */
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const scheduling = require('../../dist/delivery/scheduler');
const { Scheduler, Tenant } = scheduling;
const { SharedBudget } = require('../../dist/delivery/shared-budget');
const { RedisRateWindow } = require('../../dist/delivery/redis-window');
const { startRedis } = require('./redis-server');
const { busiestWindow } = require('../../dist/sandbox');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const POLICY = { retries: 0, maxDelayMs: 1000, baseDelayMs: 100 };
const request = (i) => ({ method: 'POST', url: 'http://127.0.0.1/resources/accounts', api: 'rest', body: { i } });

/** Submits one request; the scheduler takes a job object (CallbackJob) or (tenant, req, done). */
function submit(scheduler, tenant, req, done) {
  if (scheduling.CallbackJob) scheduler.submit(new scheduling.CallbackJob(req, tenant, done));
  else scheduler.submit(tenant, req, done);
}

/** The largest delay of a 10 ms interval timer while it runs: how long the event loop was blocked. */
function lagMeter() {
  let max = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    max = Math.max(max, now - last - 10);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

describe('scheduler over the shared Redis budget (real redis-server)', function () {
  this.timeout(30000);
  let server;
  let counter = 0;
  const open = [];
  const schedulers = [];

  function windowFor(budgetId, limit, windowMs) {
    const w = RedisRateWindow.connect(server.url, { prefix: 'vt-sched:', budgetId, limit, windowMs, maxHoldMs: 5000 });
    open.push(w);
    return w;
  }
  /** A scheduler on its own SharedBudget (as a config node in its own process has). */
  function schedulerFor(budgetId, { limit, windowMs, send, concurrency = 4 }) {
    const redisWindow = windowFor(budgetId, limit, windowMs);
    const budget = new SharedBudget(redisWindow, limit, windowMs);
    const scheduler = new Scheduler({ send }, budget, { concurrency, maxPauseMs: 300000, budgetWaitMs: 30000 });
    schedulers.push(scheduler);
    return { scheduler, budget, redisWindow };
  }
  /** Submits `n` jobs; resolves with their outcomes once all are done. */
  function submitAll(scheduler, n) {
    const tenant = new Tenant(POLICY);
    return Promise.all(
      Array.from({ length: n }, (_, i) => new Promise((resolve) => submit(scheduler, tenant, request(i), resolve))),
    );
  }

  before(async function () {
    server = await startRedis();
  });
  afterEach(async function () {
    for (const s of schedulers.splice(0)) s.close();
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
  after(async function () {
    await server.dispose();
  });

  it('three schedulers on one Redis window send every job and never more than the limit in any window', async function () {
    const budgetId = `three-${++counter}`;
    const limit = 10;
    const windowMs = 500;
    const sent = [];
    const send = async () => {
      sent.push(Date.now());
      await sleep(2 + Math.random() * 5);
      return { status: 200, headers: {}, body: {} };
    };
    const all = await Promise.all(
      [0, 1, 2].map(() => submitAll(schedulerFor(budgetId, { limit, windowMs, send }).scheduler, 12)),
    );
    assert.ok(
      all.flat().every((o) => o.ok && o.attempts === 1),
      'every job sent once',
    );
    assert.equal(sent.length, 36);
    // Transport calls start after the slot was taken and before the request reaches a server:
    // what a server would count is within these times, so no window may hold more than the limit.
    const busiest = busiestWindow(sent, windowMs);
    assert.ok(busiest <= limit, `${busiest} sends in one window`);
    const span = Math.max(...sent) - Math.min(...sent);
    assert.ok(span >= 3 * windowMs, `36 jobs at ${limit} per ${windowMs} ms took only ${span} ms`);
  });

  it('while the shared window is full, waits for the announced time instead of asking Redis again and again', async function () {
    const budgetId = `full-${++counter}`;
    const limit = 5;
    const windowMs = 1000;
    // Another process used the whole window a moment ago.
    const other = windowFor(budgetId, limit, windowMs);
    for (let i = 0; i < limit; i++) await other.finish((await other.take()).slot);
    const sent = [];
    const { scheduler, redisWindow } = schedulerFor(budgetId, {
      limit,
      windowMs,
      send: async () => {
        sent.push(Date.now());
        return { status: 200, headers: {}, body: {} };
      },
    });
    let takes = 0;
    const take = redisWindow.take.bind(redisWindow);
    redisWindow.take = () => {
      takes++;
      return take();
    };
    const done = submitAll(scheduler, 3);
    await sleep(500);
    assert.equal(sent.length, 0, 'nothing sent while the window is full');
    assert.ok(takes <= 5, `${takes} take() calls to Redis in 500 ms while the window was full`);
    await done;
    assert.equal(sent.length, 3);
  });

  it('while its own window is full, the event loop keeps running', async function () {
    const budgetId = `own-${++counter}`;
    const { scheduler, budget } = schedulerFor(budgetId, {
      limit: 5,
      windowMs: 1000,
      send: async () => ({ status: 200, headers: {}, body: {} }),
    });
    let takes = 0;
    const take = budget.take.bind(budget);
    budget.take = (now) => {
      takes++;
      return take(now);
    };
    const lag = lagMeter();
    const done = submitAll(scheduler, 8);
    const t0 = Date.now();
    await sleep(300);
    const slept = Date.now() - t0;
    const maxLag = lag.stop();
    await done;
    assert.ok(slept < 450 && maxLag < 150, `a 300 ms sleep took ${slept} ms; the event loop was blocked ${maxLag} ms`);
    assert.ok(takes < 100, `${takes} take() calls in 300 ms`);
  });

  it('two config nodes on one key and one Redis against a strict window do not lock the process up', async function () {
    const dist = (m) => JSON.stringify(path.join(ROOT, 'dist', m));
    const code = `
      const { Connection } = require(${dist('delivery/connection')});
      const { Tenant, CallbackJob } = require(${dist('delivery/scheduler')});
      const submit = (s, tenant, req, done) => CallbackJob ? s.submit(new CallbackJob(req, tenant, done)) : s.submit(tenant, req, done);
      const { startSandbox } = require(${dist('sandbox')});
      (async () => {
        const sandbox = await startSandbox({ port: 0, apiKey: 'k', rateLimit: 10, windowMs: 1000 });
        const settings = { region: 'custom', baseUrl: sandbox.url, rateLimit: 10, rateWindow: 1, budget: 'redis', redisPrefix: 'vt-lock-${++counter}:' };
        const connections = [0, 1].map(() => new Connection(settings, { apiKey: 'k', redisUrl: ${JSON.stringify(server.url)} }));
        const outcomes = await Promise.all(connections.flatMap((c, k) => {
          const tenant = new Tenant({ retries: 3, maxDelayMs: 1000, baseDelayMs: 100 });
          return Array.from({ length: 15 }, (_, i) => new Promise((resolve) => submit(c.scheduler, tenant,
            { method: 'POST', url: sandbox.url + '/resources/accounts', api: 'rest', body: { externalId: 'c' + k + '-' + i, name: 'x' } }, resolve)));
        }));
        console.log(JSON.stringify({ ok: outcomes.filter((o) => o.ok).length, count429: sandbox.counters.byStatus['429'] || 0 }));
        process.exit(0);
      })();
    `;
    const result = await new Promise((resolve) => {
      execFile(process.execPath, ['-e', code], { timeout: 10000, killSignal: 'SIGKILL' }, (err, stdout, stderr) =>
        resolve({ err, stdout, stderr }),
      );
    });
    assert.ok(
      !result.err,
      `the process did not finish 30 requests at 10 a second in 10 s (${result.err && result.err.signal}): ${result.stderr}`,
    );
    assert.deepEqual(JSON.parse(result.stdout), { ok: 30, count429: 0 });
  });
});
