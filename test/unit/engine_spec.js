'use strict';
const assert = require('node:assert/strict');

const { DestinationEngine, refuseMessage } = require('../../dist/delivery/engine');
const { Scheduler, CLOSED_ERROR } = require('../../dist/delivery/scheduler');
const { SlidingWindow } = require('../../dist/delivery/sliding-window');
const { IdCache } = require('../../dist/delivery/id-cache');
const { Resolver } = require('../../dist/delivery/resolver');
const { KeyLock } = require('../../dist/delivery/key-lock');
const { responseMessage } = require('../../dist/delivery/outcomes');
const { parseDestination } = require('../../dist/request/destination');
const { RecordError } = require('../../dist/core/errors');
const { US, withFakeClock, FakeTransport, runUntil, flush } = require('./helpers');

const REST = 'https://acme.rest.vitally.io/resources';
const ANALYTICS = 'https://acme.api.vitally.io/analytics/v1';
const RETRIES = { retries: '2', retryMaxDelay: '0.1' };
const NETWORK = { headers: {}, body: undefined, error: 'network error: ECONNRESET' };

/**
 * A small Vitally behind a FakeTransport: collections of objects with Vitally ids, GET by id or
 * externalId, lists in pages, users/search, custom object instance search, create, update,
 * delete, Analytics. `fault(req, n)` may answer the n-th request (from 1) instead.
 */
function fakeVitally() {
  const server = { store: {}, seq: 0, n: 0, fault: undefined };
  const collection = (name) => (server.store[name] ??= []);
  const find = (name, key) => collection(name).find((o) => o.id === key || o.externalId === key);
  server.add = (name, ...objects) => {
    collection(name);
    for (const o of objects) collection(name).push({ id: `v-${o.externalId}`, createdAt: 't0', updatedAt: 't0', ...o });
  };
  server.respond = (req) => {
    server.n++;
    return server.fault?.(req, server.n) ?? server.handle(req);
  };
  /** Vitally's answer, without faults. */
  server.handle = (req) => {
    const ok = (body, status = 200) => ({ status, headers: {}, body });
    const notFound = { status: 404, headers: {}, body: { error: 'not found' } };
    const url = new URL(req.url);
    if (url.href.startsWith(ANALYTICS)) return ok({ success: true });
    const path = decodeURIComponent(url.pathname.replace('/resources/', ''));
    const search = path.match(/^(.*)\/search$/);
    if (req.method === 'GET' && search) {
      const ext = url.searchParams.get('externalId');
      const email = url.searchParams.get('email');
      const found = collection(search[1]).filter((o) => (ext !== null ? o.externalId === ext : o.email === email));
      return ok(search[1] === 'users' ? { results: found } : found);
    }
    if (server.store[path] && req.method === 'GET') {
      const limit = Number(url.searchParams.get('limit') || 100);
      const from = Number(url.searchParams.get('from') || 0);
      const all = collection(path);
      return ok({
        results: all.slice(from, from + limit),
        next: from + limit < all.length ? String(from + limit) : null,
      });
    }
    if (server.store[path] && req.method === 'POST') {
      const object = { id: `v${++server.seq}`, ...req.body, createdAt: `t${server.seq}`, updatedAt: `t${server.seq}` };
      collection(path).push(object);
      return ok(object);
    }
    const slash = path.lastIndexOf('/');
    const [name, key] = [path.slice(0, slash), path.slice(slash + 1)];
    const object = find(name, key);
    if (!object) return notFound;
    if (req.method === 'GET') return ok(object);
    if (req.method === 'PUT') return ok(Object.assign(object, req.body, { updatedAt: `u${++server.seq}` }));
    if (req.method === 'DELETE') {
      server.store[name] = collection(name).filter((o) => o !== object);
      return { status: 204, headers: {}, body: undefined };
    }
    return { status: 405, headers: {}, body: { error: 'method' } };
  };
  return server;
}

/** What the config node shares: hosts, cache, resolver, lock and one scheduler over `transport`. */
function workspace(transport, { concurrency = 4, limit = 1000 } = {}) {
  const ids = new IdCache();
  return {
    hosts: US,
    ids,
    resolver: new Resolver(US, ids),
    upsertLock: new KeyLock(),
    scheduler:
      transport &&
      new Scheduler(transport, new SlidingWindow(limit, 60_000), {
        concurrency,
        maxPauseMs: 300_000,
        budgetWaitMs: 30_000,
        now: () => Date.now(),
      }),
  };
}

/** The node's evaluator in miniature: each record's message, its path parameters and its body. */
const evaluator = (paramsOf = () => ({})) => ({
  context: (msg, record, many) => (many ? { ...msg, payload: record } : msg),
  evaluate: (ctx) => ({ params: paramsOf(ctx), body: ctx.payload }),
});

/** A destination node in miniature: settings -> engine over `ws`; `input` sends one message. */
function setup(settings, { server, ws, paramsOf, transport, maxQueue } = {}) {
  const t = transport ?? (server ? new FakeTransport(server.respond) : new FakeTransport(() => assert.fail('sent')));
  const space = ws ?? workspace(t);
  const dest = parseDestination({ ...RETRIES, ...settings });
  const calls = [];
  let changes = 0;
  const engine = new DestinationEngine(
    space,
    dest,
    evaluator(paramsOf),
    {
      call: (call) => calls.push(call),
      changed: () => changes++,
    },
    maxQueue,
  );
  const replies = [];
  const input = (msg) => {
    const reply = { msg, sent: [], dones: [] };
    replies.push(reply);
    engine.receive(
      msg,
      ([m]) => reply.sent.push(m),
      (err) => reply.dones.push(err),
    );
    return reply;
  };
  return { engine, dest, ws: space, transport: t, calls, replies, input, changes: () => changes };
}

const accounts = (n) => Array.from({ length: n }, (_, i) => ({ externalId: `e${i}`, name: `Account ${i}` }));
const events = (users) => users.map((userId, i) => ({ event: `ev${i}`, userId, properties: {} }));
const done = (reply) => reply.dones.length > 0;
const results = (reply) => reply.sent[reply.sent.length - 1].vitally.results;
const sentUrls = (t) => t.calls.map((c) => `${c.req.method} ${c.req.url.replace(REST, '').replace(ANALYTICS, '')}`);

