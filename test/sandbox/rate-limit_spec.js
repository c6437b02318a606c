'use strict';
const assert = require('node:assert/strict');
const { Sandbox } = require('../../dist/sandbox');
const { ANALYTICS_AUTH, REST_AUTH, analytics, control, request, rest, sleep, useSandbox } = require('./helpers');

/** Seconds, rounded up, from the logged request `refused` until `windowMs` after the logged request `oldest`. */
const secondsBetween = (oldest, refused, windowMs) => String(Math.ceil((oldest.time + windowMs - refused.time) / 1000));

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
    assert.equal(refused.headers['retry-after'], '1', "the sandbox's own 429 says when to retry, as Reset does");
  });

  it('gives its own 429s a Retry-After in whole seconds, rounded up, equal to RateLimit-Reset', async () => {
    t.sandbox.setRateLimit(2, 2500);
    await get();
    await get();
    const refused = await get();
    assert.equal(refused.status, 429);
    const [first, , refusedEntry] = t.sandbox.requests;
    assert.equal(refused.headers['retry-after'], secondsBetween(first, refusedEntry, 2500), 'until the first leaves');
    assert.match(refused.headers['retry-after'], /^[123]$/);
    assert.equal(refused.headers['ratelimit-reset'], refused.headers['retry-after']);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    const more = (await Promise.all([get(), get()])).filter((r) => r.status === 429);
    assert.equal(more.length, 2);
    for (const r of more) assert.equal(r.headers['retry-after'], r.headers['ratelimit-reset']);
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
    const res = await analytics(t.sandbox, '/track', {
      userId: 'u',
      event: 'e',
      properties: {},
      timestamp: new Date().toISOString(),
    });
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

describe('sandbox RateLimit headers on every API response', () => {
  const t = useSandbox();

  it('sends the RateLimit headers on every API response, whatever its status, and none on control routes', async () => {
    const auth = { Authorization: REST_AUTH };
    const replies = [
      await request(t.sandbox, 'GET', '/resources/accounts'), // 401
      await request(t.sandbox, 'GET', '/resources/widgets', { headers: auth }), // 404 route
      await request(t.sandbox, 'GET', '/resources/accounts/%E0%A4%A', { headers: auth }), // malformed path
      await request(t.sandbox, 'POST', '/resources/accounts', { raw: '{', headers: auth }), // bad JSON
      await request(t.sandbox, 'POST', '/resources/accounts', {
        raw: `"${'x'.repeat(6 * 1024 * 1024)}"`,
        headers: auth,
      }),
      await request(t.sandbox, 'GET', '/analytics/v1/user', { headers: { Authorization: ANALYTICS_AUTH } }), // 404
      await request(t.sandbox, 'POST', '/analytics/v1', { body: {} }), // 401 at the Analytics root
    ];
    assert.deepEqual(
      replies.map((r) => r.status),
      [401, 404, 400, 400, 413, 404, 401],
    );
    for (const r of replies) {
      assert.equal(r.headers['ratelimit-limit'], '1000, 1000;window=60', String(r.status));
      assert.match(r.headers['ratelimit-remaining'], /^\d+$/);
      assert.match(r.headers['ratelimit-reset'], /^\d+$/);
    }
    assert.equal(replies[0].headers['ratelimit-remaining'], '1000', 'a 401 is not counted');
    assert.equal(replies[4].headers['ratelimit-remaining'], '996', 'the authenticated ones are');
    const controlRoute = await request(t.sandbox, 'GET', '/_sandbox/state');
    assert.equal(controlRoute.headers['ratelimit-limit'], undefined);
    assert.equal((await request(t.sandbox, 'GET', '/elsewhere')).headers['ratelimit-limit'], undefined);
  });
});

describe('sandbox write cost (--write-cost: writes take N units of the window, reads 1)', () => {
  const WINDOW = 10000;
  const t = useSandbox({ rateLimit: 20, windowMs: WINDOW, writeCost: 5, recordAcceptedTimes: true });
  const remaining = (r) => r.headers['ratelimit-remaining'];

  it('charges each POST, PUT and DELETE N units and each GET 1, and reports remaining units', async () => {
    const read = await rest(t.sandbox, 'GET', '/accounts');
    assert.equal(remaining(read), '19');
    const created = await rest(t.sandbox, 'POST', '/accounts', { externalId: 'a-1', name: 'A' });
    assert.equal(created.status, 200);
    assert.equal(remaining(created), '14');
    assert.equal(remaining(await rest(t.sandbox, 'PUT', '/accounts/a-1', { name: 'B' })), '9');
    assert.equal(remaining(await rest(t.sandbox, 'DELETE', '/accounts/a-1')), '4');
    const invalid = await rest(t.sandbox, 'POST', '/accounts', {});
    assert.equal(invalid.status, 429, 'a write that does not fit is refused before it is validated');
  });

  it('refuses a write that does not fit the remaining units with a 429 that is not counted, while reads still fit', async () => {
    for (let i = 0; i < 3; i++) await rest(t.sandbox, 'POST', '/organizations', { externalId: `o-${i}`, name: 'O' });
    const one = await rest(t.sandbox, 'GET', '/organizations');
    assert.equal(remaining(one), '4');
    const refused = await rest(t.sandbox, 'POST', '/organizations', { externalId: 'o-9', name: 'O' });
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { error: 'Too many requests' });
    assert.equal(remaining(refused), '4', 'units left, fewer than a write needs');
    const log = t.sandbox.requests;
    const wait = secondsBetween(log[0], log[log.length - 1], WINDOW);
    assert.equal(refused.headers['retry-after'], wait, 'until the first write (5 units) has left');
    assert.match(wait, /^(9|10)$/);
    assert.equal(refused.headers['ratelimit-reset'], refused.headers['retry-after']);
    assert.equal(t.sandbox.list('organizations').length, 3);
    const reads = [];
    for (let i = 0; i < 4; i++) reads.push(await rest(t.sandbox, 'GET', '/organizations?limit=1'));
    assert.deepEqual(
      reads.map((r) => [r.status, remaining(r)]),
      [
        [200, '3'],
        [200, '2'],
        [200, '1'],
        [200, '0'],
      ],
    );
    assert.equal((await rest(t.sandbox, 'GET', '/organizations')).status, 429);
    assert.equal(t.sandbox.acceptedTimes.length, 8, 'the 429s were not counted');
  });

  it('charges Analytics writes N units of the Analytics window, a /batch of many messages included', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({
      type: 'track',
      userId: `u${i}`,
      event: 'e',
      properties: {},
      messageId: `m-${i}`,
    }));
    const batch = await analytics(t.sandbox, '/batch', messages);
    assert.equal(batch.status, 200);
    assert.equal(remaining(batch), '15', 'one request, one write');
    assert.equal(remaining(await rest(t.sandbox, 'GET', '/accounts')), '19', 'the REST window is its own');
  });

  it('shows writeCost in the settings and takes a new one at runtime, refusing one the limit cannot hold', async () => {
    assert.equal(t.sandbox.settings().writeCost, 5);
    assert.equal((await control(t.sandbox, 'GET', '/state')).body.settings.writeCost, 5);
    const set = await control(t.sandbox, 'POST', '/faults', { writeCost: 2 });
    assert.equal(set.status, 200);
    assert.equal(set.body.writeCost, 2);
    assert.equal(remaining(await rest(t.sandbox, 'POST', '/organizations', { externalId: 'o', name: 'O' })), '18');
    for (const writeCost of [0, 1.5, 21, 'x']) {
      const bad = await control(t.sandbox, 'POST', '/faults', { writeCost });
      assert.equal(bad.status, 400, String(writeCost));
      assert.match(bad.body.error, /writeCost/);
    }
    assert.match((await control(t.sandbox, 'POST', '/faults', { rateLimit: 1 })).body.error, /writeCost/);
    const both = await control(t.sandbox, 'POST', '/faults', { rateLimit: 50, writeCost: 40 });
    assert.deepEqual([both.body.rateLimit, both.body.writeCost], [50, 40]);
    const down = await control(t.sandbox, 'POST', '/faults', { rateLimit: 3, writeCost: 3 });
    assert.deepEqual([down.body.rateLimit, down.body.writeCost], [3, 3], 'lowered in the order that holds');
    assert.throws(() => t.sandbox.setRateLimit(2, 1000), /writeCost/);
  });

  it('rejects a write cost that is not an integer from 1 to the rate limit at construction', () => {
    assert.throws(() => new Sandbox({ writeCost: 0 }), /writeCost/);
    assert.throws(() => new Sandbox({ writeCost: 2.5 }), /writeCost/);
    assert.throws(() => new Sandbox({ rateLimit: 10, writeCost: 11 }), /writeCost/);
    assert.equal(new Sandbox({ rateLimit: 10, writeCost: 10 }).settings().writeCost, 10);
    assert.equal(new Sandbox().settings().writeCost, 1, 'default 1');
  });
});

