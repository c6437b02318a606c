'use strict';
const assert = require('node:assert/strict');
const { DEMO, SEEDED_CUSTOM_OBJECT_ID, Sandbox, startSandbox } = require('../../dist/sandbox');
const { control, rest, useSandbox } = require('./helpers');

const INSTANCES = `customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`;

describe('sandbox demo workspace (seed: demo)', () => {
  const t = useSandbox({ seed: 'demo' });
  const get = async (path) => {
    const res = await rest(t.sandbox, 'GET', path);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  it('starts with 3 organizations, 6 accounts (one churned), 12 users with emails and 2 admins', async () => {
    assert.deepEqual((await get('/organizations')).results.map((o) => o.externalId).sort(), [
      'org-1',
      'org-2',
      'org-3',
    ]);
    const accounts = (await get('/accounts?status=activeOrChurned')).results;
    assert.equal(accounts.length, 6);
    assert.deepEqual(
      (await get('/accounts?status=churned')).results.map((a) => a.externalId),
      ['acct-6'],
    );
    assert.ok(accounts.every((a) => typeof a.organizationId === 'string' && a.name));
    const users = (await get('/users')).results;
    assert.equal(users.length, 12);
    assert.ok(users.every((u) => /^[a-z]+@[a-z]+\.example$/.test(u.email) && u.accountIds.length === 1));
    assert.equal(new Set(users.map((u) => u.email)).size, 12);
    assert.deepEqual((await get('/admins')).results.map((a) => a.email).sort(), [
      'ana@demo-cs.example',
      'ben@demo-cs.example',
    ]);
  });

  it('has the Subscriptions custom object with fields and two instances, two project templates, custom traits and notes', async () => {
    const definitions = (await get('/customObjects')).results;
    assert.deepEqual(
      definitions.map((d) => [d.id, d.label]),
      [[SEEDED_CUSTOM_OBJECT_ID, 'Subscriptions']],
    );
    assert.equal(definitions[0].customFields.length, 3);
    assert.deepEqual((await get(`/${INSTANCES}`)).results.map((i) => i.externalId).sort(), ['sub-1', 'sub-2']);
    assert.equal((await get('/projectTemplates')).results.length, 2);
    assert.equal((await get('/customFields?model=accounts')).length, 2);
    assert.equal((await get('/customFields?model=users')).length, 2);
    assert.ok((await get('/notes')).results.length >= 1);
    assert.ok((await get('/accounts/acct-1/notes')).results.length >= 1);
  });

  it('matches DEMO: every exported id and externalId resolves to the object it names', async () => {
    for (const o of DEMO.organizations) assert.equal((await get(`/organizations/${o.externalId}`)).id, o.id);
    for (const a of DEMO.accounts) {
      const account = await get(`/accounts/${a.externalId}`);
      assert.equal(account.id, a.id);
      assert.equal(account.name, a.name);
      assert.equal(account.organizationId, DEMO.organizations.find((o) => o.externalId === a.organization).id);
      assert.equal(Boolean(account.traits.churnedAt), a.churned);
    }
    for (const u of DEMO.users) {
      const user = await get(`/users/${u.externalId}`);
      assert.deepEqual([user.id, user.email], [u.id, u.email]);
      assert.deepEqual(user.accountIds, [DEMO.accounts.find((a) => a.externalId === u.account).id]);
    }
    for (const a of DEMO.admins)
      assert.equal((await get(`/admins/search?email=${encodeURIComponent(a.email)}`)).id, a.id);
    assert.equal(DEMO.customObject.id, SEEDED_CUSTOM_OBJECT_ID);
    for (const i of DEMO.customObject.instances) {
      assert.deepEqual(
        (await get(`/${INSTANCES}/search?externalId=${i.externalId}`)).map((x) => x.id),
        [i.id],
      );
    }
    for (const p of DEMO.projectTemplates) assert.ok(t.sandbox.get('projectTemplates', p.id));
    for (const n of DEMO.notes) assert.equal((await get(`/notes/${n.id}`)).externalId, n.externalId);
    for (const k of DEMO.tasks) assert.equal((await get(`/tasks/${k.id}`)).externalId, k.externalId);
    for (const r of DEMO.npsResponses) assert.equal((await get(`/npsResponses/${r.externalId}`)).id, r.id);
    assert.equal(DEMO.churnedAccount, 'acct-6');
    assert.ok(Object.isFrozen(DEMO) && Object.isFrozen(DEMO.accounts[0]), 'DEMO cannot be changed by accident');
  });

  it('gives the same ids in every sandbox, and POST /_sandbox/reset brings the demo workspace back', async () => {
    const other = await startSandbox({ seed: 'demo' });
    try {
      assert.deepEqual(
        other.list('users').map((u) => u.id),
        t.sandbox.list('users').map((u) => u.id),
      );
    } finally {
      await other.close();
    }
    await rest(t.sandbox, 'DELETE', '/accounts/acct-1');
    await rest(t.sandbox, 'POST', '/organizations', { externalId: 'org-new', name: 'New' });
    await rest(t.sandbox, 'PUT', '/users/user-1', { name: 'Changed' });
    assert.equal((await control(t.sandbox, 'POST', '/reset')).status, 200);
    assert.equal(t.sandbox.get('accounts', 'acct-1').id, DEMO.accounts[0].id);
    assert.equal(t.sandbox.get('organizations', 'org-new'), undefined);
    assert.equal(t.sandbox.get('users', 'user-1').name, 'Olivia Hart');
    assert.equal(t.sandbox.list('accounts').length, 6);
  });

  it('reports the seed in the settings and the state', async () => {
    assert.equal(t.sandbox.settings().seed, 'demo');
    assert.equal((await control(t.sandbox, 'GET', '/state')).body.settings.seed, 'demo');
    assert.equal((await control(t.sandbox, 'GET', '/state')).body.counts.users, 12);
  });
});

describe('sandbox seeds', () => {
  it('starts without demo data unless asked: only the Subscriptions definition, with no fields', async () => {
    const sb = await startSandbox();
    try {
      for (const resource of [
        'organizations',
        'accounts',
        'users',
        'admins',
        'projectTemplates',
        'notes',
        'customFields',
      ])
        assert.deepEqual(sb.list(resource), [], resource);
      assert.deepEqual(
        sb.list('customObjects').map((d) => [d.id, d.customFields]),
        [[SEEDED_CUSTOM_OBJECT_ID, []]],
      );
      assert.equal(sb.settings().seed, null);
    } finally {
      await sb.close();
    }
  });

  it('adds the data option to the demo workspace, and keeps both across a reset', async () => {
    const sb = await startSandbox({
      seed: 'demo',
      data: { accounts: [{ id: 'acc-extra', externalId: 'acct-extra', name: 'Extra' }] },
    });
    try {
      assert.equal(sb.list('accounts').length, 7);
      sb.reset();
      assert.equal(sb.get('accounts', 'acct-extra').id, 'acc-extra');
      assert.equal(sb.get('accounts', 'acct-1').id, DEMO.accounts[0].id);
    } finally {
      await sb.close();
    }
  });

  it('still takes a numeric seed as the fault seed, and faultSeed alongside the demo workspace', async () => {
    const statuses = async (options) => {
      const sb = await startSandbox({ faults: { error5xxRate: 0.5 }, ...options });
      try {
        const out = [];
        for (let i = 0; i < 20; i++) out.push((await rest(sb, 'GET', '/accounts?limit=1')).status);
        return out;
      } finally {
        await sb.close();
      }
    };
    const numeric = await statuses({ seed: 99 });
    assert.deepEqual(await statuses({ seed: 'demo', faultSeed: 99 }), numeric);
    assert.deepEqual(await statuses({ seed: 1, faultSeed: 99 }), numeric, 'faultSeed wins over a numeric seed');
    assert.ok(numeric.includes(503) && numeric.includes(200));
  });

  it('refuses an unknown seed name', () => {
    assert.throws(() => new Sandbox({ seed: 'full' }), /seed must be demo/);
  });
});
