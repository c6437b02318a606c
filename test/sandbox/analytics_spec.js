'use strict';
const assert = require('node:assert/strict');
const { analytics, request, ANALYTICS_AUTH, useSandbox } = require('./helpers');

const TS = '2024-05-01T10:00:00.000Z';

describe('sandbox Analytics API', () => {
  const t = useSandbox();
  const post = (path, body) => analytics(t.sandbox, path, body);

  async function rejects(path, body, field) {
    const res = await post(path, body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.error, new RegExp(field), res.body.error);
  }

  const valid = {
    account: { accountId: 'a1', traits: { name: 'Acme' }, timestamp: TS },
    organization: { organizationId: 'o1', traits: {}, messageId: 'm-org' },
    user: { userId: 'u1', accountId: 'a1', traits: { email: 'u@a.test' }, timestamp: TS },
    track: { userId: 'u1', event: 'signed_in', properties: {}, timestamp: TS },
    unlink: { userId: 'u1', accountId: 'a1', timestamp: TS },
    customobjectinstance: { externalId: 'sub-1', traits: {}, timestamp: TS },
  };

  it('accepts each message type on its own endpoint with {"message":"Success."} and stores it', async () => {
    for (const [type, message] of Object.entries(valid)) {
      const res = await post(`/${type}`, message);
      assert.equal(res.status, 200, `${type}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body, { message: 'Success.' });
      assert.deepEqual(t.sandbox.list(`analytics:${type}`), [message]);
    }
    assert.deepEqual(t.sandbox.get('analytics:account', 'a1'), valid.account);
    assert.deepEqual(t.sandbox.get('analytics:organization', 'm-org'), valid.organization);
  });

  it("requires each type's id field", async () => {
    await rejects('/account', { timestamp: TS }, 'accountId');
    await rejects('/organization', { timestamp: TS }, 'organizationId');
    await rejects('/user', { timestamp: TS }, 'userId');
    await rejects('/customobjectinstance', { timestamp: TS }, 'externalId');
  });

  it('requires track: event plus a user or account; unlink: userId plus an account or organization', async () => {
    await rejects('/track', { userId: 'u1', timestamp: TS }, 'event');
    await rejects('/track', { event: 'x', timestamp: TS }, 'userId, accountId or organizationId');
    assert.equal((await post('/track', { event: 'x', accountId: 'a1', timestamp: TS })).status, 200);
    await rejects('/unlink', { accountId: 'a1', timestamp: TS }, 'userId');
    await rejects('/unlink', { userId: 'u1', timestamp: TS }, 'accountId or organizationId');
    assert.equal((await post('/unlink', { userId: 'u1', organizationId: 'o1', timestamp: TS })).status, 200);
  });

  it('requires a timestamp or a messageId, and a timestamp that is a date', async () => {
    await rejects('/user', { userId: 'u1' }, 'timestamp or messageId');
    await rejects('/user', { userId: 'u1', timestamp: 'now' }, 'timestamp');
    assert.equal((await post('/user', { userId: 'u1', messageId: 'abc' })).status, 200);
  });

  it('stores a message whose messageId it has seen only once, still answering success', async () => {
    const m = { userId: 'u1', event: 'x', messageId: 'dup-1' };
    assert.equal((await post('/track', m)).status, 200);
    assert.equal((await post('/track', m)).status, 200);
    assert.equal((await post('/batch', [{ ...m, type: 'track' }])).status, 200);
    assert.equal(t.sandbox.list('analytics:track').length, 1);
  });

  it('takes a /batch of up to 100 typed messages and stores each under its type', async () => {
    const batch = Object.entries(valid).map(([type, m]) => ({ type, ...m }));
    const res = await post('/batch', batch);
    assert.deepEqual([res.status, res.body], [200, { message: 'Success.' }]);
    for (const type of Object.keys(valid)) assert.equal(t.sandbox.list(`analytics:${type}`).length, 1, type);
    const hundred = Array.from({ length: 100 }, (_, i) => ({
      type: 'track',
      userId: `u${i}`,
      event: 'e',
      messageId: `b-${i}`,
    }));
    assert.equal((await post('/batch', hundred)).status, 200);
    assert.equal(t.sandbox.list('analytics:track').length, 101);
  });

  it('rejects a whole batch, storing nothing, when it is not an array, is empty or too long, or holds a bad message', async () => {
    const ok = { type: 'user', userId: 'u1', timestamp: TS };
    await rejects('/batch', { batch: [ok] }, 'array');
    await rejects('/batch', [], '1 to 100');
    await rejects(
      '/batch',
      Array.from({ length: 101 }, () => ok),
      '1 to 100',
    );
    await rejects('/batch', [ok, { ...ok, type: 'identify' }], 'batch\\[1\\]\\.type');
    await rejects('/batch', [ok, { userId: 'u2', timestamp: TS }], 'batch\\[1\\]\\.type');
    await rejects('/batch', [ok, { type: 'track', userId: 'u1', timestamp: TS }], 'batch\\[1\\]\\.event');
    await rejects('/batch', [ok, 'user'], 'batch\\[1\\] must be an object');
    assert.equal(t.sandbox.list('analytics:user').length, 0);
  });

  it('answers 404 for unknown analytics endpoints and non-POST methods, 400 for malformed JSON', async () => {
    assert.equal((await post('/identify', { userId: 'u1', timestamp: TS })).status, 404);
    assert.equal(
      (await request(t.sandbox, 'GET', '/analytics/v1/user', { headers: { Authorization: ANALYTICS_AUTH } })).status,
      404,
    );
    const bad = await request(t.sandbox, 'POST', '/analytics/v1/batch', {
      raw: '[{',
      headers: { Authorization: ANALYTICS_AUTH },
    });
    assert.equal(bad.status, 400);
  });
});
