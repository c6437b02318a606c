'use strict';
const assert = require('node:assert/strict');

const { Scheduler, Tenant, CallbackJob, CLOSED_ERROR } = require('../../dist/delivery/scheduler');
const { MAX_TIMER_MS, timerDelay } = require('../../dist/core/timers');
const { SlidingWindow } = require('../../dist/delivery/sliding-window');
const { withFakeClock, FakeTransport, OK, flush, runUntil, seeded } = require('./helpers');

const POLICY = { retries: 3, baseDelayMs: 10, maxDelayMs: 100 };
const BIG_WINDOW = () => new SlidingWindow(100000, 60000);

let seq = 0;
const request = (orderKey, url = `https://acme.rest.vitally.io/resources/x/${++seq}`) => ({
  method: 'PUT',
  url,
  api: 'rest',
  body: { n: seq },
  orderKey,
});

const MAX_PAUSE_MS = 300_000;

/** A scheduler on the fake clock, as a config node builds it. */
function makeScheduler(transport, concurrency = 4, budget = BIG_WINDOW(), options = {}) {
  return new Scheduler(transport, budget, {
    concurrency,
    maxPauseMs: MAX_PAUSE_MS,
    budgetWaitMs: 30_000,
    now: () => Date.now(),
    ...options,
  });
}

/** Submits a job and records every `done` call it gets. */
/** A local budget whose take() throws while `down` (as a store that closed would); down at first. */
function throwingBudget() {
  const budget = new (class extends SlidingWindow {
    take(now) {
      if (this.down) throw new Error('store closed');
      return super.take(now);
    }
  })(100, 1000);
  budget.down = true;
  return budget;
}

function submitter(scheduler) {
  const jobs = [];
  const doneOrder = [];
  return {
    jobs,
    doneOrder,
    submit(tenant, req, tag = jobs.length) {
      const job = { tag, req, tenant, dones: [] };
      jobs.push(job);
      scheduler.submit(
        new CallbackJob(req, tenant, (outcome) => {
          job.dones.push(outcome);
          doneOrder.push(job);
        }),
      );
      return job;
    },
    get doneCount() {
      return jobs.filter((j) => j.dones.length > 0).length;
    },
  };
}

/**
 * A rate budget that lives elsewhere (Redis): asynchronous, over a SlidingWindow, and down (its
 * take() rejects, as ioredis does when Redis is unreachable) while `down` is set.
 */
class RemoteBudget {
  constructor(inner, { delayMs = 0 } = {}) {
    this.inner = inner;
    this.limit = inner.limit;
    this.windowMs = inner.windowMs;
    this.delayMs = delayMs;
    this.down = false;
    this.takes = 0;
    this.takesOpen = 0;
    this.maxTakesOpen = 0;
    this.cancels = 0;
  }

  take(now) {
    this.takes++;
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    this.takesOpen++;
    this.maxTakesOpen = Math.max(this.maxTakesOpen, this.takesOpen);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.takesOpen--;
        resolve(this.inner.take(now));
      }, this.delayMs),
    );
  }

  release(slot, now) {
    this.inner.release(slot, now);
  }

  cancel(slot) {
    this.cancels++;
    this.inner.cancel(slot);
  }

  observe(now, remaining, resetMs) {
    this.inner.observe(now, remaining, resetMs);
  }

  pause(now, ms, cause) {
    this.inner.pause(now, ms, cause);
  }

  pauseInfo(now) {
    return this.inner.pauseInfo(now);
  }

  throttledFor(now) {
    return this.inner.throttledFor(now);
  }
}

const LOCAL = { headers: {}, body: undefined, error: 'cannot serialise the body: a BigInt', local: true };
const NETWORK = { headers: {}, body: undefined, error: 'network error: ECONNRESET' };

