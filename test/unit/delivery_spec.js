'use strict';
const assert = require('node:assert/strict');

const { Delivery, failureReason, responseMessage } = require('../../dist/delivery/delivery');
const { Dispatcher, Owner, CLOSED_ERROR } = require('../../dist/delivery/dispatcher');
const { SlidingWindow } = require('../../dist/delivery/sliding-window');
const { MessageTracker } = require('../../dist/delivery/message-tracker');
const { parseDestination, planRecord } = require('../../dist/request/destination');
const { US, withFakeClock, FakeTransport, runUntil, flush } = require('./helpers');

const POLICY = { retries: 2, baseDelayMs: 10, maxDelayMs: 100 };

/** A destination node in miniature: settings -> Delivery over a dispatcher with the given transport. */
function setup(
  settings,
  transport = new FakeTransport(() => assert.fail('a dry run sent a request')),
  concurrency = 4,
) {
  const dest = parseDestination(settings);
  const dispatcher = new Dispatcher(transport, new SlidingWindow(1000, 60000), concurrency, () => Date.now());
  const owner = new Owner(POLICY);
  const calls = [];
  const delivery = new Delivery({
    dispatcher,
    owner,
    hosts: US,
    batching: dest.batching,
    dryRun: dest.dryRun,
    report: (call) => calls.push(call),
  });
  const settled = [];
  /** Plans and submits one message's records, as the node does. */
  function input(msg, params = {}) {
    const records = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
    const tracker = new MessageTracker(msg, dest.endpoint, records.length, dest.dryRun, (t) => settled.push(t));
    records.forEach((record, index) => {
      try {
        const request = planRecord(dest, US, { ...msg, payload: record }, { params, body: record });
        delivery.submit({ request, tracker, index });
      } catch (err) {
        tracker.settle({ index, error: err.message });
      }
    });
    tracker.start();
    return tracker;
  }
  return { dest, dispatcher, owner, delivery, calls, settled, input, transport };
}

const accounts = (n) => Array.from({ length: n }, (_, i) => ({ externalId: `e${i}`, name: `Account ${i}` }));
const events = (users) => users.map((userId, i) => ({ event: `ev${i}`, userId }));

