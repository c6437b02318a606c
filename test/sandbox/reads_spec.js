'use strict';
// Every read vitally-api.md lists (§2.1, §5), with the shapes it gives: paginated lists,
// nested lists under accounts and organizations, gets by id, and the searches that answer
// other shapes ({ results }, a bare array, one object).
const assert = require('node:assert/strict');
const { DEMO, SEEDED_CUSTOM_OBJECT_ID } = require('../../dist/sandbox');
const { rest, useSandbox } = require('./helpers');

const NOW = '2026-03-01T10:00:00.000Z';
const INSTANCES = `/customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`;

/** Asserts a 200 and returns the body. */
async function ok(res) {
  const r = await res;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Asserts a 4xx `{ error }` whose message matches. */
async function fails(res, status, pattern) {
  const r = await res;
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body), ['error']);
  assert.equal(typeof r.body.error, 'string');
  if (pattern) assert.match(r.body.error, pattern);
}

const ids = (list) => list.map((o) => o.externalId ?? o.id).sort();

describe('sandbox reads: top-level lists', () => {
  const t = useSandbox({ seed: 'demo' });
  const get = (path) => rest(t.sandbox, 'GET', path);

  const LISTS = [
    '/organizations',
    '/accounts',
    '/users',
    '/notes',
    '/tasks',
    '/projects',
    '/meetings',
    '/conversations',
    '/npsResponses',
    '/customObjects',
    INSTANCES,
    '/projectTemplates',
    '/admins',
  ];

  it('answers every list with { results, next }, taking limit, from and sortBy', async () => {
    for (const path of LISTS) {
      const body = await ok(get(`${path}?limit=1&sortBy=createdAt`));
      assert.deepEqual(Object.keys(body).sort(), ['next', 'results'], path);
      assert.ok(Array.isArray(body.results) && body.results.length <= 1, path);
      assert.ok(body.next === null || typeof body.next === 'string', path);
      await fails(get(`${path}?limit=101`), 400, /limit/);
      await fails(get(`${path}?limit=0`), 400, /limit/);
      await fails(get(`${path}?sortBy=name`), 400, /sortBy/);
    }
  });

  it('pages newest first through the from cursor until next is null, 100 at most by default', async () => {
    const first = await ok(get('/users?limit=5'));
    assert.equal(first.results.length, 5);
    assert.equal(first.results[0].externalId, 'user-12', 'newest first');
    const seen = [...first.results];
    let next = first.next;
    while (next !== null) {
      const page = await ok(get(`/users?limit=5&from=${encodeURIComponent(next)}`));
      seen.push(...page.results);
      next = page.next;
    }
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen.map((u) => u.id)).size, 12);
    assert.equal((await ok(get('/users'))).results.length, 12);
    await ok(rest(t.sandbox, 'PUT', '/users/user-3', { name: 'Emma R.' }));
    assert.equal((await ok(get('/users?limit=1'))).results[0].externalId, 'user-3', 'sortBy updatedAt is the default');
    assert.equal((await ok(get('/users?limit=1&sortBy=createdAt'))).results[0].externalId, 'user-12');
  });

  it('lists admins and project templates, which are read-only', async () => {
    const admins = (await ok(get('/admins'))).results;
    assert.deepEqual(admins.map((a) => a.email).sort(), ['ana@demo-cs.example', 'ben@demo-cs.example']);
    const templates = (await ok(get('/projectTemplates'))).results;
    assert.deepEqual(templates.map((p) => p.name).sort(), ['Onboarding', 'Renewal review']);
    const renewals = (await ok(get('/projectTemplates?categoryId=renewals'))).results;
    assert.deepEqual(
      renewals.map((p) => p.id),
      [DEMO.projectTemplates[1].id],
    );
    assert.deepEqual((await ok(get('/projectTemplates?categoryId=none'))).results, []);
    await fails(rest(t.sandbox, 'POST', '/admins', { name: 'x' }), 404);
    await fails(rest(t.sandbox, 'POST', '/projectTemplates', { name: 'x' }), 404);
  });

  describe('accounts by status', () => {
    it('lists active accounts by default, churned ones with status=churned, both with activeOrChurned', async () => {
      const active = (await ok(get('/accounts'))).results;
      assert.equal(active.length, 5);
      assert.ok(!active.some((a) => a.externalId === DEMO.churnedAccount));
      assert.deepEqual(ids((await ok(get('/accounts?status=active'))).results), ids(active));
      assert.deepEqual(ids((await ok(get('/accounts?status=churned'))).results), [DEMO.churnedAccount]);
      assert.equal((await ok(get('/accounts?status=activeOrChurned'))).results.length, 6);
      await fails(get('/accounts?status=lost'), 400, /status/);
    });

    it('counts an account as churned while it has a churnedAt, as a trait or a field', async () => {
      await ok(rest(t.sandbox, 'PUT', '/accounts/acct-1', { traits: { churnedAt: NOW } }));
      await ok(rest(t.sandbox, 'POST', '/accounts', { externalId: 'acct-x', name: 'X', churnedAt: NOW }));
      assert.deepEqual(ids((await ok(get('/accounts?status=churned'))).results), ['acct-1', 'acct-6', 'acct-x']);
      await ok(rest(t.sandbox, 'PUT', '/accounts/acct-1', { traits: { churnedAt: null } }));
      assert.deepEqual(ids((await ok(get('/accounts?status=churned'))).results), ['acct-6', 'acct-x']);
      assert.equal((await ok(get('/accounts/acct-6'))).externalId, 'acct-6', 'a get by id ignores status');
    });
  });
});

