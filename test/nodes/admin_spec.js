'use strict';
// The admin endpoints behind the editor's buttons, and the config node's checks.
const assert = require('node:assert');
const http = require('node:http');
const net = require('node:net');
const { helper, API_KEY, load, destination, outputs, run, newSandbox, stop } = require('./helpers');

describe('vitally-config and the admin endpoints', function () {
  let sandbox;
  before(async () => {
    sandbox = await newSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => helper.startServer());
  afterEach(stop);

  const post = (path, body) =>
    helper
      .request()
      .post(path)
      .send(body)
      .expect(200)
      .then((r) => r.body);

  describe('GET /vitally/endpoints', function () {
    it('serves the catalogue the editor reads', async function () {
      await load(sandbox, []);
      const res = await helper.request().get('/vitally/endpoints').expect(200);
      // Exactly the catalogue the runtime plans with (its fields are checked in test/unit/catalogue_spec.js).
      const { editorCatalogue } = require('../../dist/catalogue');
      assert.deepStrictEqual(res.body, JSON.parse(JSON.stringify(editorCatalogue())));
      const upd = res.body.find((t) => t.id === 'updateCustomObjectInstance');
      assert.deepStrictEqual(upd.params, ['customObjectId', 'instanceId']);
      const list = res.body.find((t) => t.id === 'listUsers');
      assert.deepStrictEqual(
        [list.kind, list.paged, list.optionalParams],
        ['read', true, ['accountId', 'organizationId']],
      );
    });
  });

  describe('POST /vitally/test-connection', function () {
    const settings = () => ({ region: 'custom', baseUrl: sandbox.url });

    it('reports success with a key typed into the dialog', async function () {
      await load(sandbox, []);
      const body = await post('/vitally/test-connection', { ...settings(), apiKey: API_KEY });
      assert.strictEqual(body.ok, true);
      assert.strictEqual(body.statusCode, 200);
      assert.strictEqual(sandbox.requests[sandbox.requests.length - 1].path, '/resources/users?limit=1');
    });

    it('uses the saved key when the dialog shows the placeholder', async function () {
      await load(sandbox, []);
      const body = await post('/vitally/test-connection', { id: 'cfg', ...settings(), apiKey: '__PWRD__' });
      assert.strictEqual(body.ok, true, body.message);
    });

    it('never sends the stored key to a host other than the one it was saved for', async function () {
      const seen = [];
      const other = http.createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.end('{}');
      });
      await new Promise((r) => other.listen(0, '127.0.0.1', r));
      try {
        await load(sandbox, []);
        const body = await post('/vitally/test-connection', {
          id: 'cfg',
          region: 'custom',
          baseUrl: `http://127.0.0.1:${other.address().port}`,
          apiKey: '__PWRD__',
        });
        assert.strictEqual(body.ok, false);
        assert.match(body.message, /type it again/);
        assert.deepStrictEqual(seen, []);
      } finally {
        other.close();
      }
    });

    it('accepts the ready-made "Basic ..." header value', async function () {
      await load(sandbox, []);
      const header = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;
      const body = await post('/vitally/test-connection', { ...settings(), apiKey: header });
      assert.strictEqual(body.ok, true, body.message);
    });

    it('names a refused key without echoing it', async function () {
      await load(sandbox, []);
      const body = await post('/vitally/test-connection', { ...settings(), apiKey: 'wrong-key-123' });
      assert.strictEqual(body.ok, false);
      assert.strictEqual(body.statusCode, 401);
      assert.match(body.message, /refused the API key/);
      assert.ok(!JSON.stringify(body).includes('wrong-key-123'));
    });

    it('says when the host cannot be reached', async function () {
      const port = await new Promise((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = s.address().port;
          s.close(() => resolve(p));
        });
      });
      await load(sandbox, []);
      const body = await post('/vitally/test-connection', {
        region: 'custom',
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: API_KEY,
      });
      assert.strictEqual(body.ok, false);
      assert.match(
        body.message,
        /Could not reach 127\.0\.0\.1:\d+: connection refused: 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      );
    });

    it('refuses a subdomain that is not a hostname label, before any request', async function () {
      await load(sandbox, []);
      const before = sandbox.counters.total;
      const body = await post('/vitally/test-connection', { region: 'us', subdomain: 'evil.com/x?', apiKey: API_KEY });
      assert.strictEqual(body.ok, false);
      assert.match(body.message, /not a valid Vitally subdomain/);
      assert.strictEqual(sandbox.counters.total, before);
    });
  });

  describe('POST /vitally/preview and /vitally/test-send', function () {
    it('previews exactly what the runtime would send, without Authorization', async function () {
      await load(sandbox, []);
      const requests = await post('/vitally/preview', {
        node: {
          vitally: 'cfg',
          endpoint: 'updateAccount',
          accountId: '{{payload.ext}}',
          accountIdType: 'str',
          exclude: 'ext',
        },
        record: { ext: 'a/b', name: 'New name' },
      });
      assert.deepStrictEqual(requests, [
        {
          method: 'PUT',
          url: `${sandbox.url}/resources/accounts/a%2Fb`,
          headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
          body: { name: 'New name' },
          purpose: 'write',
          records: 1,
        },
      ]);
    });

    it('previews for the region the dialog shows, before the config node is deployed', async function () {
      await load(sandbox, []);
      const requests = await post('/vitally/preview', {
        node: { vitally: 'not-deployed-yet', endpoint: 'createNote' },
        config: { region: 'us', subdomain: 'acme' },
        record: { note: 'n', noteDate: '2026-01-01', accountId: 'a1' },
      });
      assert.strictEqual(requests[0].url, 'https://acme.rest.vitally.io/resources/notes');
      const bad = await post('/vitally/preview', {
        node: { vitally: 'x', endpoint: 'createNote' },
        config: { region: 'us', subdomain: 'a.b' },
        record: {},
      });
      assert.match(bad.error, /not a valid Vitally subdomain/);
      const send = await post('/vitally/test-send', {
        node: { vitally: 'not-deployed-yet', endpoint: 'createAccount' },
        config: { region: 'us', subdomain: 'acme' },
        record: { externalId: 'x', name: 'x' },
      });
      assert.match(send.error, /Deploy the Vitally config node first/);
    });

    it('previews an Analytics batch as one /batch call', async function () {
      await load(sandbox, []);
      const requests = await post('/vitally/preview', {
        node: { vitally: 'cfg', endpoint: 'analyticsTrack', batch: true, batchSize: 100 },
        record: [
          { userId: 'u1', event: 'a', properties: {} },
          { userId: 'u2', event: 'b', properties: {} },
        ],
      });
      assert.strictEqual(requests.length, 1);
      assert.strictEqual(requests[0].url, `${sandbox.url}/analytics/v1/batch`);
      assert.deepStrictEqual(
        requests[0].body.map((m) => [m.type, m.userId]),
        [
          ['track', 'u1'],
          ['track', 'u2'],
        ],
      );
    });

    it('previews every template with its own sample (and example ids) without an error', async function () {
      const { editorCatalogue } = require('../../dist/catalogue');
      const demo = await newSandbox({ seed: 'demo' });
      try {
        await load(demo, []);
        for (const t of editorCatalogue()) {
          const node = { vitally: 'cfg', endpoint: t.id, ...t.sampleParams };
          if (t.relationships.length) node.relationshipIds = 'external';
          const body = await post('/vitally/preview', { node, records: [t.sample] });
          assert.ok(Array.isArray(body), `${t.id}: ${JSON.stringify(body)}`);
          const final = body.filter((c) => c.purpose !== 'lookup').pop() ?? body[body.length - 1];
          assert.ok(final, `${t.id} previews a request`);
          assert.strictEqual(final.method === 'GET' || final.method === t.method || t.kind === 'upsert', true, t.id);
        }
      } finally {
        await demo.close();
      }
    });

    it('answers a record error as { error }', async function () {
      await load(sandbox, []);
      const body = await post('/vitally/preview', {
        node: { vitally: 'cfg', endpoint: 'createAccount' },
        record: { name: 'no id' },
      });
      assert.match(body.error, /externalId is required/);
    });

    it('sends one test request and answers its status and body', async function () {
      await load(sandbox, []);
      const before = sandbox.counters.total;
      const body = await post('/vitally/test-send', {
        node: { vitally: 'cfg', endpoint: 'createAccount' },
        record: { externalId: 'ts-1', name: 'Test send' },
      });
      assert.strictEqual(body.statusCode, 200);
      assert.strictEqual(body.body.externalId, 'ts-1');
      assert.strictEqual(sandbox.counters.total, before + 1);
    });

    it('refuses to test-send a delete without confirmDelete, even in a dry-run node', async function () {
      await load(sandbox, []);
      const before = sandbox.counters.total;
      const body = await post('/vitally/test-send', {
        node: { vitally: 'cfg', endpoint: 'deleteAccount', accountId: 'x', dryRun: true },
        record: {},
      });
      assert.match(body.error, /Allow irreversible deletes/);
      assert.strictEqual(sandbox.counters.total, before);
    });
  });

  describe('GET /vitally/last-record/:id', function () {
    it('answers the first record of the last message the node received', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount', dryRun: true }), ...outputs]);
      await helper.request().get('/vitally/last-record/n1').expect(404);
      await run([
        { externalId: 'r1', name: 'first' },
        { externalId: 'r2', name: 'second' },
      ]);
      const res = await helper.request().get('/vitally/last-record/n1').expect(200);
      assert.deepStrictEqual(res.body, { record: { externalId: 'r1', name: 'first' } });
    });
  });

  describe('configuration errors', function () {
    for (const [what, config, pattern] of [
      ['an invalid subdomain', { region: 'us', subdomain: 'acme.evil.com' }, /not a valid Vitally subdomain/],
      [
        'a base URL with a path',
        { region: 'custom', baseUrl: 'http://127.0.0.1:1/resources' },
        /no path, query or credentials/,
      ],
      ['a non-numeric rate limit', { rateLimit: 'lots' }, /rate limit must be a whole number from 1 to/],
    ]) {
      it(`fails every record, with a red status, for ${what}`, async function () {
        await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], { config });
        const { result } = await run([
          { externalId: 'a', name: 'a' },
          { externalId: 'b', name: 'b' },
        ]);
        assert.strictEqual(result.vitally.failed, 2);
        assert.match(result.vitally.results[1].error, pattern);
        assert.strictEqual(helper.getNode('n1').status.lastCall.args[0].fill, 'red');
      });
    }

    it('reads numeric settings saved as strings', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], {
        config: { rateLimit: '500', rateWindow: '60', concurrency: '2', timeout: '5' },
      });
      const { result } = await run({ externalId: 'num', name: 'numbers' });
      assert.strictEqual(result.vitally.succeeded, 1);
    });

    it('asks for the Analytics token when an Analytics template has none', async function () {
      await load(sandbox, [destination({ endpoint: 'analyticsUser' }), ...outputs], {
        credentials: { apiKey: API_KEY },
      });
      const { result } = await run({ userId: 'u1' });
      assert.match(result.vitally.results[0].error, /Analytics API token/);
    });
  });
});
