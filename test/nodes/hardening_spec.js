'use strict';
// What an outside attack and a review against Vitally's docs found: hostile server headers,
// ids rendered from things that are not ids, manual URLs and headers that try to escape,
// exclusions through the prototype, retried deletes, missing keys. A real Node-RED runtime
// against the sandbox, or against a small server that misbehaves on purpose.
const assert = require('node:assert');
const http = require('node:http');
const {
  helper,
  load,
  destination,
  outputs,
  run,
  delay,
  flowFor,
  nodeModules,
  API_KEY,
  sandboxPerTest,
  recordStatus,
} = require('./helpers');

/** A stand-in for Vitally that answers every request with `answer(req, count)`. */
async function hostileServer(answer) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, at: Date.now() });
    answer(req, res, seen.length);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

const reply = (res, status, headers = {}, body = { id: 'x' }) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('hardening: what the outside attack found', function () {
  const fresh = sandboxPerTest();
  let sandbox;
  beforeEach(() => ({ sandbox } = fresh));

  describe('server-imposed pauses', function () {
    it('caps a 429 Retry-After of a day at maxPause, then sends one probe and the rest', async function () {
      const server = await hostileServer((req, res, n) =>
        n === 1 ? reply(res, 429, { 'retry-after': '86400' }, { error: 'slow down' }) : reply(res, 200),
      );
      try {
        await load(server, [destination({ endpoint: 'createAccount' }), ...outputs], {
          config: { maxPause: 0.5, concurrency: 1 },
        });
        const started = Date.now();
        const { result } = await run([1, 2, 3].map((i) => ({ externalId: `p${i}`, name: `P${i}` })));
        assert.strictEqual(result.vitally.succeeded, 3, JSON.stringify(result.vitally.results));
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 450 && elapsed < 5000, `paused about maxPause, not a day (${elapsed} ms)`);
        assert.ok(server.seen[1].at - server.seen[0].at >= 450);
      } finally {
        await server.close();
      }
    });

    it('ignores garbage and negative rate headers instead of pausing on them', async function () {
      const server = await hostileServer((req, res) =>
        reply(res, 200, { 'ratelimit-remaining': 'abc0', 'ratelimit-reset': '-99999999', 'retry-after': 'soon-ish 5' }),
      );
      try {
        await load(server, [destination({ endpoint: 'createAccount' }), ...outputs]);
        const started = Date.now();
        const { result } = await run([1, 2, 3, 4].map((i) => ({ externalId: `g${i}`, name: `G${i}` })));
        assert.strictEqual(result.vitally.succeeded, 4);
        assert.ok(Date.now() - started < 2000);
      } finally {
        await server.close();
      }
    });

    it('names a pause in the status and in Test connection, with its cause and end', async function () {
      const server = await hostileServer((req, res) =>
        req.url.includes('users?limit=1')
          ? reply(res, 200, {}, { results: [] })
          : reply(res, 429, { 'retry-after': '30' }),
      );
      try {
        await load(server, [destination({ endpoint: 'createAccount' }), ...outputs], { config: { maxPause: 60 } });
        const n1 = helper.getNode('n1');
        const statuses = recordStatus(n1);
        n1.receive({ payload: { externalId: 'z', name: 'Z' } });
        await delay(700);
        const paused = statuses.find(
          (s) => s.text && /paused by Vitally \(HTTP 429\) until \d\d:\d\d:\d\d/.test(s.text),
        );
        assert.ok(paused, JSON.stringify(statuses));
        const res = await helper
          .request()
          .post('/vitally/test-connection')
          .send({ id: 'cfg', region: 'custom', baseUrl: server.url })
          .expect(200);
        assert.match(res.body.message, /paused this key \(HTTP 429\) until \d\d:\d\d:\d\d/);
      } finally {
        await server.close();
      }
    });
  });

  describe('ids and URLs', function () {
    it('refuses mustache ids rendered from objects, arrays, booleans, null, NaN and blanks, sending nothing', async function () {
      await load(sandbox, [destination({ endpoint: 'updateAccount', accountId: '{{payload.id}}' }), ...outputs]);
      const before = sandbox.counters.total;
      const ids = [{ a: 1 }, ['x'], true, null, Number.NaN, '   '];
      const { result } = await run(ids.map((id) => ({ id, name: 'n' })));
      assert.strictEqual(sandbox.counters.total, before);
      assert.strictEqual(result.vitally.failed, ids.length);
      for (const r of result.vitally.results) assert.match(r.error, /accountId: \{\{payload\.id\}\} is .*not an id/);
    });

    it('refuses manual URLs that leave the REST base or switch to the Analytics API', async function () {
      await load(sandbox, [
        destination({ endpoint: 'manual', method: 'POST', url: '/accounts/{{{payload.p}}}' }),
        ...outputs,
      ]);
      const before = sandbox.counters.total;
      const paths = ['%2e%2e/%2e%2e/analytics/v1/batch', '%252e%252e/x', '..\\..\\x', 'a#frag', '../users'];
      const { result } = await run(paths.map((p) => ({ p })));
      assert.strictEqual(sandbox.counters.total, before, 'nothing was sent');
      assert.strictEqual(result.vitally.failed, paths.length, JSON.stringify(result.vitally.results));
    });
  });

  describe('configuration errors at deploy', function () {
    const deployError = async (props, config) => {
      await load(sandbox, [destination(props), ...outputs], config);
      const { result } = await run({ externalId: 'x', name: 'x' });
      assert.strictEqual(result.vitally.failed, 1);
      return result.vitally.results[0].error;
    };

    it('refuses manual headers with line breaks, framing, hop-by-hop and method overrides', async function () {
      for (const headers of [
        'X-Ok:1,Transfer-Encoding:chunked',
        'content-length:5',
        'Connection:close',
        'HOST:evil.example',
        'authorization:Basic x',
        'X-HTTP-Method-Override:DELETE',
        'x-method-override:DELETE',
        'X-HTTP-Method:DELETE',
      ]) {
        const error = await deployError({ endpoint: 'manual', method: 'POST', url: '/accounts', headers });
        assert.match(error, /cannot be given in manual mode/, headers);
        await helper.unload();
      }
      const error = await deployError({
        endpoint: 'manual',
        method: 'POST',
        url: '/accounts',
        headers: 'X-A:1\r\nX-B:2',
      });
      assert.match(error, /may not contain line breaks/);
    });

    it('refuses exclusions through __proto__, prototype or constructor', async function () {
      for (const exclude of ['__proto__.x', 'a.prototype', 'constructor']) {
        assert.match(await deployError({ endpoint: 'createAccount', exclude }), /goes through/);
        await helper.unload();
      }
    });

    it('a config node without a REST key is a red error at deploy, not six retries per record', async function () {
      await helper.load(nodeModules, flowFor(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs]), {
        cfg: { analyticsToken: 'only-analytics' },
      });
      const before = sandbox.counters.total;
      const { result, out2 } = await run({ externalId: 'k', name: 'K' });
      assert.match(result.vitally.results[0].error, /no REST API key/);
      assert.strictEqual(out2.length, 0);
      assert.strictEqual(sandbox.counters.total, before);
    });
  });

  describe('local errors', function () {
    it('a circular or BigInt record fails at once: attempts 0, nothing sent, no budget spent', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], { config: { rateLimit: 2 } });
      const circular = { externalId: 'c', name: 'C' };
      circular.self = circular;
      const before = sandbox.counters.total;
      const started = Date.now();
      const { result, out2 } = await run([
        circular,
        { externalId: 'b', name: 'B', seats: 10n },
        { externalId: 'ok', name: 'OK' },
      ]);
      assert.ok(Date.now() - started < 2000, 'no retries with backoff');
      assert.match(result.vitally.results[0].error, /cannot be serialised as JSON.*circular/i);
      assert.match(result.vitally.results[1].error, /cannot be serialised as JSON.*BigInt/);
      assert.strictEqual(result.vitally.succeeded, 1);
      assert.strictEqual(sandbox.counters.total - before, 1, 'only the good record reached the server');
      assert.deepStrictEqual(
        out2.map((m) => m.attempts),
        [1],
        'unsent records are not on output 2',
      );
      // A budget of 2 per minute: had the two local errors spent slots, this would now wait a minute.
      const again = await run({ externalId: 'ok2', name: 'OK 2' });
      assert.strictEqual(again.result.vitally.succeeded, 1);
    });
  });

  describe('retried deletes', function () {
    it('counts a DELETE whose retry answers 404 after a dropped connection as delivered, "already deleted"', async function () {
      const account = await fetch(`${sandbox.url}/resources/accounts`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ externalId: 'doomed', name: 'Doomed' }),
      }).then((r) => r.json());
      // The first attempt is applied, but its answer never arrives.
      let dropped = false;
      const proxy = await hostileServer(async (req, res) => {
        const upstream = await fetch(sandbox.url + req.url, {
          method: req.method,
          headers: { authorization: req.headers.authorization },
        });
        if (!dropped) {
          dropped = true;
          req.socket.destroy();
          return;
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      });
      try {
        await load(proxy, [
          destination({
            endpoint: 'deleteAccount',
            accountId: '{{payload.id}}',
            confirmDelete: true,
            retryMaxDelay: 0.05,
          }),
          ...outputs,
        ]);
        const { result } = await run({ id: account.id });
        assert.strictEqual(result.vitally.succeeded, 1, JSON.stringify(result.vitally.results));
        assert.deepStrictEqual(
          { statusCode: result.vitally.results[0].statusCode, note: result.vitally.results[0].note },
          { statusCode: 404, note: 'already deleted' },
        );
      } finally {
        await proxy.close();
      }
    });

    it('a DELETE answered 404 at the first attempt is still a failure', async function () {
      await load(sandbox, [
        destination({ endpoint: 'deleteAccount', accountId: 'no-such', confirmDelete: true }),
        ...outputs,
      ]);
      const { result } = await run({});
      assert.strictEqual(result.vitally.failed, 1);
      assert.strictEqual(result.vitally.results[0].statusCode, 404);
    });
  });

  describe('status', function () {
    it('names a refused key on the canvas: "401 key refused"', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], {
        credentials: { apiKey: 'wrong-key' },
      });
      const n1 = helper.getNode('n1');
      const statuses = recordStatus(n1);
      await run([
        { externalId: 'a', name: 'A' },
        { externalId: 'b', name: 'B' },
      ]);
      await delay(400);
      const last = statuses[statuses.length - 1];
      assert.strictEqual(last.fill, 'red');
      assert.match(last.text, /^401 key refused/);
    });

    it('numbers records from 1 in the error a Catch node sees', async function () {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs]);
      const errors = [];
      const n1 = helper.getNode('n1');
      n1.on('call:error', (call) => errors.push(call.args[0]));
      await run([{ externalId: 'ok', name: 'fine' }, { name: 'no id' }]);
      await delay(50);
      assert.ok(
        errors.some((e) => /record 2: externalId is required/.test(String(e))),
        JSON.stringify(errors),
      );
    });
  });
});