describe('sandbox reads: nested lists under accounts and organizations', () => {
  const t = useSandbox();
  const call = (method, path, body) => ok(rest(t.sandbox, method, path, body));
  const get = (path) => call('GET', path);
  const w = {};

  // Two organizations: O1 holds accounts A1 and A2, O2 holds A3.
  beforeEach(async () => {
    w.o1 = await call('POST', '/organizations', { externalId: 'o1', name: 'O1' });
    w.o2 = await call('POST', '/organizations', { externalId: 'o2', name: 'O2' });
    w.a1 = await call('POST', '/accounts', { externalId: 'a1', name: 'A1', organizationId: w.o1.id });
    w.a2 = await call('POST', '/accounts', { externalId: 'a2', name: 'A2', organizationId: w.o1.id });
    w.a3 = await call('POST', '/accounts', { externalId: 'a3', name: 'A3', organizationId: w.o2.id });
    const user = (externalId, links) => call('POST', '/users', { externalId, email: `${externalId}@x.test`, ...links });
    w.u1 = await user('u1', { accountIds: [w.a1.id] });
    w.u2 = await user('u2', { accountIds: [w.a2.id] });
    w.u3 = await user('u3', { organizationIds: [w.o1.id] });
    w.u4 = await user('u4', { accountIds: [w.a3.id] });
    const note = (externalId, link) => call('POST', '/notes', { externalId, note: 'n', noteDate: NOW, ...link });
    await note('n-a1', { accountId: w.a1.id });
    await note('n-a2', { accountId: w.a2.id });
    await note('n-o1', { organizationId: w.o1.id });
    await note('n-a3', { accountId: w.a3.id });
    await call('POST', '/tasks', { externalId: 't-a1', name: 't', accountId: w.a1.id });
    await call('POST', '/tasks', { externalId: 't-o2', name: 't', organizationId: w.o2.id });
    await call('POST', '/projects', { externalId: 'p-a1', templateId: 'tpl', accountId: w.a1.id });
    await call('POST', '/projects', { externalId: 'p-a3', templateId: 'tpl', accountId: w.a3.id });
    const meeting = (externalId, participant) =>
      call('POST', '/meetings', { externalId, title: 'm', participants: [{ type: 'attendee', ...participant }] });
    await meeting('m-u1', { userId: 'u1' });
    await meeting('m-u2', { email: 'U2@x.test' });
    await meeting('m-none', { email: 'stranger@y.test' });
    const conversation = (externalId, userId) =>
      call('POST', '/conversations', {
        externalId,
        subject: 's',
        messages: [
          {
            externalId: `${externalId}-m`,
            message: 'hi',
            from: { type: 'user', id: userId },
            to: [{ type: 'admin', id: 'adm' }],
          },
        ],
      });
    await conversation('c-u1', w.u1.id);
    await conversation('c-u4', w.u4.id);
    await call('POST', '/npsResponses', { externalId: 'nps-u2', userId: w.u2.id, score: 7, respondedAt: NOW });
    await call('POST', '/npsResponses', { externalId: 'nps-u4', userId: w.u4.id, score: 3, respondedAt: NOW });
  });

  const listed = async (path) => {
    const body = await get(path);
    assert.deepEqual(Object.keys(body).sort(), ['next', 'results'], path);
    return ids(body.results);
  };

  it("lists an organization's accounts by its Vitally id or externalId", async () => {
    assert.deepEqual(await listed(`/organizations/${w.o1.id}/accounts`), ['a1', 'a2']);
    assert.deepEqual(await listed('/organizations/o2/accounts'), ['a3']);
    await call('PUT', '/accounts/a2', { traits: { churnedAt: NOW } });
    assert.deepEqual(await listed('/organizations/o1/accounts'), ['a1'], 'status=active by default here too');
    assert.deepEqual(await listed('/organizations/o1/accounts?status=activeOrChurned'), ['a1', 'a2']);
  });

  it('lists what belongs to an account, by Vitally id or externalId', async () => {
    const expected = {
      users: ['u1'],
      notes: ['n-a1'],
      tasks: ['t-a1'],
      projects: ['p-a1'],
      meetings: ['m-u1'],
      conversations: ['c-u1'],
      npsResponses: [],
    };
    for (const [child, want] of Object.entries(expected)) {
      assert.deepEqual(await listed(`/accounts/a1/${child}`), want, child);
      assert.deepEqual(await listed(`/accounts/${w.a1.id}/${child}`), want, child);
    }
    assert.deepEqual(await listed('/accounts/a2/meetings'), ['m-u2'], 'a participant by email');
    assert.deepEqual(await listed('/accounts/a2/npsResponses'), ['nps-u2'], "through the response's user");
    assert.deepEqual(await listed('/accounts/a3/conversations'), ['c-u4']);
  });

  it('lists what belongs to an organization: linked to it, or to one of its accounts', async () => {
    const expected = {
      users: ['u1', 'u2', 'u3'],
      notes: ['n-a1', 'n-a2', 'n-o1'],
      tasks: ['t-a1'],
      projects: ['p-a1'],
      meetings: ['m-u1', 'm-u2'],
      conversations: ['c-u1'],
      npsResponses: ['nps-u2'],
    };
    for (const [child, want] of Object.entries(expected)) {
      assert.deepEqual(await listed(`/organizations/o1/${child}`), want, child);
      assert.deepEqual(await listed(`/organizations/${w.o1.id}/${child}`), want, child);
    }
    assert.deepEqual(await listed('/organizations/o2/tasks'), ['t-o2']);
    assert.deepEqual(await listed('/organizations/o2/npsResponses'), ['nps-u4']);
  });

  it('pages nested lists like any list, and leaves archived objects out unless archived=true', async () => {
    const page = await get('/organizations/o1/users?limit=2');
    assert.equal(page.results.length, 2);
    const rest2 = await get(`/organizations/o1/users?limit=2&from=${encodeURIComponent(page.next)}`);
    assert.deepEqual(ids([...page.results, ...rest2.results]), ['u1', 'u2', 'u3']);
    assert.equal(rest2.next, null);
    await fails(rest(t.sandbox, 'GET', '/accounts/a1/users?limit=500'), 400, /limit/);
    const note = t.sandbox.get('notes', 'n-a1');
    await call('DELETE', `/notes/${note.id}`);
    assert.deepEqual(await listed('/accounts/a1/notes'), []);
    assert.deepEqual(await listed('/accounts/a1/notes?archived=true'), ['n-a1']);
  });

  it('answers 404 { error } for an unknown parent', async () => {
    for (const parent of ['accounts', 'organizations']) {
      for (const child of ['users', 'notes', 'tasks', 'projects', 'meetings', 'conversations', 'npsResponses']) {
        await fails(rest(t.sandbox, 'GET', `/${parent}/nope/${child}`), 404, /nope/);
      }
    }
    await fails(rest(t.sandbox, 'GET', '/organizations/nope/accounts'), 404, /organization/);
    await fails(rest(t.sandbox, 'GET', '/organizations/a1/accounts'), 404, /organization/);
  });
});

