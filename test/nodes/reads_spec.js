'use strict';
// Every read template, sent by a real Node-RED runtime to the sandbox: what output 1 carries,
// paging up to maxRecords, one message per page with split (rebuilt by the core join node).
const assert = require('node:assert');
const {
  helper,
  load,
  destination,
  outputs,
  run,
  rest,
  newSandbox,
  stop,
  flowFor,
  nodeModules,
  CREDENTIALS,
} = require('./helpers');

const splitJoin = require('@node-red/nodes/core/sequence/17-split.js');

describe('vitally-destination read templates against the sandbox', function () {
  let sandbox;
  const fx = {};

  before(async function () {
    sandbox = await newSandbox();
    fx.org = await rest(sandbox, 'POST', '/organizations', { externalId: 'org-r', name: 'Readers Inc' });
    fx.account = await rest(sandbox, 'POST', '/accounts', {
      externalId: 'acct-r',
      name: 'Read Co',
      organizationId: fx.org.id,
    });
    fx.other = await rest(sandbox, 'POST', '/accounts', { externalId: 'acct-o', name: 'Other Co' });
    fx.users = [];
    for (const [i, email] of ['ana@read.example', 'bo@read.example', 'cy@else.example'].entries()) {
      fx.users.push(
        await rest(sandbox, 'POST', '/users', { externalId: `user-r${i}`, email, accountIds: [fx.account.id] }),
      );
    }
    fx.note = await rest(sandbox, 'POST', '/notes', { note: 'n', noteDate: '2026-01-01', accountId: fx.account.id });
    fx.task = await rest(sandbox, 'POST', '/tasks', { name: 't', accountId: fx.account.id });
    fx.meeting = await rest(sandbox, 'POST', '/meetings', {
      title: 'Kickoff',
      participants: [{ email: 'ana@read.example', type: 'organizer' }],
    });
    fx.conversation = await rest(sandbox, 'POST', '/conversations', { subject: 'Hi', messages: [] });
    fx.nps = await rest(sandbox, 'POST', '/npsResponses', {
      userId: fx.users[0].id,
      score: 8,
      respondedAt: '2026-01-02',
    });
    fx.customObject = sandbox.list('customObjects')[0];
    fx.instance = await rest(sandbox, 'POST', `/customObjects/${fx.customObject.id}/instances`, {
      name: 'Gold',
      externalId: 'inst-r',
      customerId: fx.account.id,
    });
  });
  after(() => sandbox.close());
  beforeEach(() => helper.startServer());
  afterEach(stop);

  /** Reads with one record; resolves output 1's message and output 2's. */
  async function read(props, payload) {
    await load(sandbox, [destination(props), ...outputs]);
    return run(payload);
  }

  const ids = (list) => list.map((o) => o.id).sort();

  it('gets an organization, an account and a user by externalId or Vitally id', async function () {
    let { result, out2 } = await read(
      { endpoint: 'getAccount', accountId: '{{payload.externalId}}' },
      { externalId: 'acct-r' },
    );
    assert.strictEqual(result.payload.id, fx.account.id);
    assert.deepStrictEqual(
      { count: result.vitally.results[0].count, statusCode: result.vitally.results[0].statusCode },
      { count: 1, statusCode: 200 },
    );
    assert.strictEqual(out2[0].purpose, 'read');
    await helper.unload();
    ({ result } = await read({ endpoint: 'getOrganization', organizationId: fx.org.id }, {}));
    assert.strictEqual(result.payload.externalId, 'org-r');
    await helper.unload();
    ({ result } = await read({ endpoint: 'getUser', userId: '{{payload.id}}' }, { id: fx.users[1].id }));
    assert.strictEqual(result.payload.email, 'bo@read.example');
  });

  it('a get that finds nothing is not a failure: payload null, statusCode 404, count 0', async function () {
    const { result } = await read({ endpoint: 'getAccount', accountId: 'no-such-account' }, {});
    assert.strictEqual(result.payload, null);
    assert.strictEqual(result.vitally.failed, 0);
    assert.deepStrictEqual(result.vitally.results[0], { index: 0, statusCode: 404, count: 0 });
  });

  it('answers an array of records with one entry per record, in order', async function () {
    const { result } = await read({ endpoint: 'getAccount', accountId: '{{payload.ext}}' }, [
      { ext: 'acct-o' },
      { ext: 'nope' },
      { ext: 'acct-r' },
    ]);
    assert.deepStrictEqual(
      result.payload.map((a) => a && a.name),
      ['Other Co', null, 'Read Co'],
    );
  });

  it('finds users by email, by externalId and by email domain; [] when none match', async function () {
    let { result } = await read({ endpoint: 'findUsers' }, { email: 'bo@read.example' });
    assert.deepStrictEqual(ids(result.payload), [fx.users[1].id]);
    await helper.unload();
    ({ result } = await read({ endpoint: 'findUsers' }, { emailSubdomain: 'read.example' }));
    assert.deepStrictEqual(ids(result.payload), ids(fx.users.slice(0, 2)));
    await helper.unload();
    ({ result } = await read({ endpoint: 'findUsers' }, { externalId: 'nobody' }));
    assert.deepStrictEqual(result.payload, []);
    assert.strictEqual(result.vitally.results[0].count, 0);
    await helper.unload();
    ({ result } = await read({ endpoint: 'findUsers' }, { email: 'a@b.c', externalId: 'x' }));
    assert.match(result.vitally.results[0].error, /exactly one of externalId, email, emailSubdomain/);
  });

  it('finds custom object instances by externalId, and lists the custom objects whose id that needs', async function () {
    let { result } = await read({ endpoint: 'listCustomObjects' }, 1733140000000);
    assert.ok(result.payload.some((co) => co.id === fx.customObject.id));
    await helper.unload();
    ({ result } = await read(
      { endpoint: 'findCustomObjectInstances', customObjectId: fx.customObject.id },
      { externalId: 'inst-r' },
    ));
    assert.deepStrictEqual(ids(result.payload), [fx.instance.id]);
    await helper.unload();
    ({ result } = await read({ endpoint: 'listCustomObjectInstances', customObjectId: fx.customObject.id }, {}));
    assert.ok(result.payload.some((i) => i.id === fx.instance.id));
  });

  const lists = [
    ['listOrganizations', {}, () => [fx.org.id]],
    ['listAccounts', { organizationId: 'org-r' }, () => [fx.account.id]],
    ['listUsers', { accountId: 'acct-r' }, () => fx.users.map((u) => u.id)],
    ['listNotes', { accountId: 'acct-r' }, () => [fx.note.id]],
    ['listTasks', { accountId: 'acct-r' }, () => [fx.task.id]],
    ['listNpsResponses', { accountId: 'acct-r' }, () => [fx.nps.id]],
    ['listMeetings', {}, () => [fx.meeting.id]],
    ['listConversations', {}, () => [fx.conversation.id]],
    ['listProjects', {}, () => []],
  ];
  for (const [endpoint, props, expected] of lists) {
    it(`${endpoint} lists ${Object.keys(props).length ? 'under its parent' : 'the whole workspace'}`, async function () {
      const { result, out2 } = await read({ endpoint, ...props }, {});
      assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
      assert.deepStrictEqual(
        ids(result.payload).filter((id) => expected().includes(id)),
        expected().sort(),
      );
      if (Object.keys(props).length)
        assert.deepStrictEqual(ids(result.payload), expected().sort(), "only the parent's");
      assert.ok(out2.every((m) => m.purpose === 'read' && m.request.method === 'GET'));
    });
  }

  it('lists custom traits and project templates, and finds an admin by email', async function () {
    let { result } = await read({ endpoint: 'listCustomFields' }, { model: 'accounts' });
    assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
    assert.ok(Array.isArray(result.payload));
    await helper.unload();
    ({ result } = await read({ endpoint: 'listProjectTemplates' }, {}));
    assert.strictEqual(result.vitally.failed, 0, JSON.stringify(result.vitally.results));
    assert.ok(Array.isArray(result.payload));
    await helper.unload();
    ({ result } = await read({ endpoint: 'findAdmin' }, { email: 'nobody@nowhere.example' }));
    assert.strictEqual(result.payload, null);
    assert.strictEqual(result.vitally.failed, 0);
  });

  describe('paging', function () {
    before(async function () {
      for (let i = 0; i < 230; i++)
        await rest(sandbox, 'POST', '/organizations', { externalId: `page-${i}`, name: `P${i}` });
    });

    it('follows the next cursor up to maxRecords, asking no more than it wants', async function () {
      const { result, out2 } = await read({ endpoint: 'listOrganizations', maxRecords: 150 }, {});
      assert.strictEqual(result.payload.length, 150);
      assert.strictEqual(result.vitally.results[0].count, 150);
      assert.deepStrictEqual(
        out2.map((m) => new URL(m.request.url).searchParams.get('limit')),
        ['100', '50'],
      );
      assert.ok(new URL(out2[1].request.url).searchParams.get('from'));
    });

    it('reads everything with maxRecords 0', async function () {
      const { result, out2 } = await read({ endpoint: 'listOrganizations', maxRecords: 0 }, { sortBy: 'createdAt' });
      assert.strictEqual(result.payload.length, 231);
      assert.strictEqual(out2.length, 3);
      assert.strictEqual(new Set(result.payload.map((o) => o.id)).size, 231, 'no object twice');
    });

    it('with split, sends one message per page with msg.parts, and the core join node rebuilds the list', async function () {
      const flow = flowFor(sandbox, [
        destination({
          endpoint: 'listOrganizations',
          maxRecords: 0,
          split: true,
          x: 100,
          y: 100,
          wires: [['out1', 'join'], ['out2']],
        }),
        // x and y make them flow nodes (the runtime takes nodes without a position for config nodes).
        { id: 'join', type: 'join', mode: 'auto', x: 300, y: 100, wires: [['joined']] },
        { id: 'joined', type: 'helper', x: 500, y: 100 },
        ...outputs,
      ]);
      await helper.load([...nodeModules, splitJoin], flow, CREDENTIALS);
      const pages = [];
      helper.getNode('out1').on('input', (m) => pages.push(m));
      const joined = new Promise((resolve) => helper.getNode('joined').on('input', resolve));
      helper.getNode('n1').receive({ payload: {} });
      const whole = await joined;
      assert.strictEqual(pages.length, 3);
      assert.deepStrictEqual(
        pages.map((p) => [p.parts.index, p.parts.count, p.payload.length]),
        [
          [0, undefined, 100],
          [1, undefined, 100],
          [2, 3, 31],
        ],
      );
      assert.strictEqual(whole.payload.length, 231);
      assert.deepStrictEqual(
        whole.payload.map((o) => o.id),
        pages.flatMap((p) => p.payload.map((o) => o.id)),
      );
    });
  });

  it('manual mode GETs with a query string and answers the body', async function () {
    const { result, out2 } = await read(
      { endpoint: 'manual', method: 'GET', url: '/users/search?email={{payload.email}}' },
      { email: 'ana@read.example' },
    );
    assert.deepStrictEqual(ids(result.payload.results), [fx.users[0].id]);
    assert.strictEqual(out2[0].purpose, 'read');
  });
});
