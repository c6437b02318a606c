'use strict';
const assert = require('node:assert/strict');
const { rest, analytics, sleep, useSandbox } = require('./helpers');

const LIMIT = 20;
const WINDOW_MS = 400;

describe('sandbox rate limit (strict sliding window over HTTP)', () => {
  const t = useSandbox({ rateLimit: LIMIT, windowMs: WINDOW_MS, recordAcceptedTimes: true });
  const get = () => rest(t.sandbox, 'GET', '/accounts?limit=1');

  it('answers N+1 requests inside one window with exactly one 429, which is not counted', async () => {
    const replies = await Promise.all(Array.from({ length: LIMIT + 1 }, get));
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 429).length, 1, String(statuses));
    assert.equal(statuses.filter((s) => s === 200).length, LIMIT);
    const refused = replies.find((r) => r.status === 429);
    assert.deepEqual(refused.body, { error: 'Too many requests' });
    assert.equal(t.sandbox.acceptedTimes.length, LIMIT, 'the 429 was not counted');
    assert.deepEqual(t.sandbox.counters.byStatus, { 200: LIMIT, 429: 1 });
  });

  it('sends sane RateLimit headers on every authenticated response, 429s and 4xx included', async () => {
    const first = await get();
    assert.equal(first.headers['ratelimit-limit'], `${LIMIT}, ${LIMIT};window=${WINDOW_MS / 1000}`);
    assert.equal(first.headers['ratelimit-remaining'], String(LIMIT - 1));
    assert.equal(first.headers['ratelimit-reset'], '1', 'seconds, rounded up');
    const notFound = await rest(t.sandbox, 'GET', '/accounts/nope');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.headers['ratelimit-remaining'], String(LIMIT - 2));
    const invalid = await rest(t.sandbox, 'POST', '/accounts', {});
    assert.equal(invalid.status, 400);
    assert.equal(invalid.headers['ratelimit-remaining'], String(LIMIT - 3));
    await Promise.all(Array.from({ length: LIMIT - 3 }, get));
    const refused = await get();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    assert.equal(refused.headers['ratelimit-reset'], '1');
    assert.equal(
      refused.headers['retry-after'],
      undefined,
      'Vitally documents no Retry-After; only injected 429s carry one',
    );
  });

  it('frees the budget as the window slides past the earliest requests', async () => {
    await Promise.all(Array.from({ length: LIMIT / 2 }, get));
    await sleep(WINDOW_MS / 2);
    await Promise.all(Array.from({ length: LIMIT / 2 }, get));
    assert.equal((await get()).status, 429);
    await sleep(WINDOW_MS / 2 + 30); // the first half has left, the second half is still inside
    const replies = await Promise.all(Array.from({ length: LIMIT / 2 + 1 }, get));
    assert.equal(replies.filter((r) => r.status === 429).length, 1);
    const times = t.sandbox.acceptedTimes;
    for (let i = 0; i + LIMIT < times.length; i++)
      assert.ok(times[i + LIMIT] - times[i] >= WINDOW_MS, 'never more than N in a window');
  });

  it('keeps one window per credential: REST and Analytics budgets are separate', async () => {
    await Promise.all(Array.from({ length: LIMIT }, get));
    assert.equal((await get()).status, 429);
    const res = await analytics(t.sandbox, '/track', { userId: 'u', event: 'e', timestamp: new Date().toISOString() });
    assert.equal(res.status, 200);
    assert.equal(res.headers['ratelimit-remaining'], String(LIMIT - 1));
  });

  it('takes new limits at runtime, and reset() empties the windows', async () => {
    t.sandbox.setRateLimit(2, 10000);
    assert.deepEqual([(await get()).status, (await get()).status, (await get()).status], [200, 200, 429]);
    assert.equal((await get()).headers['ratelimit-limit'], '2, 2;window=10');
    t.sandbox.reset();
    assert.equal((await get()).status, 200);
  });
});