describe('sandbox reads: get by id', () => {
  const t = useSandbox({ seed: 'demo' });
  const get = (path) => rest(t.sandbox, 'GET', path);
  const call = (method, path, body) => ok(rest(t.sandbox, method, path, body));

  it('gets organizations, accounts, users, NPS responses and meetings by Vitally id or externalId', async () => {
    const meeting = await call('POST', '/meetings', {
      externalId: 'mt-1',
      title: 'QBR',
      participants: [{ type: 'attendee', email: 'olivia@northwind.example' }],
    });
    const cases = [
      ['organizations', DEMO.organizations[1]],
      ['accounts', DEMO.accounts[2]],
      ['users', DEMO.users[4]],
      ['npsResponses', DEMO.npsResponses[0]],
      ['meetings', meeting],
    ];
    for (const [resource, { id, externalId }] of cases) {
      const byId = await ok(get(`/${resource}/${id}`));
      assert.equal(byId.id, id, resource);
      assert.equal(byId.externalId, externalId, resource);
      assert.deepEqual(await ok(get(`/${resource}/${externalId}`)), byId, resource);
      await fails(get(`/${resource}/unknown-id`), 404, /unknown-id/);
    }
  });

  it('gets notes, tasks, projects, conversations and custom objects by Vitally id only', async () => {
    const account = DEMO.accounts[0].id;
    const project = await call('POST', '/projects', { externalId: 'p-1', templateId: 'tpl', accountId: account });
    const conversation = await call('POST', '/conversations', { externalId: 'c-1', subject: 's', messages: [] });
    const cases = [
      ['notes', DEMO.notes[0]],
      ['tasks', DEMO.tasks[0]],
      ['projects', project],
      ['conversations', conversation],
    ];
    for (const [resource, { id, externalId }] of cases) {
      assert.equal((await ok(get(`/${resource}/${id}`))).id, id, resource);
      await fails(get(`/${resource}/${externalId}`), 404);
      await fails(get(`/${resource}/unknown-id`), 404, /unknown-id/);
    }
    assert.equal((await ok(get(`/notes/${DEMO.notes[0].externalId}?source=crm`))).id, DEMO.notes[0].id);
    const definition = await ok(get(`/customObjects/${SEEDED_CUSTOM_OBJECT_ID}`));
    assert.equal(definition.label, 'Subscriptions');
    await fails(get('/customObjects/subscriptions'), 404);
  });
});