describe('sandbox Retry-After for a write that needs more than the oldest request frees', () => {
  const WINDOW = 3000;
  const t = useSandbox({ rateLimit: 3, windowMs: WINDOW, writeCost: 2 });

  it('says when the write will fit, which is later than when a read would', async () => {
    await rest(t.sandbox, 'GET', '/accounts');
    await sleep(1500);
    await rest(t.sandbox, 'GET', '/accounts');
    await rest(t.sandbox, 'GET', '/accounts'); // full: the first read leaves 1.5 s before the other two
    const write = await rest(t.sandbox, 'POST', '/organizations', { externalId: 'o', name: 'O' });
    const read = await rest(t.sandbox, 'GET', '/accounts');
    assert.deepEqual([write.status, read.status], [429, 429]);
    const [first, second, , writeEntry, readEntry] = t.sandbox.requests;
    assert.equal(read.headers['retry-after'], secondsBetween(first, readEntry, WINDOW), 'once the first read leaves');
    assert.equal(
      write.headers['retry-after'],
      secondsBetween(second, writeEntry, WINDOW),
      'two units are free only once the second read has left',
    );
    assert.ok(Number(write.headers['retry-after']) > Number(read.headers['retry-after']));
    for (const r of [read, write]) assert.equal(r.headers['ratelimit-reset'], r.headers['retry-after']);
    await sleep(Number(write.headers['retry-after']) * 1000);
    assert.equal((await rest(t.sandbox, 'POST', '/organizations', { externalId: 'o', name: 'O' })).status, 200);
  });
});
