'use strict';
// The destination node's behaviour per record and per message: typedInputs, encoding,
// exclusions, validation, the delete guard, dry run, manual mode and the outputs' shapes.
const assert = require('node:assert');
const http = require('node:http');
const {
  helper,
  API_KEY,
  ANALYTICS_TOKEN,
  load,
  destination,
  outputs,
  collect,
  run,
  rest,
  newSandbox,
  stop,
} = require('./helpers');

describe('vitally-destination', function () {
  let sandbox;
  let account;

  before(async function () {
    sandbox = await newSandbox();
  });
  after(() => sandbox.close());
  beforeEach(async function () {
    sandbox.reset();
    account = await rest(sandbox, 'POST', '/accounts', { externalId: 'acc-1', name: 'Acme' });
    await helper.startServer();
  });
  afterEach(stop);

  const lastRequest = () => sandbox.requests[sandbox.requests.length - 1];

  describe('path parameters', function () {
    const types = [
      ['str (mustache)', { accountId: '{{payload.key}}', accountIdType: 'str' }, {}],
      ['msg', { accountId: 'target.id', accountIdType: 'msg' }, { target: { id: 'acc-1' } }],
      [
        'flow',
        { accountId: 'accountKey', accountIdType: 'flow' },
        {},
        (n) => n.context().flow.set('accountKey', 'acc-1'),
      ],
      [
        'global',
        { accountId: 'accountKey', accountIdType: 'global' },
        {},
        (n) => n.context().global.set('accountKey', 'acc-1'),
      ],
      [
        'env',
        { accountId: 'VITALLY_TEST_ACCOUNT', accountIdType: 'env' },
        {},
        () => {
          process.env.VITALLY_TEST_ACCOUNT = 'acc-1';
        },
      ],
      ['jsonata', { accountId: '"acc-" & $string(payload.n)', accountIdType: 'jsonata' }, {}],
    ];
    for (const [name, props, extra, prepare] of types) {
      it(`takes the id from a ${name} typedInput`, async function () {
        await load(sandbox, [destination({ endpoint: 'updateAccount', ...props }), ...outputs]);
        if (prepare) prepare(helper.getNode('n1'));
        const { result } = await run({ key: 'acc-1', n: 1, name: 'Renamed' }, extra);
        assert.strictEqual(result.vitally.succeeded, 1, JSON.stringify(result.vitally.results));
        assert.strictEqual(lastRequest().path, '/resources/accounts/acc-1');
        assert.strictEqual(sandbox.get('accounts', 'acc-1').name, 'Renamed');
      });
    }

    it('encodes an id as one path segment', async function () {
      await load(sandbox, [destination({ endpoint: 'updateAccount', accountId: '{{payload.id}}' }), ...outputs]);
      const { result, out2 } = await run({ id: 'a/b?c#d', name: 'x' });
      assert.strictEqual(lastRequest().path, '/resources/accounts/a%2Fb%3Fc%23d');
      assert.strictEqual(out2[0].request.url, `${sandbox.url}/resources/accounts/a%2Fb%3Fc%23d`);
      assert.strictEqual(
        result.vitally.results[0].statusCode,
        404,
        'the sandbox looked up the whole id and found nothing',
      );
    });

    it('refuses empty and dot-segment ids without sending', async function () {
      await load(sandbox, [destination({ endpoint: 'updateAccount', accountId: '{{payload.id}}' }), ...outputs]);
      const before = sandbox.counters.total;
      const { result } = await run([{ name: 'no id' }, { id: '..', name: 'dots' }, { id: '.', name: 'dot' }]);
      assert.strictEqual(sandbox.counters.total, before);
      assert.strictEqual(result.vitally.failed, 3);
      assert.match(result.vitally.results[0].error, /accountId: \{\{payload.id\}\} is missing, not an id/);
      assert.match(result.vitally.results[1].error, /cannot be sent/);
    });
  });

  describe('bodies', function () {
    it('removes excluded attributes, dotted paths included, and leaves msg.payload alone', async function () {
      await load(sandbox, [
        destination({
          endpoint: 'updateAccount',
          accountId: '{{payload.externalId}}',
          exclude: 'externalId, traits.internal ',
        }),
        ...outputs,
      ]);
      const payload = { externalId: 'acc-1', name: 'Acme', traits: { internal: 'x', tier: 'gold' } };
      const { result } = await run(payload);
      assert.deepStrictEqual(lastRequest().body, { name: 'Acme', traits: { tier: 'gold' } });
      assert.deepStrictEqual(result.payload, {
        externalId: 'acc-1',
        name: 'Acme',
        traits: { internal: 'x', tier: 'gold' },
      });
    });

    it('maps the body with JSONata', async function () {
      await load(sandbox, [
        destination({
          endpoint: 'createAccount',
          body: '{"externalId": payload.code, "name": $uppercase(payload.title)}',
          bodyType: 'jsonata',
        }),
        ...outputs,
      ]);
      const { result } = await run({ code: 'acc-9', title: 'nine' });
      assert.strictEqual(result.vitally.succeeded, 1, JSON.stringify(result.vitally.results));
      assert.deepStrictEqual(lastRequest().body, { externalId: 'acc-9', name: 'NINE' });
    });

    it('sends every record of an array payload and reports each', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs]);
      const records = [1, 2, 3, 4, 5].map((i) => ({ externalId: `bulk-${i}`, name: `Bulk ${i}` }));
      records[2] = { externalId: 'bulk-3' };
      const { result, out2 } = await run(records);
      const v = result.vitally;
      assert.deepStrictEqual([v.total, v.succeeded, v.failed], [5, 4, 1]);
      assert.strictEqual(out2.length, 4);
      assert.match(v.results[2].error, /name is required/);
      assert.ok(v.results[0].id, 'the Vitally id of the created account');
      assert.strictEqual(sandbox.list('accounts').filter((a) => a.externalId.startsWith('bulk-')).length, 4);
    });
  });

  describe('errors and completion', function () {
    const withCatch = [
      { id: 'catcher', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
      { id: 'completer', type: 'complete', scope: ['n1'], uncaught: false, wires: [['completed']] },
      { id: 'completed', type: 'helper' },
    ];

    it('reports a missing required field to a Catch node and sends nothing', async function () {
      await load(sandbox, [destination({ endpoint: 'createTask' }), ...outputs, ...withCatch]);
      const before = sandbox.counters.total;
      const caught = collect('caught', 1);
      const { result } = await run({ title: 'Call back', accountId: account.id });
      const [err] = await caught;
      assert.strictEqual(sandbox.counters.total, before);
      assert.match(err.error.message, /name is required \(the record has "title": Vitally expects "name"\)/);
      assert.strictEqual(result.vitally.failed, 1);
    });

    it('passes a 4xx from Vitally to Catch once, without retrying', async function () {
      await load(sandbox, [destination({ endpoint: 'createUser' }), ...outputs, ...withCatch]);
      const caught = collect('caught', 1);
      const { result, out2 } = await run({ externalId: 'u-1', accountIds: ['no-such-account'] });
      const [err] = await caught;
      assert.strictEqual(out2[0].statusCode, 400);
      assert.strictEqual(out2[0].attempts, 1);
      assert.match(err.error.message, /HTTP 400/);
      assert.strictEqual(result.vitally.results[0].statusCode, 400);
    });

    it('reports a wrong key as a final 401, without retrying', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs, ...withCatch], {
        credentials: { apiKey: 'not-the-key' },
      });
      const caught = collect('caught', 1);
      const before = sandbox.counters.total;
      const { result, out2 } = await run({ externalId: 'k', name: 'key' });
      const [err] = await caught;
      assert.strictEqual(sandbox.counters.total, before + 1);
      assert.deepStrictEqual([out2[0].statusCode, out2[0].attempts], [401, 1]);
      assert.match(err.error.message, /HTTP 401/);
      assert.ok(!JSON.stringify([result, out2, err]).includes('not-the-key'));
    });

    it('retries an unreachable host, then reports the network error', async function () {
      const closedPort = await new Promise((resolve) => {
        const s = http.createServer().listen(0, '127.0.0.1', () => {
          const p = s.address().port;
          s.close(() => resolve(p));
        });
      });
      await load(
        sandbox,
        [destination({ endpoint: 'createAccount', retries: 2, retryMaxDelay: 0.05 }), ...outputs, ...withCatch],
        { config: { baseUrl: `http://127.0.0.1:${closedPort}` } },
      );
      const caught = collect('caught', 1);
      const { result, out2 } = await run({ externalId: 'u', name: 'unreachable' });
      await caught;
      assert.strictEqual(out2[0].attempts, 3);
      assert.strictEqual(out2[0].statusCode, undefined);
      assert.match(out2[0].error, /ECONNREFUSED/);
      assert.match(result.vitally.results[0].error, /connection refused: .*ECONNREFUSED/);
    });

    it('times out a slow request, retries it, and reports the timeout', async function () {
      sandbox.setLatency(400);
      try {
        await load(sandbox, [destination({ endpoint: 'createAccount', retries: 1, retryMaxDelay: 0.05 }), ...outputs], {
          config: { timeout: 0.1 },
        });
        const { result, out2 } = await run({ externalId: 'slow', name: 'slow' });
        assert.strictEqual(out2[0].attempts, 2);
        assert.match(result.vitally.results[0].error, /timeout/);
      } finally {
        sandbox.setLatency(0);
      }
    });

    it('refuses malformed JSON in a JSON body setting, naming it', async function () {
      await load(sandbox, [
        destination({ endpoint: 'createAccount', body: '{"externalId": "x", name: }', bodyType: 'json' }),
        ...outputs,
      ]);
      const { result } = await run({});
      assert.match(result.vitally.results[0].error, /body is not valid JSON/);
      assert.strictEqual(helper.getNode('n1').status.lastCall.args[0].fill, 'red');
    });

    it('fires a Complete node when every record is delivered', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs, ...withCatch]);
      const completed = collect('completed', 1);
      await run({ externalId: 'acc-c', name: 'Complete' });
      const [msg] = await completed;
      assert.strictEqual(msg.vitally.succeeded, 1);
    });

    it('treats a missing config node as a configuration error for every record', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount', vitally: 'nope' }), ...outputs, ...withCatch]);
      const caught = collect('caught', 1);
      const { result } = await run([
        { externalId: 'a', name: 'a' },
        { externalId: 'b', name: 'b' },
      ]);
      await caught;
      assert.deepStrictEqual([result.vitally.total, result.vitally.failed], [2, 2]);
      assert.match(result.vitally.results[0].error, /no Vitally config node/);
    });
  });

  describe('deletes', function () {
    it('refuses to send a delete until confirmDelete is ticked', async function () {
      await load(sandbox, [destination({ endpoint: 'deleteAccount', accountId: 'acc-1' }), ...outputs]);
      const before = sandbox.counters.total;
      const { result } = await run({});
      assert.strictEqual(sandbox.counters.total, before);
      assert.match(result.vitally.results[0].error, /Allow irreversible deletes/);
      assert.ok(sandbox.get('accounts', 'acc-1'));
      const status = helper.getNode('n1').status.lastCall.args[0];
      assert.strictEqual(status.fill, 'red');
    });

    it('renders a delete in a dry run without confirmDelete and without sending', async function () {
      await load(sandbox, [
        destination({ endpoint: 'deleteAccount', accountId: '{{payload.id}}', dryRun: true }),
        ...outputs,
      ]);
      const before = sandbox.counters.total;
      const { result, out2 } = await run([{ id: 'acc-1' }, { id: 'acc-2' }]);
      assert.strictEqual(sandbox.counters.total, before);
      assert.deepStrictEqual(result.vitally.dryRun, true);
      assert.strictEqual(result.vitally.succeeded, 2);
      assert.deepStrictEqual(
        out2.map((m) => [m.request.method, m.request.url, m.dryRun, m.attempts]),
        [
          ['DELETE', `${sandbox.url}/resources/accounts/acc-1`, true, 0],
          ['DELETE', `${sandbox.url}/resources/accounts/acc-2`, true, 0],
        ],
      );
    });
  });

  describe('manual mode', function () {
    it('sends to a URL template under the REST base', async function () {
      await load(sandbox, [
        destination({ endpoint: 'manual', method: 'PUT', url: '/accounts/{{payload.ext}}', headers: 'x-trace: abc' }),
        ...outputs,
      ]);
      const { result } = await run({ ext: 'acc-1', name: 'Manual' });
      assert.strictEqual(result.vitally.succeeded, 1, JSON.stringify(result.vitally.results));
      assert.strictEqual(lastRequest().path, '/resources/accounts/acc-1');
      assert.deepStrictEqual(lastRequest().body, { ext: 'acc-1', name: 'Manual' }, 'records are sent as written');
    });

    it('uses the Analytics token for absolute URLs under the Analytics base and batches into an array', async function () {
      await load(sandbox, [
        destination({
          endpoint: 'manual',
          method: 'POST',
          url: `${'{{{base}}}'}/analytics/v1/batch`,
          batch: true,
          batchSize: 2,
          batchTimeout: 50,
        }),
        ...outputs,
      ]);
      const msgs = [1, 2, 3].map((i) => ({
        type: 'track',
        userId: `u${i}`,
        event: 'e',
        properties: {},
        messageId: `m${i}`,
      }));
      const { result, out2 } = await run(msgs, { base: sandbox.url });
      assert.strictEqual(result.vitally.succeeded, 3, JSON.stringify(result.vitally.results));
      assert.deepStrictEqual(
        out2.map((m) => m.records),
        [2, 1],
      );
      const calls = sandbox.requests.filter((r) => r.path === '/analytics/v1/batch');
      assert.strictEqual(calls.length, 2);
      assert.ok(calls.every((c) => c.key === 'analytics'));
      assert.deepStrictEqual(calls[0].body, msgs.slice(0, 2));
    });

    it('refuses an absolute URL on another host and never sends it the key', async function () {
      const seen = [];
      const other = http.createServer((req, res) => {
        seen.push(req.headers);
        res.end('{}');
      });
      await new Promise((r) => other.listen(0, '127.0.0.1', r));
      try {
        await load(sandbox, [
          destination({ endpoint: 'manual', method: 'POST', url: '{{{payload.target}}}' }),
          ...outputs,
        ]);
        const { result } = await run({ target: `http://127.0.0.1:${other.address().port}/resources/accounts` });
        assert.match(result.vitally.results[0].error, /not the configured Vitally host/);
        assert.strictEqual(seen.length, 0);
      } finally {
        other.close();
      }
    });
  });

  describe('outputs', function () {
    it('output 1 carries msg.vitally once; output 2 one message per call with the response', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs]);
      const { result, out2 } = await run({ externalId: 'acc-o', name: 'Out' }, { topic: 'crm' });
      assert.deepStrictEqual(Object.keys(result.vitally).sort(), [
        'dryRun',
        'endpoint',
        'failed',
        'results',
        'succeeded',
        'total',
      ]);
      assert.strictEqual(result.vitally.endpoint, 'createAccount');
      assert.deepStrictEqual(result.payload, { externalId: 'acc-o', name: 'Out' });
      const r = out2[0];
      assert.strictEqual(r.topic, 'crm', 'output 2 keeps the input message properties');
      assert.strictEqual(r.statusCode, 200);
      assert.strictEqual(r.payload.externalId, 'acc-o');
      assert.strictEqual(result.vitally.results[0].id, r.payload.id);
      assert.deepStrictEqual(r.request, {
        method: 'POST',
        url: `${sandbox.url}/resources/accounts`,
        body: { externalId: 'acc-o', name: 'Out' },
      });
      assert.strictEqual(typeof r.headers, 'object');
      assert.deepStrictEqual([r.records, r.attempts, r.dryRun], [1, 1, undefined]);
    });

    it('sends output 1 for an empty array at once', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs]);
      const { result } = await run([]);
      assert.deepStrictEqual([result.vitally.total, result.vitally.failed], [0, 0]);
    });
  });

  describe('security', function () {
    it('never shows the keys in outputs, status, errors or the log', async function () {
      await load(sandbox, [
        destination({ endpoint: 'createUser' }),
        ...outputs,
        { id: 'catcher', type: 'catch', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]);
      const caught = collect('caught', 1);
      const { result, out2 } = await run([{ externalId: 'u', accountIds: [account.id] }, { externalId: 'v' }]);
      const [err] = await caught;
      const n1 = helper.getNode('n1');
      const seen = JSON.stringify([result, out2, err, n1.status.args, helper.log().args]);
      const basic = Buffer.from(`${API_KEY}:`).toString('base64');
      for (const secret of [API_KEY, ANALYTICS_TOKEN, basic]) assert.ok(!seen.includes(secret), 'a key leaked');
      const flows = JSON.stringify(helper._redNodes.getFlows());
      assert.ok(!flows.includes(API_KEY), 'the key is in the flow export');
    });
  });
});