describe('sandbox reads: searches', () => {
  const t = useSandbox({ seed: 'demo' });
  const get = (path) => rest(t.sandbox, 'GET', path);
  const field = (label) => DEMO.customObject.fields.find((f) => f.label === label);

  it('/users/search takes exactly one of externalId, email, emailSubdomain and answers { results } only', async () => {
    const byId = await ok(get('/users/search?externalId=user-2'));
    assert.deepEqual(Object.keys(byId), ['results']);
    assert.deepEqual(ids(byId.results), ['user-2']);
    assert.deepEqual(ids((await ok(get('/users/search?email=AVA%40globex.example'))).results), ['user-5']);
    assert.deepEqual(ids((await ok(get('/users/search?emailSubdomain=initech.example'))).results), [
      'user-10',
      'user-11',
      'user-12',
      'user-9',
    ]);
    assert.deepEqual(await ok(get('/users/search?email=nobody%40x.test')), { results: [] });
    await fails(get('/users/search'), 400, /exactly one of externalId, email, emailSubdomain/);
    await fails(get('/users/search?externalId=user-1&email=olivia%40northwind.example'), 400, /exactly one/);
  });

  it('instances/search takes exactly one of id, externalId, customerId, organizationId and answers a bare array', async () => {
    const [sub1, sub2] = DEMO.customObject.instances;
    const acct3 = DEMO.accounts.find((a) => a.externalId === sub2.account).id;
    const org = await ok(
      rest(t.sandbox, 'POST', INSTANCES, { name: 'Org-wide', organizationId: DEMO.organizations[0].id }),
    );
    const cases = [
      [`id=${sub1.id}`, ['sub-1']],
      ['externalId=sub-2', ['sub-2']],
      [`customerId=${acct3}`, ['sub-2']],
      [`organizationId=${DEMO.organizations[0].id}`, [org.id]],
      ['externalId=none', []],
    ];
    for (const [query, want] of cases) {
      const body = await ok(get(`${INSTANCES}/search?${query}`));
      assert.ok(Array.isArray(body), query);
      assert.deepEqual(ids(body), want, query);
    }
    await fails(get(`${INSTANCES}/search`), 400, /exactly one of id, externalId, customerId, organizationId/);
    await fails(get(`${INSTANCES}/search?id=${sub1.id}&externalId=sub-1`), 400, /exactly one/);
    await fails(get('/customObjects/nope/instances/search?externalId=sub-1'), 404, /custom object/);
  });

  it('instances/search takes the pair customFieldId + customFieldValue, matching traits[path]', async () => {
    const plan = field('Plan');
    const search = (query) => get(`${INSTANCES}/search?${query}`);
    assert.deepEqual(ids(await ok(search(`customFieldId=${plan.id}&customFieldValue=enterprise`))), ['sub-2']);
    assert.deepEqual(ids(await ok(search(`customFieldId=${field('Seats').id}&customFieldValue=25`))), ['sub-1']);
    assert.deepEqual(await ok(search(`customFieldId=${plan.id}&customFieldValue=free`)), []);
    await fails(search(`customFieldId=${plan.id}`), 400, /customFieldId and customFieldValue/);
    await fails(search('customFieldValue=growth'), 400, /customFieldId and customFieldValue/);
    await fails(search(`customFieldId=${plan.id}&customFieldValue=growth&externalId=sub-1`), 400, /exactly one/);
    await fails(search('customFieldId=nope&customFieldValue=growth'), 400, /customFieldId nope/);
  });

  it('/customFields answers a bare array of { id, label, type, path, createdAt } sorted by label, per model', async () => {
    const accounts = await ok(get('/customFields?model=accounts'));
    assert.ok(Array.isArray(accounts));
    assert.deepEqual(
      accounts.map((f) => [f.label, f.path]),
      [
        ['Plan', 'vitally.custom.plan'],
        ['Seats', 'vitally.custom.seats'],
      ],
    );
    for (const f of accounts) {
      assert.deepEqual(Object.keys(f).sort(), ['createdAt', 'id', 'label', 'path', 'type']);
      assert.ok(!Number.isNaN(Date.parse(f.createdAt)));
    }
    assert.deepEqual(
      (await ok(get('/customFields?model=users'))).map((f) => f.label),
      ['Champion', 'Role'],
    );
    assert.deepEqual(
      (await ok(get('/customFields?model=organizations'))).map((f) => f.label),
      ['Region'],
    );
    for (const model of ['tasks', 'notes', 'projects', 'conversations', 'team'])
      assert.deepEqual(await ok(get(`/customFields?model=${model}`)), [], model);
    const objectFields = await ok(get(`/customFields?model=customObjects&customObjectId=${SEEDED_CUSTOM_OBJECT_ID}`));
    assert.deepEqual(
      objectFields.map((f) => [f.id, f.label, f.type, f.path]),
      DEMO.customObject.fields.map((f) => [f.id, f.label, f.type, f.path]),
    );
    const all = await ok(get('/customFields'));
    assert.equal(all.length, 5 + 3, 'without model: every model, custom objects included');
    const labels = all.map((f) => f.label);
    assert.deepEqual(labels, [...labels].sort());
  });

  it('/customFields refuses an unknown model, and model=customObjects without a customObjectId', async () => {
    await fails(get('/customFields?model=widgets'), 400, /model/);
    await fails(get('/customFields?model=customObjects'), 400, /customObjectId is required/);
    await fails(get('/customFields?model=customObjects&customObjectId=nope'), 404, /custom object/);
  });

  it("lists a new custom object's fields with the id, path and createdAt the sandbox gives them", async () => {
    const def = await ok(
      rest(t.sandbox, 'POST', '/customObjects', {
        name: 'invoices',
        label: 'Invoices',
        writeMode: 'writable',
        customFields: [
          { label: 'Total amount', type: 'number' },
          { label: 'Due', type: 'date', name: 'dueOn' },
        ],
      }),
    );
    const fields = await ok(get(`/customFields?model=customObjects&customObjectId=${def.id}`));
    assert.deepEqual(
      fields.map((f) => [f.label, f.path]),
      [
        ['Due', 'dueOn'],
        ['Total amount', 'totalAmount'],
      ],
    );
    assert.ok(fields.every((f) => typeof f.id === 'string' && f.createdAt));
  });

  it('/admins/search?email= answers one { id, name, email, licenseStatus }, 404 when unknown', async () => {
    const [ana] = DEMO.admins;
    const found = await ok(get('/admins/search?email=ANA%40demo-cs.example'));
    assert.deepEqual(found, { id: ana.id, name: 'Ana Costa', email: 'ana@demo-cs.example', licenseStatus: 'active' });
    await fails(get('/admins/search?email=nobody%40demo-cs.example'), 404, /nobody@demo-cs\.example/);
    await fails(get('/admins/search'), 400, /email/);
  });
});