describe('delivery/scheduler', function () {
  const fake = withFakeClock();

  const scheduler = makeScheduler;

  it('sends a job and reports its outcome once, with attempts', async function () {
    const t = new FakeTransport(() => OK);
    const d = scheduler(t);
    const tenant = new Tenant(POLICY);
    const s = submitter(d);
    const job = s.submit(tenant, request());
    assert.equal(t.calls.length, 1, 'sent at once');
    assert.equal(t.calls[0].req, job.req);
    assert.equal(t.calls[0].signal, tenant.abort.signal, 'the tenant can abort its requests');
    assert.equal(tenant.pending, 1);
    assert.equal(tenant.inflight, 1);
    await fake.clock.tickAsync(5);
    assert.deepEqual(job.dones, [{ ...OK, ok: true, attempts: 1, unanswered: 0 }]);
    assert.equal(tenant.pending, 0);
    assert.equal(tenant.inflight, 0);
    assert.equal(d.inflightCount, 0);
    assert.equal(d.queued, 0);
  });

  it('reports a done callback that throws and keeps the queue moving', async function () {
    const t = new FakeTransport(() => OK);
    const errors = [];
    const d = makeScheduler(t, 1, BIG_WINDOW(), { onCallbackError: (err) => errors.push(err.message) });
    const tenant = new Tenant(POLICY);
    const s = submitter(d);
    d.submit(
      new CallbackJob(request(), tenant, () => {
        throw new Error('boom');
      }),
    );
    const after = s.submit(tenant, request());
    await runUntil(fake.clock, () => after.dones.length === 1);
    assert.deepEqual(errors, ['boom']);
    assert.equal(tenant.pending, 0);
  });

  it('never has more than `concurrency` requests in flight, and uses all of them', async function () {
    const rnd = seeded(1);
    const t = new FakeTransport(
      () => OK,
      () => 1 + Math.floor(rnd() * 20),
    );
    const d = scheduler(t, 3);
    t.onSend = () => assert.ok(d.inflightCount <= 3, `in flight: ${d.inflightCount}`);
    const tenants = [new Tenant(POLICY), new Tenant(POLICY)];
    const s = submitter(d);
    for (let i = 0; i < 60; i++) s.submit(tenants[i % 2], request(undefined));
    assert.equal(t.calls.length, 3);
    assert.equal(d.queued, 57);
    await runUntil(fake.clock, () => s.doneCount === 60);
    assert.equal(t.maxInflight, 3);
    assert.equal(t.calls.length, 60);
    for (const job of s.jobs) assert.equal(job.dones.length, 1);
    assert.equal(d.inflightCount, 0);
    assert.equal(d.queued, 0);
  });

  it('sends jobs without an order key in arrival order', async function () {
    const t = new FakeTransport(() => OK);
    const d = scheduler(t, 1);
    const s = submitter(d);
    const tenant = new Tenant(POLICY);
    for (let i = 0; i < 10; i++) s.submit(tenant, request());
    await runUntil(fake.clock, () => s.doneCount === 10);
    assert.deepEqual(
      t.calls.map((c) => c.req),
      s.jobs.map((j) => j.req),
    );
  });

  it('sends requests with the same order key one at a time, in arrival order, even with retries', async function () {
    const rnd = seeded(2);
    const attempts = new Map();
    const fails = new Set();
    const t = new FakeTransport(
      (req) => {
        const n = (attempts.get(req) || 0) + 1;
        attempts.set(req, n);
        // Some jobs fail once or twice (503, network error) before they succeed.
        if (fails.has(req) && n <= 1 + (req.body.n % 2)) {
          return n === 1
            ? { status: 503, headers: {}, body: 'busy' }
            : { headers: {}, body: undefined, error: 'ECONNRESET' };
        }
        return OK;
      },
      () => 1 + Math.floor(rnd() * 15),
    );
    const d = scheduler(t, 4);
    const busy = new Map();
    const sentByKey = new Map();
    t.onSend = (call) => {
      const key = call.req.orderKey;
      if (key === undefined) return;
      assert.ok(!busy.get(key), `two requests for ${key} at once`);
      busy.set(key, true);
      if (!sentByKey.has(key)) sentByKey.set(key, []);
      sentByKey.get(key).push(call.req);
      const resolve = call.resolve;
      call.resolve = (res) => {
        busy.set(key, false);
        resolve(res);
      };
    };
    const s = submitter(d);
    const tenants = [new Tenant(POLICY), new Tenant(POLICY)];
    for (let i = 0; i < 120; i++) {
      const key = ['A', 'B', 'C', undefined][Math.floor(rnd() * 4)];
      const req = request(key);
      if (rnd() < 0.3) fails.add(req);
      s.submit(tenants[i % 2], req);
      if (rnd() < 0.3) await fake.clock.tickAsync(Math.floor(rnd() * 10));
    }
    await runUntil(fake.clock, () => s.doneCount === 120);
    for (const job of s.jobs) {
      assert.equal(job.dones.length, 1, `job ${job.tag} done once`);
      assert.equal(job.dones[0].ok, true);
      const expectedAttempts = fails.has(job.req) ? 2 + (job.req.body.n % 2) : 1;
      assert.equal(job.dones[0].attempts, expectedAttempts);
    }
    for (const key of ['A', 'B', 'C']) {
      const submitted = s.jobs.filter((j) => j.req.orderKey === key).map((j) => j.req);
      const sent = sentByKey.get(key);
      // Retries repeat a request in place; nothing overtakes it.
      const firstSends = sent.filter((r, i) => i === 0 || sent[i - 1] !== r);
      assert.deepEqual(firstSends, submitted, `order of key ${key}`);
      assert.equal(new Set(firstSends).size, firstSends.length, `no request of ${key} came back after a later one`);
      assert.deepEqual(
        s.doneOrder.filter((j) => j.req.orderKey === key).map((j) => j.req),
        submitted,
        `done order of ${key}`,
      );
    }
    assert.ok(fails.size > 10, 'the run had retries');
    assert.ok(t.maxInflight > 1, 'different keys ran concurrently');
  });

  it('a 4xx other than 408 and 429 is final: not retried', async function () {
    for (const status of [400, 401, 404, 422]) {
      const t = new FakeTransport(() => ({ status, headers: {}, body: { error: 'bad' } }));
      const d = scheduler(t);
      const s = submitter(d);
      const job = s.submit(new Tenant(POLICY), request());
      await fake.clock.tickAsync(10000);
      assert.equal(t.calls.length, 1, `${status} sent once`);
      assert.deepEqual(job.dones, [
        { status, headers: {}, body: { error: 'bad' }, ok: false, attempts: 1, unanswered: 0 },
      ]);
    }
  });

  it('retries a 503 `retries` times with growing backoff, then reports it', async function () {
    const t = new FakeTransport(() => ({ status: 503, headers: {}, body: 'down' }));
    const d = scheduler(t);
    const s = submitter(d);
    const tenant = new Tenant({ retries: 2, baseDelayMs: 100, maxDelayMs: 10000 });
    const job = s.submit(tenant, request());
    await runUntil(fake.clock, () => job.dones.length > 0);
    assert.equal(t.calls.length, 3);
    assert.equal(job.dones.length, 1);
    assert.deepEqual(job.dones[0], { status: 503, headers: {}, body: 'down', ok: false, attempts: 3, unanswered: 0 });
    // The answer comes 1 ms after each send; backoff k is within [50, 100] * 2^(k-1).
    const gap1 = t.calls[1].at - t.calls[0].at - 1;
    const gap2 = t.calls[2].at - t.calls[1].at - 1;
    assert.ok(gap1 >= 50 && gap1 <= 100, `first backoff ${gap1}`);
    assert.ok(gap2 >= 100 && gap2 <= 200, `second backoff ${gap2}`);
    assert.equal(tenant.pending, 0);
    await fake.clock.tickAsync(60000);
    assert.equal(t.calls.length, 3, 'nothing after the report');
  });

  it('retries network errors and 408, and a retry that succeeds is ok', async function () {
    const answers = [
      { headers: {}, body: undefined, error: 'network error: ECONNRESET' },
      { status: 408, headers: {}, body: '' },
      OK,
    ];
    const t = new FakeTransport(() => answers.shift());
    const s = submitter(scheduler(t));
    const job = s.submit(new Tenant(POLICY), request());
    await runUntil(fake.clock, () => job.dones.length > 0);
    assert.equal(t.calls.length, 3);
    assert.deepEqual(job.dones, [{ ...OK, ok: true, attempts: 3, unanswered: 1 }], 'the network error got no answer');
  });

  it('with retries 0, reports the first failure', async function () {
    const t = new FakeTransport(() => ({ headers: {}, body: undefined, error: 'timeout' }));
    const s = submitter(scheduler(t));
    const job = s.submit(new Tenant({ ...POLICY, retries: 0 }), request());
    await fake.clock.tickAsync(1000);
    assert.equal(t.calls.length, 1);
    assert.deepEqual(job.dones, [
      { headers: {}, body: undefined, error: 'timeout', ok: false, attempts: 1, unanswered: 0 },
    ]);
  });

  describe('429', function () {
    it('pauses the whole budget for Retry-After, for every tenant', async function () {
      let first = true;
      const t = new FakeTransport(() => {
        if (first) {
          first = false;
          return { status: 429, headers: { 'Retry-After': '2' }, body: { error: 'slow down' } };
        }
        return OK;
      });
      const d = scheduler(t, 4);
      const s = submitter(d);
      const a = s.submit(new Tenant(POLICY), request());
      await fake.clock.tickAsync(1);
      assert.ok(d.budget.delay(Date.now()) >= 1999, 'the window is paused');
      await fake.clock.tickAsync(9);
      const b = s.submit(new Tenant(POLICY), request());
      assert.equal(t.calls.length, 1, 'nothing starts while paused');
      assert.ok(d.throttledFor() > 1900, `throttledFor ${d.throttledFor()}`);
      await fake.clock.tickAsync(1989);
      assert.equal(t.calls.length, 1, 'still paused just before Retry-After');
      await runUntil(fake.clock, () => a.dones.length && b.dones.length, { stepMs: 1 });
      assert.equal(t.calls.length, 3);
      const start = t.calls[0].at;
      for (const call of t.calls.slice(1)) assert.ok(call.at >= start + 1 + 2000, `sent at +${call.at - start}`);
      assert.equal(a.dones[0].attempts, 2);
      assert.equal(a.dones[0].ok, true);
      assert.equal(b.dones[0].attempts, 1);
    });

    it('pauses for RateLimit-Reset, and at least a second without headers', async function () {
      for (const [headers, wait] of [
        [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '5' }, 5000],
        [{}, 1000],
      ]) {
        let first = true;
        const t = new FakeTransport(() => {
          if (!first) return OK;
          first = false;
          return { status: 429, headers, body: '' };
        });
        const d = scheduler(t, 4);
        const s = submitter(d);
        const job = s.submit(new Tenant(POLICY), request());
        await runUntil(fake.clock, () => job.dones.length > 0, { stepMs: 1 });
        assert.equal(t.calls.length, 2);
        assert.ok(t.calls[1].at - t.calls[0].at >= wait + 1, `waited ${t.calls[1].at - t.calls[0].at} for ${wait}`);
        assert.ok(t.calls[1].at - t.calls[0].at <= wait + 50, `not much longer than ${wait}`);
      }
    });
  });

  it('follows the server: RateLimit-Remaining 0 holds the next request until the reset', async function () {
    const t = new FakeTransport(() => ({
      status: 200,
      headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '3' },
      body: {},
    }));
    const d = scheduler(t, 4);
    const s = submitter(d);
    const tenant = new Tenant(POLICY);
    s.submit(tenant, request());
    await fake.clock.tickAsync(1);
    const second = s.submit(tenant, request());
    await fake.clock.tickAsync(2990);
    assert.equal(t.calls.length, 1);
    await runUntil(fake.clock, () => second.dones.length > 0, { stepMs: 1 });
    assert.ok(t.calls[1].at - t.calls[0].at >= 3001);
  });

  it('keeps to the sliding window, waking itself when a slot frees', async function () {
    const t = new FakeTransport(
      () => OK,
      () => 1,
    );
    const d = scheduler(t, 10, new SlidingWindow(5, 1000));
    const s = submitter(d);
    const tenant = new Tenant(POLICY);
    for (let i = 0; i < 20; i++) s.submit(tenant, request());
    await runUntil(fake.clock, () => s.doneCount === 20, { stepMs: 50 });
    const starts = t.calls.map((c) => c.at);
    for (let i = 5; i < starts.length; i++) {
      assert.ok(starts[i] - starts[i - 5] >= 1000, `call ${i} is the 6th in ${starts[i] - starts[i - 5]} ms`);
    }
    // At the limit, not under it: 20 requests in four windows (and a few ms of margin).
    assert.ok(starts[19] - starts[0] < 3 * 1000 + 50, `took ${starts[19] - starts[0]} ms`);
  });

  describe('cancel', function () {
    it('leaves no timer behind when the rate budget was holding the queue back', async function () {
      const t = new FakeTransport(() => OK);
      const d = scheduler(t, 4, new SlidingWindow(1, 60000));
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      for (let i = 0; i < 3; i++) s.submit(tenant, request());
      await fake.clock.tickAsync(5);
      assert.equal(s.doneCount, 1);
      assert.equal(fake.clock.countTimers(), 1, 'waiting for the window');
      d.cancel(tenant);
      assert.equal(fake.clock.countTimers(), 0);
      assert.equal(s.doneCount, 3);
    });

    it('close() clears the timers of a scheduler whose tenants already left', async function () {
      const t = new FakeTransport(() => ({ status: 503, headers: {}, body: '' }));
      const d = scheduler(t, 4);
      const tenant = new Tenant(POLICY);
      submitter(d).submit(tenant, request());
      await fake.clock.tickAsync(5);
      assert.equal(fake.clock.countTimers(), 1, 'a retry is waiting');
      d.close();
      assert.equal(fake.clock.countTimers(), 0);
    });

    it("ends a tenant's queued jobs with the closed error and leaves other tenants' jobs", async function () {
      const t = new FakeTransport();
      const d = scheduler(t, 1);
      const s = submitter(d);
      const A = new Tenant(POLICY);
      const B = new Tenant(POLICY);
      const a1 = s.submit(A, request());
      const a2 = s.submit(A, request('K'));
      const b1 = s.submit(B, request('K'));
      const a3 = s.submit(A, request());
      const b2 = s.submit(B, request());
      const a4 = s.submit(A, request('K'));
      assert.equal(t.calls.length, 1);
      assert.equal(d.queued, 5);

      assert.equal(d.cancel(A), 3);
      assert.equal(A.closing, true);
      for (const job of [a2, a3, a4]) {
        assert.deepEqual(job.dones, [
          { headers: {}, body: undefined, error: CLOSED_ERROR, local: false, ok: false, attempts: 0, unanswered: 0 },
        ]);
      }
      assert.equal(a1.dones.length, 0, 'the request in flight is not ended by cancel');
      assert.equal(b1.dones.length + b2.dones.length, 0);
      assert.equal(d.queued, 2);
      assert.equal(A.pending, 1);

      // The in-flight request of the closed tenant finishes without retry, even on a 503.
      t.calls[0].resolve({ status: 503, headers: {}, body: '' });
      await flush();
      assert.deepEqual(a1.dones, [{ status: 503, headers: {}, body: '', ok: false, attempts: 1, unanswered: 0 }]);
      assert.equal(A.pending, 0);

      // B's jobs go on, B1 with the order key A's cancelled job held.
      await runUntil(fake.clock, () => {
        for (const c of t.open) c.resolve(OK);
        return b1.dones.length && b2.dones.length;
      });
      assert.deepEqual(
        t.calls
          .slice(1)
          .map((c) => c.req)
          .sort((x, y) => x.body.n - y.body.n),
        [b1.req, b2.req],
      );
      for (const job of s.jobs) assert.equal(job.dones.length, 1);
      await fake.clock.tickAsync(10000);
      assert.equal(t.calls.length, 3, 'no job of A was sent after cancel');
    });

    it('ends a job waiting for its retry, clears its timer and hands on its order key', async function () {
      let calls = 0;
      const t = new FakeTransport(() => (++calls === 1 ? { status: 503, headers: {}, body: '' } : OK));
      const d = scheduler(t, 4);
      const s = submitter(d);
      const A = new Tenant({ retries: 5, baseDelayMs: 5000, maxDelayMs: 5000 });
      const B = new Tenant(POLICY);
      const a = s.submit(A, request('K'));
      const b = s.submit(B, request('K'));
      await fake.clock.tickAsync(10);
      assert.equal(t.calls.length, 1, 'A is backing off, B waits for the key');
      assert.equal(d.queued, 2);
      assert.equal(d.cancel(A), 1);
      assert.equal(a.dones.length, 1);
      const { unanswered: _unanswered, ...outcome } = a.dones[0];
      assert.deepEqual(outcome, {
        headers: {},
        body: undefined,
        error: CLOSED_ERROR,
        local: false,
        ok: false,
        attempts: 1,
      });
      await runUntil(fake.clock, () => b.dones.length > 0);
      assert.equal(b.dones[0].ok, true);
      await fake.clock.tickAsync(20000);
      assert.equal(t.calls.length, 2, 'A was not retried after cancel');
      assert.equal(t.calls[1].req, b.req);
    });

    it('a job ended while waiting for its retry counts its unanswered attempts exactly', async function () {
      const answers = [
        { status: 503, headers: {}, body: '' },
        { headers: {}, body: undefined, error: 'ECONNRESET' },
      ];
      for (const answer of answers) {
        const t = new FakeTransport(() => answer);
        const d = scheduler(t, 4);
        const A = new Tenant({ retries: 5, baseDelayMs: 5000, maxDelayMs: 5000 });
        const a = submitter(d).submit(A, request('K'));
        await fake.clock.tickAsync(10);
        d.cancel(A);
        assert.equal(a.dones[0].error, CLOSED_ERROR);
        assert.equal(a.dones[0].unanswered, answer.status === undefined ? 1 : 0);
      }
    });

    it('whenIdle resolves once the tenant has nothing in flight', async function () {
      const t = new FakeTransport();
      const d = scheduler(t, 4);
      const A = new Tenant(POLICY);
      await A.whenIdle();
      d.submit(new CallbackJob(request(), A, () => {}));
      let idle = false;
      A.whenIdle().then(() => {
        idle = true;
      });
      d.cancel(A);
      await flush();
      assert.equal(idle, false);
      t.calls[0].resolve(OK);
      await flush();
      assert.equal(idle, true);
    });
  });

  describe('local errors (design.md section 5 "What is retried")', function () {
    it('end the job at once: attempts 0, no retry, and the budget slot is given back', async function () {
      const budget = new SlidingWindow(2, 60000);
      const t = new FakeTransport((req) => (req.body.local ? LOCAL : OK));
      const d = scheduler(t, 4, budget);
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      const bad = s.submit(tenant, { ...request('K'), body: { local: true } });
      const sameKey = s.submit(tenant, request('K'));
      await fake.clock.tickAsync(5);
      assert.deepEqual(bad.dones, [{ ...LOCAL, ok: false, attempts: 0, unanswered: 0 }]);
      assert.equal(t.calls.filter((c) => c.req.body.local).length, 1, 'not retried');
      assert.equal(sameKey.dones[0].ok, true, 'the order key passed on');
      assert.equal(budget.available(Date.now()), 1, 'only the request that was sent counts');
      await fake.clock.tickAsync(10_000);
      assert.equal(t.calls.length, 2);
    });

    it('cost no budget: with room for two, a local error and two more requests all go at once', async function () {
      const budget = new SlidingWindow(2, 60000);
      const t = new FakeTransport((req) => (req.body.local ? LOCAL : OK));
      const d = scheduler(t, 1, budget);
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      s.submit(tenant, { ...request(), body: { local: true } });
      const a = s.submit(tenant, request());
      const b = s.submit(tenant, request());
      await fake.clock.tickAsync(10);
      assert.equal(a.dones[0].ok, true);
      assert.equal(b.dones[0].ok, true, 'not held back for a window');
    });

    it('a local error on a retry ends the job with the attempts that reached the network', async function () {
      const answers = [{ status: 503, headers: {}, body: '' }, LOCAL];
      const t = new FakeTransport(() => answers.shift() ?? OK);
      const s = submitter(scheduler(t));
      const job = s.submit(new Tenant(POLICY), request());
      await runUntil(fake.clock, () => job.dones.length > 0);
      assert.deepEqual(job.dones, [{ ...LOCAL, ok: false, attempts: 1, unanswered: 0 }]);
      await fake.clock.tickAsync(10_000);
      assert.equal(t.calls.length, 2);
    });
  });

  describe('unanswered attempts', function () {
    it('counts the earlier attempts that got no answer (the server may have applied them)', async function () {
      const cases = [
        [[NETWORK, NETWORK, { status: 404, headers: {}, body: {} }], 3, 2],
        [[NETWORK, OK], 2, 1],
        [[{ status: 503, headers: {}, body: '' }, NETWORK, OK], 3, 1],
        [[{ status: 503, headers: {}, body: '' }, OK], 2, 0],
        [[NETWORK, NETWORK, NETWORK, NETWORK], 4, 3],
      ];
      for (const [answers, attempts, unanswered] of cases) {
        const t = new FakeTransport(() => answers.shift());
        const job = submitter(scheduler(t)).submit(new Tenant(POLICY), request());
        await runUntil(fake.clock, () => job.dones.length > 0);
        assert.equal(job.dones[0].attempts, attempts);
        assert.equal(job.dones[0].unanswered, unanswered, `${attempts} attempts`);
      }
    });
  });

  describe('pauses capped at maxPauseMs (design.md section 5 "Pauses")', function () {
    /** Five jobs; the first draws `first`; every call takes 50 ms. Returns the calls' start times. */
    async function pausedRun(first, maxPauseMs = 5000) {
      let n = 0;
      const t = new FakeTransport(
        () => (++n === 1 ? first : OK),
        () => 50,
      );
      const d = scheduler(t, 4, BIG_WINDOW(), { maxPauseMs });
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      s.submit(tenant, request());
      await fake.clock.tickAsync(50);
      for (let i = 0; i < 4; i++) s.submit(tenant, request());
      const pause = d.budget.pauseInfo(Date.now());
      await runUntil(fake.clock, () => s.doneCount === 5, { stepMs: 5, maxMs: 2 * 86_400_000 });
      const start = t.calls[0].at;
      return { t, s, d, pause, starts: t.calls.map((c) => c.at - start) };
    }

    function assertProbeThenRest(starts, pauseEndsAt) {
      assert.equal(starts.length, 6, 'the first request twice, then four');
      assert.ok(starts[1] >= pauseEndsAt && starts[1] <= pauseEndsAt + 60, `the probe went at +${starts[1]}`);
      for (const at of starts.slice(2)) {
        assert.ok(at >= starts[1] + 50, `+${at}: the others waited for the probe's answer`);
        assert.ok(at <= starts[1] + 120, `+${at}: then went at once`);
      }
    }

    it('a 429 with Retry-After 86400 pauses for maxPause, then one probe goes, then the rest', async function () {
      const { starts, pause, s } = await pausedRun({ status: 429, headers: { 'retry-after': '86400' }, body: '' });
      assert.equal(pause.cause, 'HTTP 429');
      assertProbeThenRest(starts, 50 + 5000);
      assert.equal(s.jobs[0].dones[0].attempts, 2);
      assert.ok(s.jobs.every((j) => j.dones[0].ok));
    });

    it('pauseInfo names the pause and when it ends, capped', async function () {
      let n = 0;
      const t = new FakeTransport(() =>
        ++n === 1 ? { status: 429, headers: { 'Retry-After': '86400' }, body: '' } : OK,
      );
      const d = scheduler(t, 4, BIG_WINDOW(), { maxPauseMs: 5000 });
      submitter(d).submit(new Tenant(POLICY), request());
      await fake.clock.tickAsync(1);
      const pause = d.budget.pauseInfo(Date.now());
      assert.equal(pause.cause, 'HTTP 429');
      assert.ok(
        pause.until > Date.now() + 4900 && pause.until <= Date.now() + 5000,
        `until +${pause.until - Date.now()}`,
      );
    });

    it('a 429 with RateLimit-Reset 99999999 pauses for maxPause, then one probe, then the rest', async function () {
      const first = { status: 429, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '99999999' }, body: '' };
      const { starts } = await pausedRun(first);
      assertProbeThenRest(starts, 50 + 5000);
    });

    it('RateLimit-Remaining 0 with RateLimit-Reset 99999999 on a success holds for maxPause, then one probe', async function () {
      const first = { status: 200, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '99999999' }, body: {} };
      const { starts, pause } = await pausedRun(first);
      assert.equal(pause.cause, 'RateLimit-Remaining 0');
      assert.equal(starts.length, 5);
      assert.ok(starts[1] >= 5050 && starts[1] <= 5110, `the probe went at +${starts[1]}`);
      for (const at of starts.slice(2)) assert.ok(at >= starts[1] + 50 && at <= starts[1] + 120, `+${at}`);
    });

    it('sets no timer past 2^31-1 ms, even for a pause longer than that', async function () {
      assert.equal(MAX_TIMER_MS, 2 ** 31 - 1);
      const delays = [];
      const setTimeoutBefore = global.setTimeout;
      global.setTimeout = (fn, ms, ...args) => {
        delays.push(ms);
        return setTimeoutBefore(fn, ms, ...args);
      };
      try {
        const fortyDays = 40 * 86_400_000;
        let n = 0;
        const t = new FakeTransport(() =>
          ++n === 1 ? { status: 429, headers: { 'retry-after': String(fortyDays / 1000) }, body: '' } : OK,
        );
        const d = scheduler(t, 4, BIG_WINDOW(), { maxPauseMs: fortyDays });
        const job = submitter(d).submit(new Tenant({ retries: 3, baseDelayMs: 10, maxDelayMs: fortyDays }), request());
        await fake.clock.tickAsync(30 * 86_400_000);
        assert.equal(t.calls.length, 1, 'a timer clamped by Node would have fired at once');
        await fake.clock.tickAsync(10 * 86_400_000 + 60_000);
        assert.equal(t.calls.length, 2);
        assert.equal(job.dones[0].ok, true);
        assert.ok(delays.length > 0);
        for (const ms of delays) assert.ok(ms <= MAX_TIMER_MS, `a timer of ${ms} ms`);
      } finally {
        global.setTimeout = setTimeoutBefore;
      }
    });

    it('timerDelay keeps every wait within 1 ms .. 2^31-1 ms', function () {
      assert.equal(timerDelay(Infinity), MAX_TIMER_MS);
      assert.equal(timerDelay(1e12), MAX_TIMER_MS);
      assert.equal(timerDelay(NaN), MAX_TIMER_MS);
      assert.equal(timerDelay(0), 1);
      assert.equal(timerDelay(-50), 1);
      assert.equal(timerDelay(2.2), 3);
      assert.equal(timerDelay(1000), 1000);
    });
  });

  describe('a shared budget (design.md section 10)', function () {
    it('an asynchronous take() is honoured: the window holds, one take at a time', async function () {
      const budget = new RemoteBudget(new SlidingWindow(3, 1000), { delayMs: 5 });
      const t = new FakeTransport(() => OK);
      const d = scheduler(t, 4, budget);
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      for (let i = 0; i < 9; i++) s.submit(tenant, request());
      await runUntil(fake.clock, () => s.doneCount === 9, { stepMs: 20 });
      assert.ok(s.jobs.every((j) => j.dones[0].ok));
      const starts = t.calls.map((c) => c.at);
      for (let i = 3; i < starts.length; i++) {
        assert.ok(starts[i] - starts[i - 3] >= 1000, `call ${i} is the 4th in ${starts[i] - starts[i - 3]} ms`);
      }
      assert.ok(starts[8] - starts[0] < 2 * 1000 + 100, 'at the limit, not under it');
      assert.equal(budget.maxTakesOpen, 1);
    });

    it('a slot that arrives after its job was cancelled goes back to the budget', async function () {
      const budget = new RemoteBudget(new SlidingWindow(3, 1000), { delayMs: 50 });
      const t = new FakeTransport(() => OK);
      const d = scheduler(t, 4, budget);
      const tenant = new Tenant(POLICY);
      const job = submitter(d).submit(tenant, request());
      await fake.clock.tickAsync(10);
      d.cancel(tenant);
      assert.equal(job.dones[0].error, CLOSED_ERROR);
      await fake.clock.tickAsync(100);
      assert.equal(t.calls.length, 0);
      assert.equal(budget.cancels, 1);
      assert.equal(budget.inner.available(Date.now()), 3);
    });

    it('while take() rejects, jobs wait; after budgetWaitMs they fail naming the budget, unsent', async function () {
      const budget = new RemoteBudget(new SlidingWindow(100, 1000));
      budget.down = true;
      const t = new FakeTransport(() => OK);
      const d = scheduler(t, 4, budget, { budgetWaitMs: 2000 });
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      for (let i = 0; i < 3; i++) s.submit(tenant, request(i === 0 ? 'K' : undefined));
      const later = s.submit(tenant, request('K'));
      await fake.clock.tickAsync(1500);
      assert.equal(s.doneCount, 0, 'still waiting');
      assert.match(
        d.budgetProblem(),
        /^the shared rate budget is unreachable: connect ECONNREFUSED 127\.0\.0\.1:6379$/,
      );
      assert.ok(budget.takes > 1, 'asked again');
      await fake.clock.tickAsync(1000);
      assert.equal(s.doneCount, 3);
      for (const job of s.jobs.slice(0, 3)) {
        assert.match(
          job.dones[0].error,
          /^not sent: the shared rate budget is unreachable: connect ECONNREFUSED 127\.0\.0\.1:6379 \(waited 2 s\)$/,
        );
        assert.equal(job.dones[0].ok, false);
        assert.equal(job.dones[0].attempts, 0);
      }
      assert.equal(later.dones.length, 0, 'the job behind an order key waits its own time');
      await fake.clock.tickAsync(2500);
      assert.equal(later.dones.length, 1);
      assert.equal(t.calls.length, 0, 'nothing was sent outside the budget');
      assert.equal(tenant.pending, 0);
    });

    it('resumes when take() works again, and the problem clears', async function () {
      const budget = new RemoteBudget(new SlidingWindow(100, 1000));
      budget.down = true;
      const t = new FakeTransport(() => OK);
      const d = scheduler(t, 4, budget, { budgetWaitMs: 10_000 });
      const s = submitter(d);
      const tenant = new Tenant(POLICY);
      for (let i = 0; i < 5; i++) s.submit(tenant, request());
      await fake.clock.tickAsync(3000);
      assert.equal(t.calls.length, 0);
      assert.ok(d.budgetProblem());
      budget.down = false;
      await runUntil(fake.clock, () => s.doneCount === 5, { stepMs: 10, maxMs: 5000 });
      assert.ok(s.jobs.every((j) => j.dones[0].ok && j.dones[0].attempts === 1));
      assert.equal(d.budgetProblem(), undefined);
    });

    it('a budget whose take() throws is treated the same way', async function () {
      const budget = throwingBudget();
      const t = new FakeTransport(() => OK);
      const d = scheduler(t, 4, budget, { budgetWaitMs: 10_000 });
      const job = submitter(d).submit(new Tenant(POLICY), request());
      await fake.clock.tickAsync(1000);
      assert.match(d.budgetProblem(), /store closed/);
      budget.down = false;
      await runUntil(fake.clock, () => job.dones.length > 0, { maxMs: 2000 });
      assert.equal(job.dones[0].ok, true);
    });

    it('the problem of a synchronous budget that threw clears once it answers again', async function () {
      const budget = throwingBudget();
      const d = scheduler(new FakeTransport(() => OK), 4, budget, { budgetWaitMs: 10_000 });
      const job = submitter(d).submit(new Tenant(POLICY), request());
      await fake.clock.tickAsync(1000);
      budget.down = false;
      await runUntil(fake.clock, () => job.dones.length > 0, { maxMs: 2000 });
      assert.equal(d.budgetProblem(), undefined);
    });
  });

  it('randomised: every submitted job gets exactly one done, whatever happens', async function () {
    let closedTotal = 0;
    for (let run = 0; run < 8; run++) {
      const rnd = seeded(100 + run);
      const answers = [
        () => OK,
        () => ({ status: 400, headers: {}, body: { error: 'bad' } }),
        () => ({ status: 503, headers: {}, body: '' }),
        () => ({ status: 429, headers: { 'retry-after': '0' }, body: '' }),
        () => ({ headers: {}, body: undefined, error: 'ECONNRESET' }),
        () => ({
          status: 200,
          headers: { 'ratelimit-remaining': String(Math.floor(rnd() * 3)), 'ratelimit-reset': '1' },
          body: {},
        }),
      ];
      const t = new FakeTransport(
        () => answers[Math.floor(rnd() * answers.length)](),
        () => Math.floor(rnd() * 30),
      );
      const limit = 15;
      const d = scheduler(t, 1 + Math.floor(rnd() * 5), new SlidingWindow(limit, 400));
      const busy = new Set();
      t.onSend = (call) => {
        const key = call.req.orderKey;
        if (key === undefined) return;
        assert.ok(!busy.has(key), `two requests for ${key} at once`);
        busy.add(key);
        const resolve = call.resolve;
        call.resolve = (res) => {
          busy.delete(key);
          resolve(res);
        };
      };
      const s = submitter(d);
      const tenants = [0, 1, 2].map(() => new Tenant({ retries: 2, baseDelayMs: 5, maxDelayMs: 50 }));
      const cancelled = new Set();
      for (let i = 0; i < 150; i++) {
        const tenant = tenants[Math.floor(rnd() * 3)];
        if (!cancelled.has(tenant)) s.submit(tenant, request(rnd() < 0.6 ? `k${Math.floor(rnd() * 5)}` : undefined));
        if (rnd() < 0.2) await fake.clock.tickAsync(Math.floor(rnd() * 40));
        if (i === 100) {
          d.cancel(tenants[0]);
          cancelled.add(tenants[0]);
        }
      }
      await runUntil(fake.clock, () => s.doneCount === s.jobs.length, { stepMs: 25 });
      await fake.clock.tickAsync(5000);
      for (const job of s.jobs)
        assert.equal(job.dones.length, 1, `run ${run}: job ${job.tag} has ${job.dones.length} dones`);
      assert.equal(d.inflightCount, 0);
      assert.equal(d.queued, 0);
      for (const tenant of tenants) {
        assert.equal(tenant.pending, 0);
        assert.equal(tenant.inflight, 0);
      }
      // The budget held throughout: no `limit` + 1 starts within 400 ms.
      const starts = t.calls.map((c) => c.at);
      for (let i = limit; i < starts.length; i++)
        assert.ok(starts[i] - starts[i - limit] >= 400, `run ${run}: over budget at call ${i}`);
      closedTotal += s.jobs.filter((j) => j.dones[0].error === CLOSED_ERROR).length;
      for (const job of s.jobs.filter((j) => j.dones[0].error === CLOSED_ERROR)) assert.equal(job.tenant, tenants[0]);
    }
    assert.ok(closedTotal > 0, 'the cancels ended some queued jobs');
  });
});
