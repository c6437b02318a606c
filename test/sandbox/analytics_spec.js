'use strict';
const assert = require('node:assert/strict');
const { SEEDED_CUSTOM_OBJECT_ID } = require('../../dist/sandbox');
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
    customobjectinstance: {
      externalId: 'sub-1',
      customObjectId: SEEDED_CUSTOM_OBJECT_ID,
      accountId: 'a1',
      traits: {},
      timestamp: TS,
    },
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
    await rejects('/user', { accountId: 'a1', traits: {}, timestamp: TS }, 'userId');
    await rejects('/customobjectinstance', { ...valid.customobjectinstance, externalId: undefined }, 'externalId');
  });

  it('requires exactly what the docs list per type, and takes an empty traits or properties object', async () => {
    /** [endpoint, message without the field, the error] for every documented requirement. */
    const without = (type, field) => ({ ...valid[type], [field]: undefined });
    const cases = [
      ['/account', without('account', 'accountId'), /^accountId is required$/],
      ['/organization', without('organization', 'organizationId'), /^organizationId is required$/],
      ['/user', without('user', 'userId'), /^userId is required$/],
      ['/user', without('user', 'traits'), /^traits is required$/],
      ['/user', without('user', 'accountId'), /^accountId or organizationId is required$/],
      ['/track', without('track', 'event'), /^event is required$/],
      ['/track', without('track', 'properties'), /^properties is required$/],
      ['/track', without('track', 'userId'), /^userId, accountId or organizationId is required$/],
      ['/unlink', without('unlink', 'userId'), /^userId is required$/],
      ['/unlink', without('unlink', 'accountId'), /^accountId or organizationId is required$/],
      ['/customobjectinstance', without('customobjectinstance', 'externalId'), /^externalId is required$/],
      ['/customobjectinstance', without('customobjectinstance', 'customObjectId'), /^customObjectId is required$/],
      ['/customobjectinstance', without('customobjectinstance', 'traits'), /^traits is required$/],
    ];
    for (const [path, message, error] of cases) {
      const res = await post(path, message);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(message)}`);
      assert.match(res.body.error, error);
    }
    await rejects('/user', { ...valid.user, traits: 'gold' }, '^traits must be an object$');
    await rejects('/track', { ...valid.track, properties: [] }, '^properties must be an object$');
    await rejects('/customobjectinstance', { ...valid.customobjectinstance, traits: null }, '^traits is required$');
    const empty = [
      ['/user', { userId: 'u2', organizationId: 'o1', traits: {}, timestamp: TS }],
      ['/track', { accountId: 'a1', event: 'e', properties: {}, timestamp: TS }],
      ['/track', { organizationId: 'o1', event: 'e', properties: {}, timestamp: TS }],
      ['/account', { accountId: 'a2', messageId: 'no-traits' }],
      ['/organization', { organizationId: 'o2', timestamp: TS }],
      ['/unlink', { userId: 'u1', organizationId: 'o1', timestamp: TS }],
    ];
    for (const [path, message] of empty) assert.equal((await post(path, message)).status, 200, path);
  });

  it('requires an owner (accountId or organizationId) on a customobjectinstance, in a batch too', async () => {
    const ownerless = { ...valid.customobjectinstance, accountId: undefined };
    const res = await post('/customobjectinstance', ownerless);
    assert.deepEqual([res.status, res.body], [400, { error: 'accountId or organizationId is required' }]);
    const batch = await post('/batch', [{ type: 'customobjectinstance', ...ownerless }]);
    assert.deepEqual(batch.body, { error: 'batch[0].accountId or batch[0].organizationId is required' });
    assert.equal((await post('/customobjectinstance', valid.customobjectinstance)).status, 200);
  });

  it('checks the same requirements per message inside /batch, naming the index and field', async () => {
    const batch = Object.entries(valid).map(([type, m]) => ({ type, ...m }));
    const broken = (i, field) => batch.map((m, j) => (j === i ? { ...m, [field]: undefined } : m));
    const cases = [
      [broken(2, 'traits'), 'batch[2].traits is required'],
      [broken(3, 'properties'), 'batch[3].properties is required'],
      [broken(3, 'userId'), 'batch[3].userId, batch[3].accountId or batch[3].organizationId is required'],
      [broken(5, 'customObjectId'), 'batch[5].customObjectId is required'],
      [broken(4, 'accountId'), 'batch[4].accountId or batch[4].organizationId is required'],
      [broken(0, 'timestamp'), 'batch[0].timestamp or batch[0].messageId is required'],
    ];
    for (const [messages, error] of cases) {
      const res = await post('/batch', messages);
      assert.deepEqual([res.status, res.body], [400, { error }]);
    }
    assert.equal(t.sandbox.list('analytics:user').length, 0, 'a rejected batch stores nothing');
  });

  it('requires a timestamp or a messageId, and a timestamp that is a date', async () => {
    const user = { userId: 'u1', accountId: 'a1', traits: {} };
    await rejects('/user', user, 'timestamp or messageId');
    await rejects('/user', { ...user, timestamp: 'now' }, 'timestamp');
    assert.equal((await post('/user', { ...user, messageId: 'abc' })).status, 200);
  });

  it('stores a message whose messageId it has seen only once, still answering success', async () => {
    const m = { userId: 'u1', event: 'x', properties: {}, messageId: 'dup-1' };
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
      properties: { i },
      messageId: `b-${i}`,
    }));
    assert.equal((await post('/batch', hundred)).status, 200);
    assert.equal(t.sandbox.list('analytics:track').length, 101);
  });

  it('rejects a whole batch, storing nothing, when it is not an array, is empty or too long, or holds a bad message', async () => {
    const ok = { type: 'user', userId: 'u1', accountId: 'a1', traits: {}, timestamp: TS };
    await rejects('/batch', { batch: [ok] }, 'array');
    await rejects('/batch', [], '1 to 100');
    await rejects(
      '/batch',
      Array.from({ length: 101 }, () => ok),
      '1 to 100',
    );
    await rejects('/batch', [ok, { ...ok, type: 'identify' }], 'batch\\[1\\]\\.type');
    await rejects('/batch', [ok, { userId: 'u2', timestamp: TS }], 'batch\\[1\\]\\.type');
    await rejects(
      '/batch',
      [ok, { type: 'track', userId: 'u1', properties: {}, timestamp: TS }],
      'batch\\[1\\]\\.event',
    );
    await rejects('/batch', [ok, 'user'], 'batch\\[1\\] must be an object');
    assert.equal(t.sandbox.list('analytics:user').length, 0);
  });

  it('answers 404 for unknown analytics endpoints and non-POST methods, 400 for malformed JSON', async () => {
    assert.equal((await post('/identify', valid.user)).status, 404);
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