describe('delivery/delivery', function () {
  const fake = withFakeClock();

  describe('dry run', function () {
    it('reports one call per record, sends nothing, and settles every record as succeeded', function () {
      const { calls, settled, input } = setup({ endpoint: 'createAccount', dryRun: true });
      const tracker = input({ payload: accounts(3), topic: 'sync' });
      assert.equal(calls.length, 3);
      calls.forEach((call, i) => {
        assert.equal(call.outcome, undefined);
        assert.equal(call.parts.length, 1);
        assert.equal(call.parts[0].index, i);
        assert.equal(call.request.url, 'https://acme.rest.vitally.io/resources/accounts');
        assert.deepEqual(call.request.body, accounts(3)[i]);
      });
      assert.deepEqual(settled, [tracker]);
      assert.deepEqual(tracker.summary(), {
        endpoint: 'createAccount',
        total: 3,
        succeeded: 3,
        failed: 0,
        dryRun: true,
        results: [{ index: 0 }, { index: 1 }, { index: 2 }],
      });
      const out = responseMessage(calls[1]);
      assert.equal(out.dryRun, true);
      assert.equal(out.attempts, 0);
      assert.equal(out.records, 1);
      assert.equal(out.topic, 'sync');
      assert.deepEqual(out.request, {
        method: 'POST',
        url: 'https://acme.rest.vitally.io/resources/accounts',
        body: accounts(3)[1],
      });
    });

    it('renders deletes without confirmDelete and with no body', function () {
      const { calls, settled, input } = setup({ endpoint: 'deleteAccount', dryRun: true });
      input({ payload: {} }, { accountId: 'acc 1' });
      assert.equal(calls.length, 1);
      assert.deepEqual(responseMessage(calls[0]).request, {
        method: 'DELETE',
        url: 'https://acme.rest.vitally.io/resources/accounts/acc%201',
        body: undefined,
      });
      assert.equal(settled[0].summary().succeeded, 1);
    });

    it('counts records refused by validation as failed, the rest as succeeded', function () {
      const { calls, settled, input } = setup({ endpoint: 'createAccount', dryRun: true });
      input({ payload: [{ externalId: 'e' }, { externalId: 'f', name: 'F' }] });
      assert.equal(calls.length, 1);
      const s = settled[0].summary();
      assert.equal(s.succeeded, 1);
      assert.equal(s.failed, 1);
      assert.match(s.results[0].error, /name is required/);
    });

    it('with batching, reports one call per batch', async function () {
      const { calls, settled, input, delivery } = setup({
        endpoint: 'analyticsTrack',
        dryRun: true,
        batch: true,
        batchSize: 2,
        batchTimeout: 500,
      });
      const tracker = input({ payload: events(['u1', 'u2', 'u3', 'u4', 'u5']) });
      assert.equal(calls.length, 2);
      assert.equal(delivery.batched, 1);
      assert.equal(settled.length, 0, 'the last record waits in its batch');
      await fake.clock.tickAsync(500);
      assert.equal(calls.length, 3);
      assert.deepEqual(
        calls.map((c) => c.parts.length),
        [2, 2, 1],
      );
      for (const call of calls) {
        assert.equal(call.request.url, 'https://acme.api.vitally.io/analytics/v1/batch');
        assert.ok(call.request.body.every((m) => m.type === 'track' && m.messageId && m.timestamp));
      }
      assert.deepEqual(
        calls.flatMap((c) => c.request.body.map((m) => m.userId)),
        ['u1', 'u2', 'u3', 'u4', 'u5'],
      );
      assert.deepEqual(settled, [tracker]);
      assert.equal(tracker.summary().succeeded, 5);
      assert.equal(responseMessage(calls[0]).records, 2);
    });
  });

  describe('live', function () {
    it("each record gets its call's status and the Vitally id from the response", async function () {
      let n = 0;
      const t = new FakeTransport(() => ({
        status: 200,
        headers: { 'ratelimit-remaining': '999' },
        body: { id: `v${n++}` },
      }));
      const { calls, settled, input } = setup({ endpoint: 'createAccount' }, t);
      const tracker = input({ payload: accounts(2), topic: 'x' });
      await runUntil(fake.clock, () => settled.length === 1);
      assert.equal(t.calls.length, 2);
      assert.deepEqual(tracker.summary().results, [
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
      assert.equal(out.topic, 'x');
      assert.equal('dryRun' in out, false);
      assert.doesNotMatch(JSON.stringify(out), /authorization/i);
    });

    it("a failed record names the HTTP status and Vitally's error, and omits id", async function () {
      const t = new FakeTransport(() => ({ status: 422, headers: {}, body: { error: 'externalId already exists' } }));
      const { settled, input } = setup({ endpoint: 'createAccount' }, t);
      const tracker = input({ payload: accounts(1) });
      await runUntil(fake.clock, () => settled.length === 1);
      assert.deepEqual(tracker.summary().results, [
        { index: 0, statusCode: 422, error: 'HTTP 422: externalId already exists' },
      ]);
      assert.match(tracker.error().message, /1 of 1 records failed: record 0: HTTP 422: externalId already exists/);
    });

    it('a network failure after the retries is reported without a status', async function () {
      const t = new FakeTransport(() => ({ headers: {}, body: undefined, error: 'network error: ECONNREFUSED' }));
      const { settled, input, calls } = setup({ endpoint: 'createAccount' }, t);
      const tracker = input({ payload: accounts(1) });
      await runUntil(fake.clock, () => settled.length === 1);
      assert.equal(t.calls.length, 3);
      assert.deepEqual(tracker.summary().results, [{ index: 0, error: 'network error: ECONNREFUSED' }]);
      assert.equal(responseMessage(calls[0]).error, 'network error: ECONNREFUSED');
      assert.equal(responseMessage(calls[0]).attempts, 3);
    });

    it('batching combines records into one /batch call; every record gets its status', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: { id: 'not-per-record' } }));
      const { settled, input, calls } = setup({ endpoint: 'analyticsTrack', batch: true, batchSize: 3 }, t);
      const tracker = input({ payload: events(['a', 'b', 'c']) });
      assert.equal(t.calls.length, 1);
      await runUntil(fake.clock, () => settled.length === 1);
      const req = t.calls[0].req;
      assert.equal(req.url, 'https://acme.api.vitally.io/analytics/v1/batch');
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
        tracker.summary().results,
        [0, 1, 2].map((index) => ({ index, statusCode: 200 })),
      );
      assert.equal(calls.length, 1);
      assert.equal(responseMessage(calls[0]).records, 3);
    });

    it('records of several messages share a batch, and each message settles on its own', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const { settled, input, calls } = setup(
        { endpoint: 'analyticsUser', batch: true, batchSize: 3, batchTimeout: 100 },
        t,
      );
      const m1 = input({ payload: [{ userId: 'a' }, { userId: 'b' }], topic: 'm1' });
      const m2 = input({ payload: [{ userId: 'c' }, { userId: 'd' }], topic: 'm2' });
      assert.equal(t.calls.length, 1);
      await runUntil(fake.clock, () => settled.length === 2);
      assert.deepEqual(settled, [m1, m2]);
      assert.equal(t.calls.length, 2);
      assert.deepEqual(
        t.calls.map((c) => c.req.body.length),
        [3, 1],
      );
      const mixed = responseMessage(calls[0]);
      assert.equal(mixed.topic, undefined, "a call carrying two messages' records copies neither");
      assert.equal(responseMessage(calls[1]).topic, 'm2');
    });

    it('grouping by field makes one batch per value', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const { settled, input } = setup(
        {
          endpoint: 'analyticsTrack',
          batch: true,
          batchSize: 2,
          grouping: 'field',
          groupField: 'userId',
          batchTimeout: 100,
        },
        t,
      );
      input({ payload: events(['u1', 'u2', 'u1', 'u3', 'u2', 'u1']) });
      await runUntil(fake.clock, () => settled.length === 1);
      const batches = t.calls.map((c) => c.req.body.map((m) => m.userId));
      assert.deepEqual(batches, [['u1', 'u1'], ['u2', 'u2'], ['u3'], ['u1']]);
    });

    it('REST templates are not batched even when batching is ticked', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const { settled, input } = setup({ endpoint: 'createAccount', batch: true, batchSize: 10 }, t);
      input({ payload: accounts(3) });
      assert.equal(t.calls.length, 3);
      await runUntil(fake.clock, () => settled.length === 1);
      assert.ok(t.calls.every((c) => !Array.isArray(c.req.body)));
    });

    it('manual batching sends the group as one JSON array', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const { settled, input } = setup(
        { endpoint: 'manual', url: '/things/{{payload.kind}}', batch: true, batchSize: 10, batchTimeout: 50 },
        t,
      );
      input({
        payload: [
          { kind: 'a', n: 1 },
          { kind: 'b', n: 2 },
          { kind: 'a', n: 3 },
        ],
      });
      await runUntil(fake.clock, () => settled.length === 1);
      const byUrl = Object.fromEntries(t.calls.map((c) => [c.req.url, c.req.body]));
      assert.deepEqual(byUrl, {
        'https://acme.rest.vitally.io/resources/things/a': [
          { kind: 'a', n: 1 },
          { kind: 'a', n: 3 },
        ],
        'https://acme.rest.vitally.io/resources/things/b': [{ kind: 'b', n: 2 }],
      });
    });
  });

  describe('stop', function () {
    it('settles batched records as failed and sends nothing afterwards', async function () {
      const t = new FakeTransport(() => ({ status: 200, headers: {}, body: {} }));
      const { settled, input, delivery } = setup(
        { endpoint: 'analyticsTrack', batch: true, batchSize: 10, batchTimeout: 1000 },
        t,
      );
      const tracker = input({ payload: events(['a', 'b', 'c']) });
      assert.equal(delivery.batched, 3);
      delivery.stop();
      assert.equal(delivery.batched, 0);
      assert.deepEqual(settled, [tracker]);
      assert.deepEqual(
        tracker.summary().results,
        [0, 1, 2].map((index) => ({ index, error: CLOSED_ERROR })),
      );
      await fake.clock.tickAsync(5000);
      assert.equal(t.calls.length, 0);
    });

    it('ends queued calls as failed; the call in flight finishes and is reported', async function () {
      const t = new FakeTransport();
      const { settled, input, delivery, owner, calls } = setup({ endpoint: 'createAccount' }, t, 1);
      const tracker = input({ payload: accounts(3) });
      assert.equal(t.calls.length, 1);
      delivery.stop();
      assert.equal(settled.length, 0, 'the record in flight is not settled yet');
      assert.equal(tracker.undelivered, 3);
      t.calls[0].resolve({ status: 200, headers: {}, body: { id: 'v0' } });
      await flush();
      await owner.whenIdle();
      assert.deepEqual(settled, [tracker]);
      assert.deepEqual(tracker.summary().results, [
        { index: 0, statusCode: 200, id: 'v0' },
        { index: 1, error: CLOSED_ERROR },
        { index: 2, error: CLOSED_ERROR },
      ]);
      assert.equal(tracker.undelivered, 2);
      assert.equal(calls.length, 1, 'only the call that was made is reported; the cancelled ones never were');
      await fake.clock.tickAsync(5000);
      assert.equal(t.calls.length, 1);
    });
  });

  describe('failureReason', function () {
    const outcome = (status, body, error) => ({ status, body, error, headers: {}, ok: false, attempts: 1 });
    it("names the status and Vitally's error text", function () {
      assert.equal(failureReason(outcome(400, { error: 'name is required' })), 'HTTP 400: name is required');
      assert.equal(
        failureReason(outcome(400, { message: 'externalId is required' })),
        'HTTP 400: externalId is required',
      );
      assert.equal(failureReason(outcome(400, { error: { field: 'x' } })), 'HTTP 400: {"field":"x"}');
      assert.equal(failureReason(outcome(500, 'Internal error')), 'HTTP 500: Internal error');
      assert.equal(failureReason(outcome(503, undefined)), 'HTTP 503');
      assert.equal(failureReason(outcome(404, { other: 1 })), 'HTTP 404: {"other":1}');
    });

    it('gives the network error when there is no status', function () {
      assert.equal(
        failureReason(outcome(undefined, undefined, 'timeout: no response in time')),
        'timeout: no response in time',
      );
      assert.equal(failureReason(outcome(undefined, undefined, undefined)), 'no response');
    });
  });
});
