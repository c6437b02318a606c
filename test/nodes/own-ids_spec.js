'use strict';
// Sync by your own ids against the sandbox: upsert templates (created, updated, concurrent
// duplicates), creates that upsert on externalId, and relationship fields given as external
// ids (relationshipIds: external), resolved by lookups that the cache then spares.
const assert = require('node:assert');
const http = require('node:http');
const {
  helper,
  load,
  destination,
  outputs,
  run,
  rest,
  flowFor,
  nodeModules,
  CREDENTIALS,
  sandboxPerTest,
} = require('./helpers');

describe('your own ids: upserts and relationship resolution', function () {
  const fresh = sandboxPerTest();
  let sandbox;
  beforeEach(() => ({ sandbox } = fresh));

  const calls = () => sandbox.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`);
  const count = (resource, externalId) => sandbox.list(resource).filter((o) => o.externalId === externalId).length;

  describe('upsert templates', function () {
    for (const [endpoint, resource, record] of [
      ['upsertOrganization', 'organizations', { externalId: 'o-1', name: 'Org' }],
      ['upsertAccount', 'accounts', { externalId: 'a-1', name: 'Acct' }],
    ]) {
      it(`${endpoint}: creates in two calls, then updates in one`, async function () {
        await load(sandbox, [destination({ endpoint }), ...outputs]);
        const first = await run(record);
        assert.deepStrictEqual(
          { action: first.result.vitally.results[0].action, failed: first.result.vitally.failed },
          { action: 'created', failed: 0 },
        );
        assert.deepStrictEqual(calls(), [
          `PUT /resources/${resource}/${record.externalId}`,
          `POST /resources/${resource}`,
        ]);
        const created = first.result.vitally.results[0].id;
        assert.ok(created);
        const second = await run({ ...record, name: 'Renamed' });
        assert.strictEqual(second.result.vitally.results[0].action, 'updated');
        assert.strictEqual(second.result.vitally.results[0].id, created);
        assert.strictEqual(calls().length, 3, 'one call: the cache knows the Vitally id now');
        assert.strictEqual(calls()[2], `PUT /resources/${resource}/${created}`);
        assert.strictEqual(count(resource, record.externalId), 1);
        assert.strictEqual(sandbox.get(resource, created).name, 'Renamed');
      });
    }

    it('upsertAccount updates an account that existed before the node knew it, in one call', async function () {
      await rest(sandbox, 'POST', '/accounts', { externalId: 'pre', name: 'Before' });
      await load(sandbox, [destination({ endpoint: 'upsertAccount' }), ...outputs]);
      const before = sandbox.requests.length;
      const { result } = await run({ externalId: 'pre', name: 'After' });
      assert.strictEqual(result.vitally.results[0].action, 'updated');
      assert.strictEqual(sandbox.requests.length - before, 1);
    });

    it('two records with one externalId, in one message or from two nodes at once, create one object', async function () {
      const flow = flowFor(sandbox, [
        destination({ endpoint: 'upsertAccount' }),
        { id: 'n2', type: 'vitally-destination', vitally: 'cfg', endpoint: 'upsertAccount', wires: [['out3'], []] },
        { id: 'out3', type: 'helper' },
        ...outputs,
      ]);
      await helper.load(nodeModules, flow, CREDENTIALS);
      const one = new Promise((r) => helper.getNode('out1').on('input', r));
      const two = new Promise((r) => helper.getNode('out3').on('input', r));
      helper.getNode('n1').receive({
        payload: [
          { externalId: 'dup', name: 'A' },
          { externalId: 'dup', name: 'B' },
        ],
      });
      helper.getNode('n2').receive({ payload: { externalId: 'dup', name: 'C' } });
      const [m1, m2] = await Promise.all([one, two]);
      assert.strictEqual(count('accounts', 'dup'), 1);
      const actions = [...m1.vitally.results, ...m2.vitally.results].map((r) => r.action).sort();
      assert.deepStrictEqual(actions, ['created', 'updated', 'updated']);
    });

    it('a create retried after a dropped connection finds what its first attempt made: one object', async function () {
      let dropped = false;
      const proxy = http.createServer(async (req, res) => {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const upstream = await fetch(sandbox.url + req.url, {
          method: req.method,
          headers: { authorization: req.headers.authorization, 'content-type': 'application/json' },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        if (req.method === 'POST' && !dropped) {
          // Applied upstream, but the answer never arrives.
          dropped = true;
          req.socket.destroy();
          return;
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      });
      await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
      try {
        await load({ url: `http://127.0.0.1:${proxy.address().port}` }, [
          destination({ endpoint: 'upsertAccount', retryMaxDelay: 0.05 }),
          ...outputs,
        ]);
        const { result } = await run({ externalId: 'flaky', name: 'Flaky' });
        assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
        assert.strictEqual(result.vitally.results[0].action, 'created');
        assert.strictEqual(count('accounts', 'flaky'), 1);
        assert.deepStrictEqual(calls(), [
          'PUT /resources/accounts/flaky',
          'POST /resources/accounts',
          'POST /resources/accounts',
          'PUT /resources/accounts/flaky',
        ]);
      } finally {
        await new Promise((r) => proxy.close(r));
      }
    });

    it('upsertUser resolves its accounts by external id, and upsertCustomObjectInstance finds by search', async function () {
      const account = await rest(sandbox, 'POST', '/accounts', { externalId: 'acme', name: 'Acme' });
      const co = sandbox.list('customObjects')[0];
      await load(sandbox, [destination({ endpoint: 'upsertUser', relationshipIds: 'external' }), ...outputs]);
      const { result } = await run({ externalId: 'u-1', email: 'u@acme.example', accountIds: ['acme'] });
      assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
      assert.deepStrictEqual(sandbox.get('users', result.vitally.results[0].id).accountIds, [account.id]);
      await helper.unload();
      await load(sandbox, [
        destination({ endpoint: 'upsertCustomObjectInstance', customObjectId: co.id, relationshipIds: 'external' }),
        ...outputs,
      ]);
      const first = await run({ externalId: 'sub-1', name: 'Gold', customerId: 'acme' });
      assert.strictEqual(
        first.result.vitally.results[0].action,
        'created',
        JSON.stringify(first.result.vitally.results),
      );
      const second = await run({ externalId: 'sub-1', name: 'Platinum', customerId: 'acme' });
      assert.strictEqual(second.result.vitally.results[0].action, 'updated');
      const instances = sandbox.list(`customObjects/${co.id}/instances`).filter((i) => i.externalId === 'sub-1');
      assert.deepStrictEqual(
        instances.map((i) => [i.name, i.customerId]),
        [['Platinum', account.id]],
      );
    });

    for (const [endpoint, resource, make] of [
      ['createOrganization', 'organizations', () => ({ externalId: 'up-org', name: 'Org' })],
      [
        'createNote',
        'notes',
        (f) => ({ externalId: 'up-note', note: 'n', noteDate: '2026-01-01', accountId: f.account.id }),
      ],
      ['createTask', 'tasks', (f) => ({ externalId: 'up-task', name: 't', accountId: f.account.id })],
      [
        'createNpsResponse',
        'npsResponses',
        (f) => ({ externalId: 'up-nps', userId: f.user.id, score: 7, respondedAt: '2026-01-01' }),
      ],
    ]) {
      it(`${endpoint} already upserts on externalId: the second POST updates, and says so`, async function () {
        const account = await rest(sandbox, 'POST', '/accounts', { externalId: 'parent', name: 'Parent' });
        const user = await rest(sandbox, 'POST', '/users', { externalId: 'voter', accountIds: [account.id] });
        await load(sandbox, [destination({ endpoint }), ...outputs]);
        const record = make({ account, user });
        const first = await run(record);
        await new Promise((r) => setTimeout(r, 5));
        const second = await run(record);
        assert.deepStrictEqual(
          [first.result.vitally.results[0].action, second.result.vitally.results[0].action],
          ['created', 'updated'],
        );
        assert.strictEqual(count(resource, record.externalId), 1);
      });
    }
  });

  describe('relationshipIds: external', function () {
    let f;
    beforeEach(async function () {
      f = {};
      f.org = await rest(sandbox, 'POST', '/organizations', { externalId: 'crm-org', name: 'Org' });
      f.account = await rest(sandbox, 'POST', '/accounts', { externalId: 'crm-acct', name: 'Acct' });
      f.user = await rest(sandbox, 'POST', '/users', { externalId: 'crm-user', accountIds: [f.account.id] });
    });

    const cases = [
      [
        'createAccount',
        { externalId: 'n-a', name: 'N', organizationId: 'crm-org' },
        'accounts',
        (o) => o.organizationId === f.org.id,
      ],
      [
        'createUser',
        { externalId: 'n-u1', organizationIds: ['crm-org'] },
        'users',
        (o) => o.organizationIds[0] === f.org.id,
      ],
      [
        'createUser',
        { externalId: 'n-u2', accountIds: ['crm-acct'] },
        'users',
        (o) => o.accountIds[0] === f.account.id,
      ],
      [
        'createNote',
        { note: 'x', noteDate: '2026-01-01', accountId: 'crm-acct' },
        'notes',
        (o) => o.accountId === f.account.id,
      ],
      [
        'createNpsResponse',
        { userId: 'crm-user', score: 9, respondedAt: '2026-01-01' },
        'npsResponses',
        (o) => o.userId === f.user.id,
      ],
    ];
    for (const [endpoint, record, resource, check] of cases) {
      it(`${endpoint} resolves ${Object.keys(record).find((k) => /Id|Ids$/.test(k) && k !== 'externalId')}`, async function () {
        await load(sandbox, [destination({ endpoint, relationshipIds: 'external' }), ...outputs]);
        const { result, out2 } = await run(record);
        assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
        assert.ok(check(sandbox.get(resource, result.vitally.results[0].id)));
        assert.deepStrictEqual(
          out2.map((m) => m.purpose),
          ['lookup', 'write'],
        );
      });
    }

    it('createCustomObjectInstance resolves customerId', async function () {
      const co = sandbox.list('customObjects')[0];
      await load(sandbox, [
        destination({ endpoint: 'createCustomObjectInstance', customObjectId: co.id, relationshipIds: 'external' }),
        ...outputs,
      ]);
      const { result } = await run({ name: 'i', customerId: 'crm-acct' });
      assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
      assert.strictEqual(
        sandbox.list(`customObjects/${co.id}/instances`).find((i) => i.name === 'i').customerId,
        f.account.id,
      );
    });

    it("a reference to nothing is the record's error, naming field and id; no write goes for it", async function () {
      await load(sandbox, [destination({ endpoint: 'createUser', relationshipIds: 'external' }), ...outputs]);
      const { result, out2 } = await run([
        { externalId: 'ok', accountIds: ['crm-acct'] },
        { externalId: 'bad', accountIds: ['crm-acct', 'acme-9'] },
      ]);
      assert.strictEqual(result.vitally.results[1].error, 'accountIds[1]: no account with externalId "acme-9"');
      assert.strictEqual(count('users', 'bad'), 0);
      assert.strictEqual(out2.filter((m) => m.purpose === 'write').length, 1);
    });

    it('looks each id up once: concurrent references coalesce, and the cache spares later messages', async function () {
      await load(sandbox, [destination({ endpoint: 'createNote', relationshipIds: 'external' }), ...outputs]);
      const notes = Array.from({ length: 5 }, (_, i) => ({
        note: `n${i}`,
        noteDate: '2026-01-01',
        accountId: 'crm-acct',
      }));
      await run(notes);
      await run(notes.slice(0, 2));
      const lookups = sandbox.requests.filter((r) => r.method === 'GET');
      assert.strictEqual(lookups.length, 1, calls().join('\n'));
    });

    it('an object this config node just created is known without a lookup', async function () {
      const flow = flowFor(sandbox, [
        destination({ endpoint: 'createAccount' }),
        {
          id: 'n2',
          type: 'vitally-destination',
          vitally: 'cfg',
          endpoint: 'createUser',
          relationshipIds: 'external',
          wires: [['out3'], ['out4']],
        },
        { id: 'out3', type: 'helper' },
        { id: 'out4', type: 'helper' },
        ...outputs,
      ]);
      await helper.load(nodeModules, flow, CREDENTIALS);
      const a = new Promise((r) => helper.getNode('out1').on('input', r));
      helper.getNode('n1').receive({ payload: { externalId: 'fresh', name: 'Fresh' } });
      await a;
      const u = new Promise((r) => helper.getNode('out3').on('input', r));
      helper.getNode('n2').receive({ payload: { externalId: 'fresh-user', accountIds: ['fresh'] } });
      const m = await u;
      assert.strictEqual(m.vitally.failed, 0, JSON.stringify(m.vitally.results));
      assert.strictEqual(sandbox.requests.filter((r) => r.method === 'GET').length, 0);
    });

    it('a dry run sends the lookups and shows the write with the resolved ids, sending no write', async function () {
      await load(sandbox, [
        destination({ endpoint: 'createNote', relationshipIds: 'external', dryRun: true }),
        ...outputs,
      ]);
      const before = sandbox.requests.length;
      const { out2 } = await run({ note: 'x', noteDate: '2026-01-01', accountId: 'crm-acct' });
      assert.deepStrictEqual(
        out2.map((m) => [m.purpose, m.request.method, !!m.dryRun]),
        [
          ['lookup', 'GET', false],
          ['write', 'POST', true],
        ],
      );
      assert.strictEqual(out2[1].request.body.accountId, f.account.id);
      assert.deepStrictEqual(
        sandbox.requests.slice(before).map((r) => r.method),
        ['GET'],
      );
    });

    it('the preview shows the lookup and the write with the resolved id', async function () {
      await load(sandbox, []);
      const res = await helper
        .request()
        .post('/vitally/preview')
        .send({
          node: { vitally: 'cfg', endpoint: 'createNote', relationshipIds: 'external' },
          record: { note: 'x', noteDate: '2026-01-01', accountId: 'crm-acct' },
        })
        .expect(200);
      assert.deepStrictEqual(
        res.body.map((c) => [c.purpose, c.method]),
        [
          ['lookup', 'GET'],
          ['write', 'POST'],
        ],
      );
      assert.strictEqual(res.body[1].body.accountId, f.account.id);
    });
  });
});
