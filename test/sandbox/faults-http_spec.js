'use strict';
const assert = require('node:assert/strict');
const { startSandbox } = require('../../dist/sandbox');
const { request, rest, useSandbox } = require('./helpers');

/** Sends `n` requests one after another, so the seeded faults fall in a fixed order; a dropped connection yields 'dropped'. */
async function statuses(sandbox, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await rest(sandbox, 'GET', '/accounts?limit=1').then(
        (r) => r.status,
        () => 'dropped',
      ),
    );
  }
  return out;
}
const count = (list, value) => list.filter((s) => s === value).length;

describe('sandbox fault injection over HTTP', () => {
  const t = useSandbox({ recordAcceptedTimes: true });

  it('injects server errors at the configured rate and status, counted and with RateLimit headers', async () => {
    t.sandbox.setFaults({ error5xxRate: 0.3, errorStatus: 502 });
    const got = await statuses(t.sandbox, 200);
    assert.ok(count(got, 502) > 30 && count(got, 502) < 90, `${count(got, 502)} of 200`);
    assert.equal(count(got, 502) + count(got, 200), 200);
    assert.equal(t.sandbox.acceptedTimes.length, 200, 'an injected 5xx still counts against the window');
    t.sandbox.failNext(1, 502);
    const res = await rest(t.sandbox, 'GET', '/accounts');
    assert.match(res.body.error, /502/);
    assert.ok(res.headers['ratelimit-remaining']);
  });

  it('injects 429s carrying Retry-After: 1 and RateLimit headers that agree, not counted against the window', async () => {
    t.sandbox.setFaults({ rate429: 0.25 });
    const got = await statuses(t.sandbox, 200);
    assert.ok(count(got, 429) > 25 && count(got, 429) < 80, `${count(got, 429)} of 200`);
    assert.equal(t.sandbox.acceptedTimes.length, count(got, 200));
    t.sandbox.setFaults({ rate429: 1 });
    const res = await rest(t.sandbox, 'GET', '/accounts');
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.headers['ratelimit-reset'], '1', 'a one-second refusal, as Retry-After says');
    assert.equal(res.headers['ratelimit-limit'], '1000, 1000;window=60');
    assert.equal(res.headers['ratelimit-remaining'], String(1000 - count(got, 200)), 'the real window');
  });

  it('drops connections at the configured rate without any response, logging them as dropped', async () => {
    t.sandbox.setFaults({ dropRate: 0.2 });
    const got = await statuses(t.sandbox, 100);
    assert.ok(count(got, 'dropped') > 8 && count(got, 'dropped') < 35, `${count(got, 'dropped')} of 100`);
    assert.equal(t.sandbox.counters.dropped, count(got, 'dropped'));
    assert.equal(
      count(
        t.sandbox.requests.map((r) => r.status),
        'dropped',
      ),
      count(got, 'dropped'),
    );
  });

  it('fails exactly the next K requests with the scripted status or drop, then serves normally', async () => {
    t.sandbox.failNext(2, 500);
    t.sandbox.failNext(1, 'drop');
    t.sandbox.failNext(1, 400);
    assert.deepEqual(await statuses(t.sandbox, 5), [500, 500, 'dropped', 400, 200]);
  });

  it('applies faults only after auth: an unauthenticated request gets its 401 and consumes nothing', async () => {
    t.sandbox.failNext(1, 503);
    assert.equal((await request(t.sandbox, 'GET', '/resources/accounts')).status, 401);
    assert.equal((await rest(t.sandbox, 'GET', '/accounts')).status, 503);
  });

  it('gives the same fault sequence for the same seed', async () => {
    const run = async () => {
      const sb = await startSandbox({ seed: 1234, faults: { error5xxRate: 0.2, rate429: 0.1, dropRate: 0.1 } });
      try {
        return await statuses(sb, 40);
      } finally {
        await sb.close();
      }
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(new Set(first).size >= 3, String(first));
  });

  it('delays responses by the configured latency, fixed or between min and max', async () => {
    t.sandbox.setLatency(80);
    let start = Date.now();
    await rest(t.sandbox, 'GET', '/accounts');
    assert.ok(Date.now() - start >= 75, `${Date.now() - start} ms`);
    t.sandbox.setLatency({ min: 20, max: 40 });
    start = Date.now();
    await rest(t.sandbox, 'GET', '/accounts');
    const took = Date.now() - start;
    assert.ok(took >= 18 && took < 200, `${took} ms`);
  });
});