describe('sandbox writes by externalId', () => {
  const t = useSandbox({ seed: 'demo' });
  const put = (path, body) => rest(t.sandbox, 'PUT', path, body);

  it('updates the account, user or organization found by the externalId in a PUT path', async () => {
    for (const [resource, demo] of [
      ['accounts', DEMO.accounts[0]],
      ['users', DEMO.users[0]],
      ['organizations', DEMO.organizations[0]],
    ]) {
      const updated = await ok(put(`/${resource}/${demo.externalId}`, { name: 'Renamed', traits: { tier: 'gold' } }));
      assert.equal(updated.id, demo.id, resource);
      assert.equal(updated.name, 'Renamed', `${resource}: the name may change`);
      assert.equal(updated.traits.tier, 'gold');
      assert.equal(t.sandbox.get(resource, demo.id).name, 'Renamed');
      await fails(put(`/${resource}/no-such-id`, { name: 'x' }), 404, /no-such-id/);
    }
    assert.equal(t.sandbox.list('accounts').length, 6, 'no object was created');
  });

  it('answers a POST with an externalId in use: an upsert where documented, a 400 "already exists" elsewhere', async () => {
    const account = DEMO.accounts[0].id;
    const post = (path, body) => rest(t.sandbox, 'POST', path, body);
    const duplicates = [
      ['/accounts', { externalId: 'acct-2', name: 'Again' }],
      ['/users', { externalId: 'user-2', accountIds: [account] }],
      [INSTANCES, { externalId: 'sub-1', name: 'Again', customerId: account }],
      ['/meetings', { externalId: 'mt-1', title: 't', participants: [{ type: 'attendee', email: 'a@b.c' }] }],
      ['/conversations', { externalId: 'c-1', subject: 's', messages: [] }],
    ];
    for (const [path, body] of duplicates) {
      if (path === '/meetings' || path === '/conversations') await ok(post(path, body));
      await fails(post(path, body), 400, new RegExp(`^externalId ${body.externalId} already exists`));
    }
    const upserts = [
      ['/organizations', { externalId: 'org-1', name: 'Upserted' }, 'organizations', DEMO.organizations[0].id],
      ['/notes', { externalId: 'note-1', note: 'x', noteDate: NOW, accountId: account }, 'notes', DEMO.notes[0].id],
      ['/tasks', { externalId: 'task-1', name: 'Upserted', accountId: account }, 'tasks', DEMO.tasks[0].id],
      [
        '/npsResponses',
        { externalId: 'nps-1', userId: DEMO.users[0].id, score: 2, respondedAt: NOW },
        'npsResponses',
        DEMO.npsResponses[0].id,
      ],
    ];
    for (const [path, body, resource, id] of upserts) {
      const before = t.sandbox.list(resource).length;
      assert.equal((await ok(post(path, body))).id, id, path);
      assert.equal(t.sandbox.list(resource).length, before, path);
    }
  });

  it('refuses a PUT that would give an object an externalId another one holds', async () => {
    await fails(put('/accounts/acct-1', { externalId: 'acct-2' }), 400, /externalId acct-2/);
    assert.equal(t.sandbox.get('accounts', 'acct-1').name, 'Northwind Retail');
  });
});
