'use strict';
const assert = require('node:assert/strict');
const { SEEDED_CUSTOM_OBJECT_ID } = require('../../dist/sandbox');
const { API_KEY, ANALYTICS_TOKEN, REST_AUTH, analytics, control, request, rest, useSandbox } = require('./helpers');

describe('sandbox control routes, log and page', () => {
  const t = useSandbox({ logLimit: 5 });

  async function seedSome() {
    const acc = await rest(t.sandbox, 'POST', '/accounts', { externalId: 'acc-1', name: 'Acme <Widgets>' });
    await rest(t.sandbox, 'POST', `/customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`, {
      name: 'Gold plan',
      customerId: acc.body.id,
    });
    await analytics(t.sandbox, '/track', {
      userId: 'u1',
      event: 'logged_in',
      properties: {},
      timestamp: new Date().toISOString(),
    });
    return acc.body;
  }

  it('logs each API request (time, method, path with query, status, parsed body, credential kind) and keeps the last logLimit', async () => {
    const before = Date.now();
    await rest(t.sandbox, 'POST', '/accounts?x=1', { externalId: 'a', name: 'A' });
    const [entry] = t.sandbox.requests;
    assert.deepEqual(
      { ...entry, time: 0 },
      {
        time: 0,
        method: 'POST',
        path: '/resources/accounts?x=1',
        status: 200,
        body: { externalId: 'a', name: 'A' },
        key: 'rest',
      },
    );
    assert.ok(entry.time >= before && entry.time <= Date.now());
    for (let i = 0; i < 7; i++) await rest(t.sandbox, 'GET', `/accounts?limit=${i + 1}`);
    assert.equal(t.sandbox.requests.length, 5);
    assert.equal(t.sandbox.requests[4].path, '/resources/accounts?limit=7', 'oldest first');
    assert.deepEqual(t.sandbox.counters, { total: 8, byStatus: { 200: 8 }, dropped: 0 });
  });

  it('GET /_sandbox/requests and /_sandbox/state answer the log, counters and store counts, and are not logged', async () => {
    await seedSome();
    const requests = await control(t.sandbox, 'GET', '/requests');
    assert.equal(requests.status, 200);
    assert.equal(requests.body.requests.length, 3);
    assert.equal(requests.body.counters.total, 3);
    const state = (await control(t.sandbox, 'GET', '/state')).body;
    assert.equal(state.counts.accounts, 1);
    assert.equal(state.counts[`customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`], 1);
    assert.equal(state.counts['analytics:track'], 1);
    assert.equal(state.requests[0].path, '/analytics/v1/track', 'newest first');
    assert.equal(state.settings.rateLimit, 1000);
    assert.equal(t.sandbox.counters.total, 3, 'control routes are not counted');
  });

  it('GET /_sandbox/store/:resource lists a resource, custom object instances and analytics messages included', async () => {
    const acc = await seedSome();
    assert.deepEqual(
      (await control(t.sandbox, 'GET', '/store/accounts')).body.results.map((a) => a.id),
      [acc.id],
    );
    const inst = await control(t.sandbox, 'GET', `/store/customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`);
    assert.equal(inst.body.results[0].name, 'Gold plan');
    assert.equal((await control(t.sandbox, 'GET', '/store/analytics:track')).body.count, 1);
    const unknown = await control(t.sandbox, 'GET', '/store/widgets');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /widgets/);
  });

  it('POST /_sandbox/faults sets faults, latency and rate limit; POST /_sandbox/fail-next scripts failures', async () => {
    const set = await control(t.sandbox, 'POST', '/faults', {
      faults: { error5xxRate: 1, errorStatus: 500 },
      latencyMs: 5,
      rateLimit: 50,
      windowMs: 2000,
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.faults, { error5xxRate: 1, errorStatus: 500, rate429: 0, dropRate: 0 });
    assert.deepEqual([set.body.latencyMs, set.body.rateLimit, set.body.windowMs], [5, 50, 2000]);
    const failed = await rest(t.sandbox, 'GET', '/accounts');
    assert.equal(failed.status, 500);
    assert.equal(failed.headers['ratelimit-limit'], '50, 50;window=2');
    assert.equal(
      (await control(t.sandbox, 'POST', '/faults', { error5xxRate: 0 })).body.faults.error5xxRate,
      0,
      'flat fields work too',
    );
    assert.equal((await control(t.sandbox, 'POST', '/fail-next', { count: 1, status: 'drop' })).status, 200);
    await assert.rejects(rest(t.sandbox, 'GET', '/accounts'));
    assert.equal((await control(t.sandbox, 'POST', '/fail-next', { count: 2, status: 503 })).body.failNext[0].count, 2);
    assert.equal((await rest(t.sandbox, 'GET', '/accounts')).status, 503);
    assert.equal((await control(t.sandbox, 'GET', '/faults')).body.failNext[0].count, 1);
  });

  it('answers 400 naming the setting for bad control bodies, and 404 for unknown control routes', async () => {
    assert.match((await control(t.sandbox, 'POST', '/faults', { dropRate: 2 })).body.error, /dropRate/);
    assert.match((await control(t.sandbox, 'POST', '/faults', { rateLimit: -1 })).body.error, /rateLimit/);
    assert.match((await control(t.sandbox, 'POST', '/fail-next', { count: 1, status: 200 })).body.error, /status/);
    assert.equal((await request(t.sandbox, 'POST', '/_sandbox/faults', { raw: '{' })).status, 400);
    assert.equal((await control(t.sandbox, 'GET', '/nothing')).status, 404);
  });

  it('POST /_sandbox/reset empties store, log, counters and windows but keeps settings', async () => {
    await seedSome();
    t.sandbox.setLatency(1);
    assert.deepEqual((await control(t.sandbox, 'POST', '/reset')).body, { reset: true });
    assert.equal(t.sandbox.list('accounts').length, 0);
    assert.equal(t.sandbox.list('analytics:track').length, 0);
    assert.deepEqual(t.sandbox.counters, { total: 0, byStatus: {}, dropped: 0 });
    assert.deepEqual(t.sandbox.requests, []);
    assert.deepEqual(
      t.sandbox.list('customObjects').map((d) => d.id),
      [SEEDED_CUSTOM_OBJECT_ID],
      'the seeded definition is back',
    );
    assert.equal((await control(t.sandbox, 'GET', '/faults')).body.latencyMs, 1);
  });

  it('serves a read-only page at / with stored objects and latest requests, escaped, and without keys', async () => {
    await seedSome();
    const page = await request(t.sandbox, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.ok(page.text.includes('Acme &#60;Widgets&#62;'), 'object names, HTML-escaped');
    assert.ok(page.text.includes('Gold plan'));
    assert.ok(page.text.includes('logged_in'));
    assert.ok(page.text.includes('/resources/accounts'));
    for (const secret of [API_KEY, ANALYTICS_TOKEN, REST_AUTH.slice(6)]) assert.ok(!page.text.includes(secret), secret);
    assert.equal(t.sandbox.counters.total, 3, 'the page is not logged');
  });

  it('lists and gets objects programmatically, and throws for an unknown resource', async () => {
    const acc = await seedSome();
    assert.equal(t.sandbox.get('accounts', 'acc-1').id, acc.id);
    assert.equal(t.sandbox.get('accounts', acc.id).externalId, 'acc-1');
    assert.equal(t.sandbox.get('accounts', 'nope'), undefined);
    assert.equal(t.sandbox.get('analytics:track', 'u1'), undefined, 'track messages are found by messageId');
    assert.throws(() => t.sandbox.list('widgets'), /unknown resource widgets/);
    assert.throws(() => t.sandbox.list('analytics:identify'), /unknown resource/);
  });
});