describe('delivery/engine', function () {
  const fake = withFakeClock();
  const settle = (predicate) => runUntil(fake.clock, predicate, { stepMs: 5 });

  /** Awaits a promise while the fake clock runs (the transport answers on timers). */
  async function running(promise) {
    let outcome;
    promise.then(
      (value) => (outcome = { value }),
      (error) => (outcome = { error }),
    );
    await settle(() => outcome !== undefined);
    if (outcome.error) throw outcome.error;
    return outcome.value;
  }

  describe('dry run', function () {
    it('renders one output-2 call per record, sends nothing, and reports every record as succeeded', async function () {
      const { calls, input } = setup({ endpoint: 'createAccount', dryRun: true });
      const reply = input({ payload: accounts(3), topic: 'sync' });
      await settle(() => done(reply));
      assert.equal(calls.length, 3);
      calls.forEach((call, i) => {
        assert.equal(call.outcome, undefined);
        assert.equal(call.purpose, 'write');
        assert.equal(call.records, 1);
        assert.equal(call.request.url, `${REST}/accounts`);
        assert.deepEqual(call.request.body, accounts(3)[i]);
      });
      assert.equal(reply.sent.length, 1, 'output 1 once');
      assert.deepEqual(reply.sent[0].vitally, {
        endpoint: 'createAccount',
        total: 3,
        succeeded: 3,
        failed: 0,
        dryRun: true,
        results: [{ index: 0 }, { index: 1 }, { index: 2 }],
      });
      assert.deepEqual(reply.sent[0].payload, accounts(3), 'msg.payload is left as it came in');
      assert.deepEqual(reply.dones, [undefined]);
      const out = responseMessage(calls[1]);
      assert.equal(out.dryRun, true);
      assert.equal(out.attempts, 0);
      assert.equal(out.records, 1);
      assert.equal(out.purpose, 'write');
      assert.equal(out.topic, 'sync');
      assert.deepEqual(out.request, { method: 'POST', url: `${REST}/accounts`, body: accounts(3)[1] });
    });

    it('renders deletes without confirmDelete and with no body', async function () {
      const { calls, input } = setup(
        { endpoint: 'deleteAccount', dryRun: true },
        { paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const reply = input({ payload: { id: 'acc 1' } });
      await settle(() => done(reply));
      assert.deepEqual(responseMessage(calls[0]).request, {
        method: 'DELETE',
        url: `${REST}/accounts/acc%201`,
        body: undefined,
      });
      assert.equal(reply.sent[0].vitally.succeeded, 1);
    });

    it('counts records refused by validation as failed, numbering them from 1 in done(err)', async function () {
      const { calls, input } = setup({ endpoint: 'createAccount', dryRun: true });
      const reply = input({ payload: [{ externalId: 'f', name: 'F' }, { externalId: 'e' }] });
      await settle(() => done(reply));
      assert.equal(calls.length, 1);
      const s = reply.sent[0].vitally;
      assert.equal(s.succeeded, 1);
      assert.equal(s.failed, 1);
      assert.deepEqual(s.results[1], { index: 1, error: 'name is required' });
      assert.equal(reply.dones[0].message, 'Vitally createAccount: 1 of 2 records failed: record 2: name is required');
    });

    it('with batching, renders one call per batch, a partial batch after batchTimeout', async function () {
      const { calls, input } = setup({
        endpoint: 'analyticsTrack',
        dryRun: true,
        batch: true,
        batchSize: 2,
        batchTimeout: 500,
      });
      const reply = input({ payload: events(['u1', 'u2', 'u3', 'u4', 'u5']) });
      await fake.clock.tickAsync(10);
      assert.equal(calls.length, 2);
      assert.equal(reply.sent.length, 0, 'the last record waits in its batch');
      await fake.clock.tickAsync(500);
      assert.deepEqual(
        calls.map((c) => c.records),
        [2, 2, 1],
      );
      for (const call of calls) {
        assert.equal(call.request.url, `${ANALYTICS}/batch`);
        assert.ok(call.request.body.every((m) => m.type === 'track' && m.messageId && m.timestamp));
      }
      assert.deepEqual(
        calls.flatMap((c) => c.request.body.map((m) => m.userId)),
        ['u1', 'u2', 'u3', 'u4', 'u5'],
      );
      assert.equal(reply.sent[0].vitally.succeeded, 5);
    });

    it('sends lookups (they change nothing) and renders the write with the resolved ids', async function () {
      const server = fakeVitally();
      server.add('organizations', { externalId: 'org-1' });
      const { calls, input, transport } = setup(
        { endpoint: 'createAccount', dryRun: true, relationshipIds: 'external' },
        { server },
      );
      const reply = input({ payload: { externalId: 'a', name: 'A', organizationId: 'org-1' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['GET /organizations/org-1']);
      assert.deepEqual(
        calls.map((c) => c.purpose),
        ['lookup', 'write'],
      );
      assert.equal(calls[0].outcome.status, 200);
      assert.deepEqual(calls[1].request.body, { externalId: 'a', name: 'A', organizationId: 'v-org-1' });
      assert.equal(calls[1].outcome, undefined);
    });

    it('sends reads', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'a1' });
      const { input, transport } = setup(
        { endpoint: 'getAccount', dryRun: true },
        { server, paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const reply = input({ payload: { id: 'a1' } });
      await settle(() => done(reply));
      assert.equal(transport.calls.length, 1);
      assert.equal(reply.sent[0].payload.id, 'v-a1');
    });
  });

  describe('writes', function () {
    it("each record gets its call's status and the Vitally id; output 2 reports each call", async function () {
      let n = 0;
      const t = new FakeTransport(() => ({
        status: 200,
        headers: { 'ratelimit-remaining': '999' },
        body: { id: `v${n++}` },
      }));
      const { calls, input } = setup({ endpoint: 'createAccount' }, { transport: t });
      const reply = input({ payload: accounts(2), topic: 'x' });
      await settle(() => done(reply));
      assert.equal(t.calls.length, 2);
      assert.deepEqual(results(reply), [
        { index: 0, statusCode: 200, id: 'v0' },
        { index: 1, statusCode: 200, id: 'v1' },
      ]);
      assert.equal(calls.length, 2);
      const out = responseMessage(calls[0]);
      assert.deepEqual(out.payload, { id: 'v0' });
      assert.equal(out.statusCode, 200);
      assert.deepEqual(out.headers, { 'ratelimit-remaining': '999' });
      assert.equal(out.attempts, 1);
      assert.equal(out.records, 1);
      assert.equal(out.purpose, 'write');
      assert.equal(out.topic, 'x');
      assert.equal('dryRun' in out, false);
      assert.doesNotMatch(JSON.stringify(out), /authorization/i);
      assert.deepEqual(reply.dones, [undefined]);
    });

    it("a failed record names the HTTP status and Vitally's error, and done(err) numbers it from 1", async function () {
      const t = new FakeTransport((req) =>
        req.body.externalId === 'e1'
          ? { status: 422, headers: {}, body: { error: 'externalId already exists' } }
          : { status: 200, headers: {}, body: { id: 'v' } },
      );
      const { input } = setup({ endpoint: 'createAccount' }, { transport: t });
      const reply = input({ payload: accounts(2) });
      await settle(() => done(reply));
      assert.deepEqual(results(reply)[1], { index: 1, statusCode: 422, error: 'HTTP 422: externalId already exists' });
      assert.equal(reply.sent.length, 1);
      assert.equal(
        reply.dones[0].message,
        'Vitally createAccount: 1 of 2 records failed: record 2: HTTP 422: externalId already exists',
      );
    });

    it('a network failure after the retries is reported without a status', async function () {
      const t = new FakeTransport(() => ({ ...NETWORK, error: 'network error: ECONNREFUSED' }));
      const { calls, input } = setup({ endpoint: 'createAccount' }, { transport: t });
      const reply = input({ payload: accounts(1) });
      await settle(() => done(reply));
      assert.equal(t.calls.length, 3);
      assert.deepEqual(results(reply), [{ index: 0, error: 'network error: ECONNREFUSED' }]);
      assert.equal(calls.length, 1, 'one call, retried inside');
      assert.equal(responseMessage(calls[0]).error, 'network error: ECONNREFUSED');
      assert.equal(responseMessage(calls[0]).attempts, 3);
    });

    it('a message with no records is answered at once', function () {
      const { input } = setup({ endpoint: 'createAccount' });
      const reply = input({ payload: [] });
      assert.equal(reply.sent.length, 1);
      assert.equal(reply.sent[0].vitally.total, 0);
      assert.deepEqual(reply.dones, [undefined]);
    });

    it("an evaluation error is that record's error; the others go on", async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'a1' });
      const { input, transport } = setup(
        { endpoint: 'updateAccount' },
        {
          server,
          paramsOf: (ctx) => {
            if (ctx.payload.bad) throw new RecordError('accountId: {{payload.key}} is missing, not an id');
            return { accountId: ctx.payload.key };
          },
        },
      );
      const reply = input({ payload: [{ bad: true }, { key: 'a1', name: 'x' }] });
      await settle(() => done(reply));
      assert.deepEqual(results(reply), [
        { index: 0, error: 'accountId: {{payload.key}} is missing, not an id' },
        { index: 1, statusCode: 200, id: 'v-a1' },
      ]);
      assert.equal(transport.calls.length, 1);
    });

    it('submits messages in arrival order even when a later one is evaluated first', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const ws = workspace(t, { concurrency: 1 });
      const dest = parseDestination({ endpoint: 'createAccount' });
      const slow = {
        context: (msg) => msg,
        evaluate: (ctx) =>
          ctx.slow
            ? new Promise((resolve) => setTimeout(() => resolve({ params: {}, body: ctx.payload }), 100))
            : { params: {}, body: ctx.payload },
      };
      const engine = new DestinationEngine(ws, dest, slow, { call: () => {}, changed: () => {} });
      const dones = [];
      engine.receive(
        { payload: accounts(1)[0], slow: true },
        () => {},
        () => dones.push(1),
      );
      engine.receive(
        { payload: accounts(2)[1] },
        () => {},
        () => dones.push(2),
      );
      await settle(() => dones.length === 2);
      assert.deepEqual(
        t.calls.map((c) => c.req.body.externalId),
        ['e0', 'e1'],
      );
    });

    it('a create enters the id cache, so a later reference costs no lookup', async function () {
      const server = fakeVitally();
      server.store.accounts = [];
      const ws = workspace(new FakeTransport(server.respond));
      const create = setup({ endpoint: 'createAccount' }, { ws });
      const r1 = create.input({ payload: { externalId: 'acme', name: 'Acme' } });
      await settle(() => done(r1));
      assert.equal(ws.ids.get('accounts', 'acme'), 'v1');
      const user = setup({ endpoint: 'createUser', relationshipIds: 'external' }, { ws });
      const before = ws.scheduler.transport.calls.length;
      const r2 = user.input({ payload: { externalId: 'u1', accountIds: ['acme'] } });
      await settle(() => done(r2));
      const after = ws.scheduler.transport.calls.slice(before);
      assert.deepEqual(
        after.map((c) => `${c.req.method} ${c.req.url}`),
        [`POST ${REST}/users`],
      );
      assert.deepEqual(after[0].req.body.accountIds, ['v1']);
    });

    it('a create that upserts on externalId says whether it created or updated', async function () {
      let n = 0;
      const t = new FakeTransport(() =>
        ++n === 1
          ? { status: 200, headers: {}, body: { id: 'n1', createdAt: '2024-01-01', updatedAt: '2024-01-01' } }
          : { status: 200, headers: {}, body: { id: 'n1', createdAt: '2024-01-01', updatedAt: '2024-02-01' } },
      );
      const { input } = setup({ endpoint: 'createNote' }, { transport: t });
      const note = { externalId: 'note-1', note: 'n', noteDate: '2024-01-01', accountId: 'a' };
      const first = input({ payload: note });
      await settle(() => done(first));
      const second = input({ payload: note });
      await settle(() => done(second));
      assert.equal(results(first)[0].action, 'created');
      assert.equal(results(second)[0].action, 'updated');
    });

    describe('batching', function () {
      it('combines records into one /batch call; every record gets its status', async function () {
        const t = new FakeTransport(() => ({ status: 200, headers: {}, body: { id: 'not-per-record' } }));
        const { calls, input } = setup({ endpoint: 'analyticsTrack', batch: true, batchSize: 3 }, { transport: t });
        const reply = input({ payload: events(['a', 'b', 'c']) });
        await settle(() => done(reply));
        assert.equal(t.calls.length, 1);
        const req = t.calls[0].req;
        assert.equal(req.url, `${ANALYTICS}/batch`);
        assert.equal(req.api, 'analytics');
        assert.deepEqual(
          req.body.map((m) => [m.type, m.userId]),
          [
            ['track', 'a'],
            ['track', 'b'],
            ['track', 'c'],
          ],
        );
        assert.deepEqual(
          results(reply),
          [0, 1, 2].map((index) => ({ index, statusCode: 200 })),
          'no per-record id from a batch answer',
        );
        assert.equal(calls.length, 1);
        assert.equal(responseMessage(calls[0]).records, 3);
      });

      it('records of several messages share a batch, and each message settles on its own', async function () {
        const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
        const { calls, input } = setup(
          { endpoint: 'analyticsUser', batch: true, batchSize: 3, batchTimeout: 100 },
          { transport: t },
        );
        const users = (...ids) => ids.map((userId) => ({ userId, accountId: 'a', traits: {} }));
        const m1 = input({ payload: users('a', 'b'), topic: 'm1' });
        const m2 = input({ payload: users('c', 'd'), topic: 'm2' });
        await settle(() => done(m1) && done(m2));
        assert.deepEqual(
          t.calls.map((c) => c.req.body.length),
          [3, 1],
        );
        assert.equal(m1.sent.length, 1);
        assert.equal(m2.sent.length, 1);
        assert.equal(
          responseMessage(calls[0]).topic,
          undefined,
          "a call carrying two messages' records copies neither",
        );
        assert.equal(responseMessage(calls[1]).topic, 'm2');
      });

      it('grouping by field makes one batch per value', async function () {
        const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
        const { input } = setup(
          {
            endpoint: 'analyticsTrack',
            batch: true,
            batchSize: 2,
            grouping: 'field',
            groupField: 'userId',
            batchTimeout: 100,
          },
          { transport: t },
        );
        const reply = input({ payload: events(['u1', 'u2', 'u1', 'u3', 'u2', 'u1']) });
        await settle(() => done(reply));
        assert.deepEqual(
          t.calls.map((c) => c.req.body.map((m) => m.userId)),
          [['u1', 'u1'], ['u2', 'u2'], ['u3'], ['u1']],
        );
      });

      it('REST templates are not batched even when batching is ticked', async function () {
        const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
        const { input } = setup({ endpoint: 'createAccount', batch: true, batchSize: 10 }, { transport: t });
        const reply = input({ payload: accounts(3) });
        await settle(() => done(reply));
        assert.equal(t.calls.length, 3);
        assert.ok(t.calls.every((c) => !Array.isArray(c.req.body)));
      });

      it('manual batching sends each URL group as one JSON array', async function () {
        const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
        const { input } = setup(
          { endpoint: 'manual', url: '/things/{{payload.kind}}', batch: true, batchSize: 10, batchTimeout: 50 },
          { transport: t },
        );
        const reply = input({
          payload: [
            { kind: 'a', n: 1 },
            { kind: 'b', n: 2 },
            { kind: 'a', n: 3 },
          ],
        });
        await settle(() => done(reply));
        assert.deepEqual(Object.fromEntries(t.calls.map((c) => [c.req.url, c.req.body])), {
          [`${REST}/things/a`]: [
            { kind: 'a', n: 1 },
            { kind: 'a', n: 3 },
          ],
          [`${REST}/things/b`]: [{ kind: 'b', n: 2 }],
        });
      });
    });

    describe('deletes (design.md section 5 "Deletes")', function () {
      const deleting = (answers) => {
        const t = new FakeTransport(() => answers.shift());
        return setup(
          { endpoint: 'deleteAccount', confirmDelete: true },
          { transport: t, paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
        );
      };

      it('a 404 after an attempt that got no answer counts as delivered: "already deleted"', async function () {
        const { input } = deleting([NETWORK, { status: 404, headers: {}, body: { error: 'not found' } }]);
        const reply = input({ payload: { id: 'a1' } });
        await settle(() => done(reply));
        assert.deepEqual(results(reply), [{ index: 0, statusCode: 404, note: 'already deleted' }]);
        assert.equal(reply.sent[0].vitally.succeeded, 1);
        assert.deepEqual(reply.dones, [undefined]);
      });

      it('a 404 on the first attempt is a failure', async function () {
        const { input } = deleting([{ status: 404, headers: {}, body: { error: 'not found' } }]);
        const reply = input({ payload: { id: 'a1' } });
        await settle(() => done(reply));
        assert.deepEqual(results(reply), [{ index: 0, statusCode: 404, error: 'HTTP 404: not found' }]);
        assert.match(reply.dones[0].message, /record 1: HTTP 404: not found/);
      });

      it('a 404 after a 503 (which the server answered) is a failure too', async function () {
        const { input } = deleting([
          { status: 503, headers: {}, body: '' },
          { status: 404, headers: {}, body: { error: 'not found' } },
        ]);
        const reply = input({ payload: { id: 'a1' } });
        await settle(() => done(reply));
        assert.equal(results(reply)[0].error, 'HTTP 404: not found');
      });
    });
  });

  describe('reads', function () {
    const withAccounts = (n) => {
      const server = fakeVitally();
      server.add('accounts', ...Array.from({ length: n }, (_, i) => ({ externalId: `a${i}`, name: `A${i}` })));
      return server;
    };

    it('get: msg.payload becomes the object; output 2 reports the call as a read', async function () {
      const server = withAccounts(2);
      const { input, calls } = setup(
        { endpoint: 'getAccount' },
        { server, paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const reply = input({ payload: { id: 'a1' }, topic: 't' });
      await settle(() => done(reply));
      assert.equal(reply.sent.length, 1);
      assert.equal(reply.sent[0].payload.id, 'v-a1');
      assert.equal(reply.sent[0].topic, 't');
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 200, count: 1 }]);
      assert.equal(calls[0].purpose, 'read');
    });

    it('get: not found is not a failure: null, statusCode 404, count 0', async function () {
      const { input } = setup(
        { endpoint: 'getAccount' },
        { server: withAccounts(1), paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const reply = input({ payload: { id: 'nope' } });
      await settle(() => done(reply));
      assert.equal(reply.sent[0].payload, null);
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 404, count: 0 }]);
      assert.equal(reply.sent[0].vitally.failed, 0);
      assert.deepEqual(reply.dones, [undefined]);
    });

    it('for an array of records, msg.payload has one entry per record, in input order', async function () {
      const { input } = setup(
        { endpoint: 'getAccount' },
        { server: withAccounts(3), paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const reply = input({ payload: [{ id: 'a2' }, { id: 'missing' }, { id: 'a0' }] });
      await settle(() => done(reply));
      assert.deepEqual(
        reply.sent[0].payload.map((a) => a && a.id),
        ['v-a2', null, 'v-a0'],
      );
    });

    it('find: an array of matches, [] and count 0 when none', async function () {
      const server = fakeVitally();
      server.add('users', { externalId: 'u1', email: 'ana@acme.com' }, { externalId: 'u2', email: 'ana@acme.com' });
      const { input } = setup({ endpoint: 'findUsers' }, { server });
      const reply = input({ payload: [{ email: 'ana@acme.com' }, { email: 'bob@acme.com' }] });
      await settle(() => done(reply));
      assert.deepEqual(
        reply.sent[0].payload.map((list) => list.map((u) => u.id)),
        [['v-u1', 'v-u2'], []],
      );
      assert.deepEqual(results(reply), [
        { index: 0, statusCode: 200, count: 2 },
        { index: 1, statusCode: 200, count: 0 },
      ]);
    });

    it("a read record refused by its query rules is that record's error; nothing is sent for it", async function () {
      const { input, transport } = setup({ endpoint: 'findUsers' }, { server: fakeVitally() });
      const reply = input({ payload: { name: 'no query' } });
      await settle(() => done(reply));
      assert.match(results(reply)[0].error, /give exactly one of externalId, email, emailSubdomain/);
      assert.equal(transport.calls.length, 0);
    });

    it('list: follows `next` up to maxRecords, asking for no more than it wants', async function () {
      const { input, transport, calls } = setup(
        { endpoint: 'listAccounts', maxRecords: 230 },
        { server: withAccounts(250) },
      );
      const reply = input({ payload: {} });
      await settle(() => done(reply));
      assert.equal(reply.sent[0].payload.length, 230);
      assert.equal(reply.sent[0].payload[229].externalId, 'a229');
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 200, count: 230 }]);
      assert.deepEqual(
        transport.calls.map((c) => Object.fromEntries(new URL(c.req.url).searchParams)),
        [{ limit: '100' }, { limit: '100', from: '100' }, { limit: '30', from: '200' }],
      );
      assert.deepEqual(
        calls.map((c) => c.purpose),
        ['read', 'read', 'read'],
      );
    });

    it('list: maxRecords 0 reads every page', async function () {
      const { input } = setup({ endpoint: 'listAccounts', maxRecords: 0 }, { server: withAccounts(250) });
      const reply = input({ payload: 1700000000000 });
      await settle(() => done(reply));
      assert.equal(reply.sent[0].payload.length, 250);
    });

    it('list: a page that fails makes the record fail, naming why', async function () {
      const server = withAccounts(250);
      server.fault = (req) =>
        new URL(req.url).searchParams.get('from') === '100'
          ? { status: 500, headers: {}, body: { error: 'db down' } }
          : undefined;
      const { input } = setup({ endpoint: 'listAccounts', maxRecords: 0 }, { server });
      const reply = input({ payload: {} });
      await settle(() => done(reply));
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 500, error: 'HTTP 500: db down' }]);
      assert.match(reply.dones[0].message, /record 1: HTTP 500: db down/);
    });

    describe('split: one output-1 message per page (design.md section 4)', function () {
      /** What Node-RED's join node does in automatic mode with parts of type "array" and len > 1. */
      function join(messages) {
        const parts = messages.map((m) => m.parts);
        assert.ok(parts.every((p) => p.type === 'array' && p.len > 1 && p.id === parts[0].id));
        const last = parts.find((p) => p.count !== undefined);
        assert.ok(last, 'one message says how many there are');
        assert.equal(messages.length, last.count);
        return messages
          .slice()
          .sort((a, b) => a.parts.index - b.parts.index)
          .flatMap((m) => m.payload);
      }

      it('sends each page as it arrives with msg.parts the join node expects, then done()', async function () {
        const { input } = setup(
          { endpoint: 'listAccounts', split: true, maxRecords: 0 },
          { server: withAccounts(250) },
        );
        const reply = input({ payload: {}, _msgid: 'm1', topic: 't' });
        await settle(() => done(reply));
        assert.equal(reply.sent.length, 3, 'one message per page, none for the whole list');
        assert.deepEqual(
          reply.sent.map((m) => m.parts),
          [
            { id: 'm1:0', index: 0, type: 'array', len: 100 },
            { id: 'm1:0', index: 1, type: 'array', len: 100 },
            { id: 'm1:0', index: 2, type: 'array', len: 100, count: 3 },
          ],
        );
        assert.deepEqual(
          reply.sent.map((m) => m.payload.length),
          [100, 100, 50],
        );
        assert.deepEqual(
          reply.sent.map((m) => m.vitally),
          [0, 1, 2].map((page) => ({ endpoint: 'listAccounts', record: 0, page, count: page < 2 ? 100 : 50 })),
        );
        assert.ok(reply.sent.every((m) => m.topic === 't'));
        assert.equal(join(reply.sent).length, 250);
        assert.deepEqual(reply.dones, [undefined]);
      });

      it('a single short page still has len > 1 and count 1, so join passes it on', async function () {
        const { input } = setup({ endpoint: 'listAccounts', split: true }, { server: withAccounts(3) });
        const reply = input({ payload: { limit: 1 }, _msgid: 'm2' });
        await settle(() => done(reply));
        assert.equal(reply.sent.length, 3);
        assert.ok(reply.sent.every((m) => m.parts.len === 2));
        assert.deepEqual(
          join(reply.sent).map((a) => a.externalId),
          ['a0', 'a1', 'a2'],
        );
        const one = setup({ endpoint: 'listAccounts', split: true }, { server: withAccounts(0) });
        const empty = one.input({ payload: {}, _msgid: 'm3' });
        await settle(() => done(empty));
        assert.deepEqual(
          empty.sent.map((m) => [m.payload, m.parts.count]),
          [[[], 1]],
        );
      });
    });
  });

  describe('upserts (design.md section 5a)', function () {
    const upsert = (server, settings = {}) =>
      setup({ endpoint: 'upsertAccount', ...settings }, { server, paramsOf: () => ({}) });

    it('an existing object: one PUT by externalId, action "updated"', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'acme', name: 'Old' });
      const { input, transport, calls } = upsert(server);
      const reply = input({ payload: { externalId: 'acme', name: 'New' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['PUT /accounts/acme']);
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 200, id: 'v-acme', action: 'updated' }]);
      assert.equal(calls[0].purpose, 'write');
      assert.equal(server.store.accounts[0].name, 'New');
    });

    it('a new object: PUT answers 404, then one POST, action "created"', async function () {
      const server = fakeVitally();
      server.store.accounts = [];
      const { input, transport, ws } = upsert(server);
      const reply = input({ payload: { externalId: 'acme', name: 'New' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['PUT /accounts/acme', 'POST /accounts']);
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 200, id: 'v1', action: 'created' }]);
      assert.equal(ws.ids.get('accounts', 'acme'), 'v1', 'remembered: the next upsert is one PUT');
    });

    it('with the collection complete in the cache, a new object costs one POST', async function () {
      const server = fakeVitally();
      server.store.accounts = [];
      const { input, transport, ws } = upsert(server);
      ws.ids.markComplete('accounts', ws.ids.time());
      const reply = input({ payload: { externalId: 'acme', name: 'New' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['POST /accounts']);
      assert.equal(results(reply)[0].action, 'created');
    });

    it('two records with one externalId in one message never create two objects', async function () {
      const server = fakeVitally();
      server.store.accounts = [];
      const { input, transport } = upsert(server);
      const reply = input({
        payload: [
          { externalId: 'acme', name: 'First' },
          { externalId: 'acme', name: 'Second' },
        ],
      });
      await settle(() => done(reply));
      assert.equal(server.store.accounts.length, 1);
      assert.equal(server.store.accounts[0].name, 'Second', 'in arrival order');
      assert.deepEqual(sentUrls(transport), ['PUT /accounts/acme', 'POST /accounts', 'PUT /accounts/v1']);
      assert.deepEqual(
        results(reply).map((r) => r.action),
        ['created', 'updated'],
      );
    });

    it('two messages in flight together with one externalId never create two objects either', async function () {
      const server = fakeVitally();
      server.store.accounts = [];
      const { input } = upsert(server);
      const a = input({ payload: { externalId: 'acme', name: 'A' } });
      const b = input({ payload: { externalId: 'acme', name: 'B' } });
      await settle(() => done(a) && done(b));
      assert.equal(server.store.accounts.length, 1);
    });

    it('a POST answered 400 after an attempt that got no answer falls back to an update', async function () {
      const server = fakeVitally();
      server.store.accounts = [];
      // The first POST reaches Vitally, but its answer is lost; the retry finds the externalId taken.
      server.fault = (req, n) => {
        if (req.method === 'POST' && n === 2) {
          server.handle(req); // applied...
          return NETWORK; // ...but unanswered
        }
        if (req.method === 'POST' && n > 2) return { status: 400, headers: {}, body: { error: 'externalId taken' } };
        return undefined;
      };
      const { input, transport } = upsert(server);
      const reply = input({ payload: { externalId: 'acme', name: 'New' } });
      await settle(() => done(reply));
      assert.equal(server.store.accounts.length, 1, 'one object');
      assert.deepEqual(sentUrls(transport), [
        'PUT /accounts/acme',
        'POST /accounts',
        'POST /accounts',
        'PUT /accounts/acme',
      ]);
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 200, id: 'v1', action: 'created' }]);
    });

    it('custom object instances: a search (a lookup), then PUT by Vitally id or POST', async function () {
      const server = fakeVitally();
      server.add('customObjects/co1/instances', { externalId: 'sub-1', name: 'Old', customerId: 'c' });
      const { input, transport, calls } = setup(
        { endpoint: 'upsertCustomObjectInstance' },
        { server, paramsOf: () => ({ customObjectId: 'co1' }) },
      );
      const reply = input({
        payload: [
          { externalId: 'sub-1', name: 'New', customerId: 'c' },
          { externalId: 'sub-2', name: 'Other', customerId: 'c' },
        ],
      });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport).sort(), [
        'GET /customObjects/co1/instances/search?externalId=sub-1',
        'GET /customObjects/co1/instances/search?externalId=sub-2',
        'POST /customObjects/co1/instances',
        'PUT /customObjects/co1/instances/v-sub-1',
      ]);
      assert.deepEqual(
        results(reply).map((r) => r.action),
        ['updated', 'created'],
      );
      assert.deepEqual(calls.map((c) => c.purpose).sort(), ['lookup', 'lookup', 'write', 'write']);
    });

    it('many new objects in one message: one listing of the collection, then one POST each', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'old-1', name: 'Old' });
      const { input, transport } = upsert(server);
      const payload = Array.from({ length: 25 }, (_, i) => ({ externalId: `new-${i}`, name: `N${i}` }));
      payload.push({ externalId: 'old-1', name: 'Renamed' });
      const reply = input({ payload });
      await settle(() => done(reply));
      const urls = sentUrls(transport);
      assert.equal(urls.filter((u) => u.startsWith('GET /accounts?')).length, 1);
      assert.equal(urls.filter((u) => u === 'POST /accounts').length, 25);
      assert.deepEqual(
        urls.filter((u) => u.startsWith('PUT')),
        ['PUT /accounts/v-old-1'],
      );
      assert.equal(transport.calls.length, 27, 'about one call per record');
      assert.equal(reply.sent[0].vitally.succeeded, 26);
    });

    it("a failed update is the record's error, not a create", async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'acme' });
      server.fault = (req) =>
        req.method === 'PUT' ? { status: 422, headers: {}, body: { error: 'bad trait' } } : undefined;
      const { input, transport } = upsert(server);
      const reply = input({ payload: { externalId: 'acme', name: 'x' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['PUT /accounts/acme']);
      assert.deepEqual(results(reply), [{ index: 0, statusCode: 422, error: 'HTTP 422: bad trait' }]);
    });
  });

  describe('relationshipIds: external (design.md section 5a)', function () {
    const world = () => {
      const server = fakeVitally();
      server.add('organizations', { externalId: 'org-1' }, { externalId: 'org-2' });
      server.add('accounts', { externalId: 'acme-1' }, { externalId: 'acme-2' });
      server.add('users', { externalId: 'user-1' });
      for (const writable of ['notes', 'users', 'npsResponses', 'customObjects/co1/instances']) server.add(writable);
      return server;
    };
    const external = (endpoint, server, paramsOf) =>
      setup({ endpoint, relationshipIds: 'external' }, { server, paramsOf });

    const cases = [
      [
        'createAccount',
        { externalId: 'a', name: 'A', organizationId: 'org-1' },
        { organizationId: 'v-org-1' },
        ['GET /organizations/org-1'],
      ],
      [
        'createUser',
        { externalId: 'u', accountIds: ['acme-1', 'acme-2'], organizationIds: ['org-2'] },
        { accountIds: ['v-acme-1', 'v-acme-2'], organizationIds: ['v-org-2'] },
        ['GET /accounts/acme-1', 'GET /accounts/acme-2', 'GET /organizations/org-2'],
      ],
      [
        'createNote',
        { note: 'n', noteDate: 'd', accountId: 'acme-1' },
        { accountId: 'v-acme-1' },
        ['GET /accounts/acme-1'],
      ],
      [
        'createCustomObjectInstance',
        { name: 'n', customerId: 'acme-2', organizationId: 'org-1' },
        { customerId: 'v-acme-2', organizationId: 'v-org-1' },
        ['GET /accounts/acme-2', 'GET /organizations/org-1'],
      ],
      [
        'createNpsResponse',
        { userId: 'user-1', score: 9, respondedAt: 'd' },
        { userId: 'v-user-1' },
        ['GET /users/search?externalId=user-1'],
      ],
    ];
    for (const [endpoint, record, resolved, lookups] of cases) {
      it(`${endpoint}: ${Object.keys(resolved).join(', ')} looked up, then the write with Vitally ids`, async function () {
        const server = world();
        const { input, transport, calls } = external(endpoint, server, () => ({ customObjectId: 'co1' }));
        const reply = input({ payload: record });
        await settle(() => done(reply));
        const urls = sentUrls(transport);
        assert.deepEqual(urls.slice(0, -1).sort(), lookups.slice().sort());
        assert.match(urls[urls.length - 1], /^POST /);
        assert.deepEqual(transport.calls[transport.calls.length - 1].req.body, { ...record, ...resolved });
        assert.deepEqual(
          calls.map((c) => c.purpose),
          [...lookups.map(() => 'lookup'), 'write'],
        );
        assert.equal(reply.sent[0].vitally.succeeded, 1);
        assert.deepEqual(reply.sent[0].payload, record, 'msg.payload is left as it came in');
      });
    }

    it("a reference to nothing is the record's error, naming the field and the id; no write is sent for it", async function () {
      const server = world();
      const { input, transport } = external('createUser', server);
      const reply = input({
        payload: [
          { externalId: 'u1', accountIds: ['acme-1', 'acme-9'] },
          { externalId: 'u2', accountIds: ['acme-2'] },
        ],
      });
      await settle(() => done(reply));
      assert.deepEqual(results(reply)[0], { index: 0, error: 'accountIds[1]: no account with externalId "acme-9"' });
      assert.equal(results(reply)[1].statusCode, 200);
      const writes = transport.calls.filter((c) => c.req.method === 'POST');
      assert.deepEqual(
        writes.map((c) => c.req.body.externalId),
        ['u2'],
      );
      assert.equal(
        reply.dones[0].message,
        'Vitally createUser: 1 of 2 records failed: record 1: accountIds[1]: no account with externalId "acme-9"',
      );
    });

    it("an NPS userId that finds no user is the record's error", async function () {
      const { input, transport } = external('createNpsResponse', world());
      const reply = input({ payload: { userId: 'ghost', score: 3, respondedAt: 'd' } });
      await settle(() => done(reply));
      assert.equal(results(reply)[0].error, 'userId: no user with externalId "ghost"');
      assert.equal(transport.calls.length, 1);
    });

    it('concurrent lookups of one id, from two messages, are one call', async function () {
      const server = world();
      const { input, transport } = external('createAccount', server);
      const a = input({ payload: { externalId: 'a', name: 'A', organizationId: 'org-1' } });
      const b = input({ payload: { externalId: 'b', name: 'B', organizationId: 'org-1' } });
      await settle(() => done(a) && done(b));
      assert.deepEqual(
        sentUrls(transport).filter((u) => u.startsWith('GET')),
        ['GET /organizations/org-1'],
      );
      assert.ok(
        transport.calls.filter((c) => c.req.method === 'POST').every((c) => c.req.body.organizationId === 'v-org-1'),
      );
    });

    it('a lookup that draws a 429 is retried, and then resolves', async function () {
      const server = world();
      server.fault = (req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: '' } : undefined);
      const { input, transport, calls } = external('createAccount', server);
      const reply = input({ payload: { externalId: 'a', name: 'A', organizationId: 'org-1' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['GET /organizations/org-1', 'GET /organizations/org-1', 'POST /accounts']);
      assert.equal(calls[0].purpose, 'lookup');
      assert.equal(calls[0].outcome.attempts, 2);
      assert.equal(reply.sent[0].vitally.succeeded, 1);
    });

    it("a lookup that fails is the record's error, naming the field, the id and the failure", async function () {
      const server = world();
      server.fault = (req) =>
        req.method === 'GET' ? { status: 500, headers: {}, body: { error: 'db down' } } : undefined;
      const { input, transport } = external('createAccount', server);
      const reply = input({ payload: { externalId: 'a', name: 'A', organizationId: 'org-1' } });
      await settle(() => done(reply));
      assert.deepEqual(results(reply), [
        { index: 0, error: 'organizationId "org-1": lookup failed: HTTP 500: db down' },
      ]);
      assert.ok(
        transport.calls.every((c) => c.req.method === 'GET'),
        'no write',
      );
    });

    it('an excluded relationship field is neither looked up nor sent', async function () {
      const { input, transport } = setup(
        { endpoint: 'createAccount', relationshipIds: 'external', exclude: 'organizationId' },
        { server: world() },
      );
      const reply = input({ payload: { externalId: 'a', name: 'A', organizationId: 'org-1' } });
      await settle(() => done(reply));
      assert.deepEqual(sentUrls(transport), ['POST /accounts']);
      assert.deepEqual(transport.calls[0].req.body, { externalId: 'a', name: 'A' });
    });

    it("a relationship id that is not an id is the record's error before any call", async function () {
      const { input, transport } = external('createUser', world());
      const reply = input({ payload: { externalId: 'u', accountIds: [{ id: 1 }] } });
      await settle(() => done(reply));
      assert.equal(results(reply)[0].error, 'accountIds[0]: {"id":1} is not an external id');
      assert.equal(transport.calls.length, 0);
    });
  });

  describe('preview (the editor sample request)', function () {
    it('sends lookups and renders the write with the resolved ids, writing nothing', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'acme-1' });
      server.store.users = [];
      const { engine, transport } = setup({ endpoint: 'createUser', relationshipIds: 'external' }, { server });
      const preview = await running(engine.preview([{ externalId: 'u1', accountIds: ['acme-1'] }]));
      assert.deepEqual(
        preview.map((p) => [p.purpose, p.request.method, p.request.url, p.records, p.statusCode]),
        [
          ['lookup', 'GET', `${REST}/accounts/acme-1`, 1, 200],
          ['write', 'POST', `${REST}/users`, 1, undefined],
        ],
      );
      assert.equal(preview[0].response.id, 'v-acme-1');
      assert.deepEqual(preview[1].request.body, { externalId: 'u1', accountIds: ['v-acme-1'] });
      assert.deepEqual(sentUrls(transport), ['GET /accounts/acme-1']);
      assert.equal(server.store.users.length, 0);
    });

    it('applies the batching settings', async function () {
      const { engine } = setup({ endpoint: 'analyticsTrack', batch: true, batchSize: 2 });
      const preview = await running(engine.preview(events(['a', 'b', 'c', 'd', 'e'])));
      assert.deepEqual(
        preview.map((p) => [p.request.url, p.records, p.request.body.length]),
        [
          [`${ANALYTICS}/batch`, 2, 2],
          [`${ANALYTICS}/batch`, 2, 2],
          [`${ANALYTICS}/batch`, 1, 1],
        ],
      );
      const grouped = setup({
        endpoint: 'analyticsTrack',
        batch: true,
        batchSize: 5,
        grouping: 'field',
        groupField: 'userId',
      });
      const byUser = await running(grouped.engine.preview(events(['a', 'b', 'a'])));
      assert.deepEqual(
        byUser.map((p) => p.request.body.map((m) => m.userId)),
        [['a', 'a'], ['b']],
      );
    });

    it('renders one write per record without batching, deletes included', async function () {
      const { engine } = setup(
        { endpoint: 'deleteAccount', dryRun: true },
        { paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const preview = await running(engine.preview([{ id: 'a' }, { id: 'b' }]));
      assert.deepEqual(
        preview.map((p) => `${p.request.method} ${p.request.url}`),
        [`DELETE ${REST}/accounts/a`, `DELETE ${REST}/accounts/b`],
      );
    });

    it('shows an upsert as the write it would send, after a GET (which changes nothing) decides which', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'acme' });
      const { engine } = setup({ endpoint: 'upsertAccount' }, { server });
      const preview = await running(
        engine.preview([
          { externalId: 'acme', name: 'A' },
          { externalId: 'new', name: 'N' },
        ]),
      );
      const id = 'v-acme';
      assert.deepEqual(
        preview.map((p) => [p.purpose, `${p.request.method} ${p.request.url}`]),
        [
          ['lookup', `GET ${REST}/accounts/acme`],
          ['write', `PUT ${REST}/accounts/${id}`],
          ['lookup', `GET ${REST}/accounts/new`],
          ['write', `POST ${REST}/accounts`],
        ],
      );
    });

    it('a record that cannot be planned is an error naming it, from 1', async function () {
      const { engine } = setup({ endpoint: 'createAccount' });
      await assert.rejects(
        running(engine.preview([{ externalId: 'a', name: 'A' }, { externalId: 'b' }])),
        (err) => err instanceof RecordError && err.message === 'record 2: name is required',
      );
    });

    it('without a deployed config node, a lookup cannot be made and says so', async function () {
      const ws = workspace(undefined);
      const { engine } = setup({ endpoint: 'createAccount', relationshipIds: 'external' }, { ws });
      await assert.rejects(
        running(engine.preview([{ externalId: 'a', name: 'A', organizationId: 'org-1' }])),
        /record 1: organizationId "org-1": lookup failed: deploy the Vitally config node first/,
      );
      const plain = setup({ endpoint: 'createAccount' }, { ws });
      const preview = await running(plain.engine.preview([{ externalId: 'a', name: 'A' }]));
      assert.equal(preview.length, 1, 'a write needs no key to be shown');
    });

    it('sends a read and shows its answer', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'a1' });
      const { engine, transport } = setup(
        { endpoint: 'getAccount' },
        { server, paramsOf: (ctx) => ({ accountId: ctx.payload.id }) },
      );
      const preview = await running(engine.preview([{ id: 'a1' }]));
      assert.equal(transport.calls.length, 1);
      assert.equal(preview[0].statusCode, 200);
    });
  });

  describe('stop', function () {
    it('fails batched and queued records, lets the call in flight finish, and resolves with the messages hit', async function () {
      const t = new FakeTransport();
      const ws = workspace(t, { concurrency: 1 });
      const { engine, input, calls } = setup({ endpoint: 'createAccount' }, { ws });
      const reply = input({ payload: accounts(3) });
      await fake.clock.tickAsync(1);
      assert.equal(t.calls.length, 1);
      const stopped = engine.stop(5000);
      await flush();
      assert.equal(reply.dones.length, 0, 'the record in flight is not settled yet');
      t.calls[0].resolve({ status: 200, headers: {}, body: { id: 'v0' } });
      const lost = await stopped;
      assert.deepEqual(
        lost.map((tr) => tr.undelivered),
        [2],
      );
      assert.equal(reply.sent.length, 0, 'no output 1 after close');
      assert.equal(reply.dones.length, 1);
      assert.equal(
        reply.dones[0].message,
        `Vitally createAccount: 2 of 3 records failed: record 2: ${CLOSED_ERROR}; record 3: ${CLOSED_ERROR}`,
      );
      assert.equal(calls.length, 1, 'only the call that was made is reported');
      await fake.clock.tickAsync(10_000);
      assert.equal(t.calls.length, 1, 'nothing sent afterwards');
    });

    it('fails records waiting in a batch without sending them', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const { engine, input } = setup(
        { endpoint: 'analyticsTrack', batch: true, batchSize: 10, batchTimeout: 1000 },
        { transport: t },
      );
      const reply = input({ payload: events(['a', 'b', 'c']) });
      await fake.clock.tickAsync(1);
      assert.equal(engine.counts().queued, 3);
      const lost = await engine.stop(1000);
      assert.equal(lost.length, 1);
      assert.match(reply.dones[0].message, /3 of 3 records failed/);
      await fake.clock.tickAsync(5000);
      assert.equal(t.calls.length, 0);
    });

    it('aborts what is still in flight at the deadline, and resolves', async function () {
      const t = new FakeTransport();
      t.onSend = (call) =>
        call.signal.addEventListener('abort', () =>
          call.resolve({ headers: {}, body: undefined, error: 'aborted: the node was stopped' }),
        );
      const { engine, input } = setup({ endpoint: 'createAccount' }, { transport: t });
      const reply = input({ payload: accounts(1) });
      await fake.clock.tickAsync(1);
      let resolved = false;
      const stopped = engine.stop(2000).then((lost) => {
        resolved = true;
        return lost;
      });
      await fake.clock.tickAsync(1999);
      assert.equal(resolved, false);
      await fake.clock.tickAsync(2);
      assert.equal((await stopped).length, 1);
      assert.equal(t.calls.length, 1, 'not retried');
      assert.match(reply.dones[0].message, /record 1: aborted/);
    });

    it('a message that arrives while stopping fails at once, with done(err) and no output 1', async function () {
      const { engine, input } = setup({ endpoint: 'createAccount' }, { server: fakeVitally() });
      await engine.stop(100);
      const reply = input({ payload: accounts(2) });
      assert.equal(reply.sent.length, 0);
      assert.match(reply.dones[0].message, /2 of 2 records failed: record 1: not delivered: the node is stopping/);
    });

    it('sends nothing for a stopped node once stop() has resolved', async function () {
      const server = fakeVitally();
      server.add('accounts', { externalId: 'acme' });
      const t = new FakeTransport();
      const ws = workspace(t);
      const a = setup({ endpoint: 'upsertAccount' }, { ws });
      const b = setup({ endpoint: 'upsertAccount' }, { ws });
      a.input({ payload: { externalId: 'acme', name: 'A' } });
      await fake.clock.tickAsync(1);
      const replyB = b.input({ payload: { externalId: 'acme', name: 'B' } });
      await fake.clock.tickAsync(1);
      assert.equal(t.calls.length, 1, "B waits for A's upsert of the same object");
      const stopped = b.engine.stop(100);
      await fake.clock.tickAsync(1000);
      await stopped;
      assert.equal(replyB.dones.length, 1);
      t.calls[0].resolve(server.respond(t.calls[0].req));
      await fake.clock.tickAsync(100);
      const fromB = t.calls.filter((c) => c.signal === b.engine.tenant.abort.signal);
      assert.deepEqual(
        fromB.map((c) => c.req.url),
        [],
      );
    });
  });

  describe('counts and refusals', function () {
    it('counts queued, in flight, sent and failed, and the one cause of a failed message', async function () {
      const t = new FakeTransport();
      const ws = workspace(t, { concurrency: 1 });
      const { engine, input } = setup({ endpoint: 'createAccount' }, { ws });
      const reply = input({ payload: accounts(3) });
      await fake.clock.tickAsync(1);
      assert.deepEqual(engine.counts(), { queued: 2, inflight: 1, sent: 0, failed: 0, lastCause: undefined });
      t.calls[0].resolve({ status: 200, headers: {}, body: {} });
      await flush();
      for (let i = 1; i < 3; i++) {
        await fake.clock.tickAsync(1);
        t.calls[i].resolve({ status: 401, headers: {}, body: { error: 'bad key' } });
        await flush();
      }
      await settle(() => done(reply));
      assert.deepEqual(engine.counts(), { queued: 0, inflight: 0, sent: 1, failed: 2, lastCause: '401 key refused' });
    });

    it('a full queue (nodeMessageBufferMaxLength) fails the overflowing message, not the node', async function () {
      const t = new FakeTransport();
      const { input } = setup({ endpoint: 'createAccount' }, { transport: t, maxQueue: 3 });
      const first = input({ payload: accounts(2) });
      const second = input({ payload: accounts(2) });
      assert.equal(second.sent.length, 1);
      assert.match(
        second.sent[0].vitally.results[0].error,
        /^queue full: 2 records are waiting and nodeMessageBufferMaxLength is 3$/,
      );
      assert.match(second.dones[0].message, /2 of 2 records failed/);
      assert.equal(first.dones.length, 0);
    });

    it('refuseMessage fails every record for a node that cannot work, with output 1 once and done(err)', function () {
      const sent = [];
      const dones = [];
      const msg = { payload: [{ a: 1 }, { a: 2 }], topic: 't' };
      refuseMessage(
        msg,
        'createAccount',
        'the Vitally config node has no REST API key',
        ([m]) => sent.push(m),
        (e) => dones.push(e),
      );
      assert.equal(sent.length, 1);
      assert.deepEqual(sent[0].vitally, {
        endpoint: 'createAccount',
        total: 2,
        succeeded: 0,
        failed: 2,
        dryRun: false,
        results: [
          { index: 0, error: 'the Vitally config node has no REST API key' },
          { index: 1, error: 'the Vitally config node has no REST API key' },
        ],
      });
      assert.deepEqual(sent[0].payload, [{ a: 1 }, { a: 2 }]);
      assert.equal(dones.length, 1);
      assert.match(dones[0].message, /^Vitally createAccount: 2 of 2 records failed: record 1: the Vitally config/);
      refuseMessage(
        { payload: { a: 1 } },
        'createAccount',
        'broken',
        ([m]) => sent.push(m),
        () => {},
      );
      assert.equal(sent[1].vitally.total, 1);
    });
  });
});
