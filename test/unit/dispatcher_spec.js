'use strict';
const assert = require('node:assert/strict');

const { Dispatcher, Owner, CLOSED_ERROR } = require('../../dist/delivery/dispatcher');
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

/** Submits a job and records every `done` call it gets. */
function submitter(dispatcher) {
  const jobs = [];
  const doneOrder = [];
  return {
    jobs,
    doneOrder,
    submit(owner, req, tag = jobs.length) {
      const job = { tag, req, owner, dones: [] };
      jobs.push(job);
      dispatcher.submit(owner, req, (outcome) => {
        job.dones.push(outcome);
        doneOrder.push(job);
      });
      return job;
    },
    get doneCount() {
      return jobs.filter((j) => j.dones.length > 0).length;
    },
  };
}

describe('delivery/dispatcher', function () {
  const fake = withFakeClock();

  const dispatcher = (transport, concurrency = 4, window = BIG_WINDOW()) =>
    new Dispatcher(transport, window, concurrency, () => Date.now());

  it('sends a job and reports its outcome once, with attempts', async function () {
    const t = new FakeTransport(() => OK);
    const d = dispatcher(t);
    const owner = new Owner(POLICY);
    const s = submitter(d);
    const job = s.submit(owner, request());
    assert.equal(t.calls.length, 1, 'sent at once');
    assert.equal(t.calls[0].req, job.req);
    assert.equal(t.calls[0].signal, owner.abort.signal, 'the owner can abort its requests');
    assert.equal(owner.pending, 1);
    assert.equal(owner.inflight, 1);
    await fake.clock.tickAsync(5);
    assert.deepEqual(job.dones, [{ ...OK, ok: true, attempts: 1 }]);
    assert.equal(owner.pending, 0);
    assert.equal(owner.inflight, 0);
    assert.equal(d.inflightCount, 0);
    assert.equal(d.queued, 0);
  });

  it('reports a done callback that throws and keeps the queue moving', async function () {
    const t = new FakeTransport(() => OK);
    const errors = [];
    const d = new Dispatcher(
      t,
      BIG_WINDOW(),
      1,
      () => Date.now(),
      (err) => errors.push(err.message),
    );
    const owner = new Owner(POLICY);
    const s = submitter(d);
    d.submit(owner, request(), () => {
      throw new Error('boom');
    });
    const after = s.submit(owner, request());
    await runUntil(fake.clock, () => after.dones.length === 1);
    assert.deepEqual(errors, ['boom']);
    assert.equal(owner.pending, 0);
  });

  it('never has more than `concurrency` requests in flight, and uses all of them', async function () {
    const rnd = seeded(1);
    const t = new FakeTransport(
      () => OK,
      () => 1 + Math.floor(rnd() * 20),
    );
    const d = dispatcher(t, 3);
    t.onSend = () => assert.ok(d.inflightCount <= 3, `in flight: ${d.inflightCount}`);
    const owners = [new Owner(POLICY), new Owner(POLICY)];
    const s = submitter(d);
    for (let i = 0; i < 60; i++) s.submit(owners[i % 2], request(undefined));
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
    const d = dispatcher(t, 1);
    const s = submitter(d);
    const owner = new Owner(POLICY);
    for (let i = 0; i < 10; i++) s.submit(owner, request());
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
    const d = dispatcher(t, 4);
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
    const owners = [new Owner(POLICY), new Owner(POLICY)];
    for (let i = 0; i < 120; i++) {
      const key = ['A', 'B', 'C', undefined][Math.floor(rnd() * 4)];
      const req = request(key);
      if (rnd() < 0.3) fails.add(req);
      s.submit(owners[i % 2], req);
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
      const d = dispatcher(t);
      const s = submitter(d);
      const job = s.submit(new Owner(POLICY), request());
      await fake.clock.tickAsync(10000);
      assert.equal(t.calls.length, 1, `${status} sent once`);
      assert.deepEqual(job.dones, [{ status, headers: {}, body: { error: 'bad' }, ok: false, attempts: 1 }]);
    }
  });

  it('retries a 503 `retries` times with growing backoff, then reports it', async function () {
    const t = new FakeTransport(() => ({ status: 503, headers: {}, body: 'down' }));
    const d = dispatcher(t);
    const s = submitter(d);
    const owner = new Owner({ retries: 2, baseDelayMs: 100, maxDelayMs: 10000 });
    const job = s.submit(owner, request());
    await runUntil(fake.clock, () => job.dones.length > 0);
    assert.equal(t.calls.length, 3);
    assert.equal(job.dones.length, 1);
    assert.deepEqual(job.dones[0], { status: 503, headers: {}, body: 'down', ok: false, attempts: 3 });
    // The answer comes 1 ms after each send; backoff k is within [50, 100] * 2^(k-1).
    const gap1 = t.calls[1].at - t.calls[0].at - 1;
    const gap2 = t.calls[2].at - t.calls[1].at - 1;
    assert.ok(gap1 >= 50 && gap1 <= 100, `first backoff ${gap1}`);
    assert.ok(gap2 >= 100 && gap2 <= 200, `second backoff ${gap2}`);
    assert.equal(owner.pending, 0);
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
    const s = submitter(dispatcher(t));
    const job = s.submit(new Owner(POLICY), request());
    await runUntil(fake.clock, () => job.dones.length > 0);
    assert.equal(t.calls.length, 3);
    assert.deepEqual(job.dones, [{ ...OK, ok: true, attempts: 3 }]);
  });

  it('with retries 0, reports the first failure', async function () {
    const t = new FakeTransport(() => ({ headers: {}, body: undefined, error: 'timeout' }));
    const s = submitter(dispatcher(t));
    const job = s.submit(new Owner({ ...POLICY, retries: 0 }), request());
    await fake.clock.tickAsync(1000);
    assert.equal(t.calls.length, 1);
    assert.deepEqual(job.dones, [{ headers: {}, body: undefined, error: 'timeout', ok: false, attempts: 1 }]);
  });

  describe('429', function () {
    it('pauses the whole window for Retry-After, for every owner', async function () {
      let first = true;
      const t = new FakeTransport(() => {
        if (first) {
          first = false;
          return { status: 429, headers: { 'Retry-After': '2' }, body: { error: 'slow down' } };
        }
        return OK;
      });
      const d = dispatcher(t, 4);
      const s = submitter(d);
      const a = s.submit(new Owner(POLICY), request());
      await fake.clock.tickAsync(1);
      assert.ok(d.window.delay(Date.now()) >= 1999, 'the window is paused');
      await fake.clock.tickAsync(9);
      const b = s.submit(new Owner(POLICY), request());
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
        const d = dispatcher(t, 4);
        const s = submitter(d);
        const job = s.submit(new Owner(POLICY), request());
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
    const d = dispatcher(t, 4);
    const s = submitter(d);
    const owner = new Owner(POLICY);
    s.submit(owner, request());
    await fake.clock.tickAsync(1);
    const second = s.submit(owner, request());
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
    const d = dispatcher(t, 10, new SlidingWindow(5, 1000));
    const s = submitter(d);
    const owner = new Owner(POLICY);
    for (let i = 0; i < 20; i++) s.submit(owner, request());
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
      const d = dispatcher(t, 4, new SlidingWindow(1, 60000));
      const s = submitter(d);
      const owner = new Owner(POLICY);
      for (let i = 0; i < 3; i++) s.submit(owner, request());
      await fake.clock.tickAsync(5);
      assert.equal(s.doneCount, 1);
      assert.equal(fake.clock.countTimers(), 1, 'waiting for the window');
      d.cancel(owner);
      assert.equal(fake.clock.countTimers(), 0);
      assert.equal(s.doneCount, 3);
    });

    it('close() clears the timers of a dispatcher whose owners already left', async function () {
      const t = new FakeTransport(() => ({ status: 503, headers: {}, body: '' }));
      const d = dispatcher(t, 4);
      const owner = new Owner(POLICY);
      submitter(d).submit(owner, request());
      await fake.clock.tickAsync(5);
      assert.equal(fake.clock.countTimers(), 1, 'a retry is waiting');
      d.close();
      assert.equal(fake.clock.countTimers(), 0);
    });

    it("ends an owner's queued jobs with the closed error and leaves other owners' jobs", async function () {
      const t = new FakeTransport();
      const d = dispatcher(t, 1);
      const s = submitter(d);
      const A = new Owner(POLICY);
      const B = new Owner(POLICY);
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
        assert.deepEqual(job.dones, [{ headers: {}, body: undefined, error: CLOSED_ERROR, ok: false, attempts: 0 }]);
      }
      assert.equal(a1.dones.length, 0, 'the request in flight is not ended by cancel');
      assert.equal(b1.dones.length + b2.dones.length, 0);
      assert.equal(d.queued, 2);
      assert.equal(A.pending, 1);

      // The in-flight request of the closed owner finishes without retry, even on a 503.
      t.calls[0].resolve({ status: 503, headers: {}, body: '' });
      await flush();
      assert.deepEqual(a1.dones, [{ status: 503, headers: {}, body: '', ok: false, attempts: 1 }]);
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
      const d = dispatcher(t, 4);
      const s = submitter(d);
      const A = new Owner({ retries: 5, baseDelayMs: 5000, maxDelayMs: 5000 });
      const B = new Owner(POLICY);
      const a = s.submit(A, request('K'));
      const b = s.submit(B, request('K'));
      await fake.clock.tickAsync(10);
      assert.equal(t.calls.length, 1, 'A is backing off, B waits for the key');
      assert.equal(d.queued, 2);
      assert.equal(d.cancel(A), 1);
      assert.deepEqual(a.dones, [{ headers: {}, body: undefined, error: CLOSED_ERROR, ok: false, attempts: 1 }]);
      await runUntil(fake.clock, () => b.dones.length > 0);
      assert.equal(b.dones[0].ok, true);
      await fake.clock.tickAsync(20000);
      assert.equal(t.calls.length, 2, 'A was not retried after cancel');
      assert.equal(t.calls[1].req, b.req);
    });

    it('whenIdle resolves once the owner has nothing in flight', async function () {
      const t = new FakeTransport();
      const d = dispatcher(t, 4);
      const A = new Owner(POLICY);
      await A.whenIdle();
      d.submit(A, request(), () => {});
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
      const d = dispatcher(t, 1 + Math.floor(rnd() * 5), new SlidingWindow(limit, 400));
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
      const owners = [0, 1, 2].map(() => new Owner({ retries: 2, baseDelayMs: 5, maxDelayMs: 50 }));
      const cancelled = new Set();
      for (let i = 0; i < 150; i++) {
        const owner = owners[Math.floor(rnd() * 3)];
        if (!cancelled.has(owner)) s.submit(owner, request(rnd() < 0.6 ? `k${Math.floor(rnd() * 5)}` : undefined));
        if (rnd() < 0.2) await fake.clock.tickAsync(Math.floor(rnd() * 40));
        if (i === 100) {
          d.cancel(owners[0]);
          cancelled.add(owners[0]);
        }
      }
      await runUntil(fake.clock, () => s.doneCount === s.jobs.length, { stepMs: 25 });
      await fake.clock.tickAsync(5000);
      for (const job of s.jobs)
        assert.equal(job.dones.length, 1, `run ${run}: job ${job.tag} has ${job.dones.length} dones`);
      assert.equal(d.inflightCount, 0);
      assert.equal(d.queued, 0);
      for (const owner of owners) {
        assert.equal(owner.pending, 0);
        assert.equal(owner.inflight, 0);
      }
      // The budget held throughout: no `limit` + 1 starts within 400 ms.
      const starts = t.calls.map((c) => c.at);
      for (let i = limit; i < starts.length; i++)
        assert.ok(starts[i] - starts[i - limit] >= 400, `run ${run}: over budget at call ${i}`);
      closedTotal += s.jobs.filter((j) => j.dones[0].error === CLOSED_ERROR).length;
      for (const job of s.jobs.filter((j) => j.dones[0].error === CLOSED_ERROR)) assert.equal(job.owner, owners[0]);
    }
    assert.ok(closedTotal > 0, 'the cancels ended some queued jobs');
  });
});
