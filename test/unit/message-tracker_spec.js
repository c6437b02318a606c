'use strict';
const assert = require('node:assert/strict');

const { MessageTracker } = require('../../dist/delivery/message-tracker');

function tracker(total, dryRun = false) {
  const settled = [];
  const t = new MessageTracker({ topic: 't' }, total, {
    endpoint: 'createAccount',
    dryRun,
    settled: (x) => settled.push(x),
  });
  return { t, settled };
}

describe('delivery/message-tracker', function () {
  it('reports once, when the last record has settled, with results in index order', function () {
    const { t, settled } = tracker(3);
    t.settle({ index: 2, statusCode: 200, id: 'c' });
    t.settle({ index: 0, statusCode: 400, error: 'HTTP 400: bad' });
    assert.equal(settled.length, 0);
    assert.equal(t.undelivered, 2);
    t.settle({ index: 1, statusCode: 201, id: 'b' });
    assert.deepEqual(settled, [t]);
    assert.deepEqual(t.summary(), {
      endpoint: 'createAccount',
      total: 3,
      succeeded: 2,
      failed: 1,
      dryRun: false,
      results: [
        { index: 0, statusCode: 400, error: 'HTTP 400: bad' },
        { index: 1, statusCode: 201, id: 'b' },
        { index: 2, statusCode: 200, id: 'c' },
      ],
    });
    assert.equal(t.undelivered, 1);
    assert.equal(t.msg.topic, 't');
  });

  it('failAll settles only the records still open, once', function () {
    const { t, settled } = tracker(3);
    t.settle({ index: 1, statusCode: 200 });
    t.failAll('queue full');
    assert.deepEqual(settled, [t]);
    assert.deepEqual(t.summary().results, [
      { index: 0, error: 'queue full' },
      { index: 1, statusCode: 200 },
      { index: 2, error: 'queue full' },
    ]);
  });

  it('ignores a second result for the same record', function () {
    const { t, settled } = tracker(2);
    t.settle({ index: 0, error: 'first' });
    t.settle({ index: 0 });
    assert.equal(settled.length, 0, 'a duplicate does not count as the second record');
    t.settle({ index: 1 });
    t.settle({ index: 1, error: 'late' });
    assert.equal(settled.length, 1);
    assert.equal(t.summary().failed, 1);
    assert.equal(t.summary().succeeded, 1);
    assert.equal(t.summary().results[0].error, 'first');
  });

  it('a message with no records settles on start(); one with records waits for them', function () {
    const empty = tracker(0);
    empty.t.start();
    assert.equal(empty.settled.length, 1);
    assert.deepEqual(empty.t.summary(), {
      endpoint: 'createAccount',
      total: 0,
      succeeded: 0,
      failed: 0,
      dryRun: false,
      results: [],
    });
    const one = tracker(1);
    one.t.start();
    assert.equal(one.settled.length, 0);
    one.t.settle({ index: 0 });
    assert.equal(one.settled.length, 1);
  });

  it('carries dryRun into the summary', function () {
    const { t } = tracker(1, true);
    t.settle({ index: 0 });
    assert.equal(t.summary().dryRun, true);
    assert.equal(t.summary().succeeded, 1);
  });

  it('error() is undefined when all succeeded, and names the failures otherwise, numbering records from 1', function () {
    const ok = tracker(1);
    ok.t.settle({ index: 0, statusCode: 200 });
    assert.equal(ok.t.error(), undefined);

    const { t } = tracker(6);
    for (let i = 0; i < 6; i++) t.settle(i === 1 ? { index: i } : { index: i, error: `reason ${i}` });
    const err = t.error();
    assert.ok(err instanceof Error);
    assert.equal(
      err.message,
      'Vitally createAccount: 5 of 6 records failed: record 1: reason 0; record 3: reason 2; record 4: reason 3; and 2 more',
    );
  });

  it('keeps action, count and note in the results', function () {
    const { t } = tracker(3);
    t.settle({ index: 0, statusCode: 201, id: 'v1', action: 'created' });
    t.settle({ index: 1, statusCode: 200, count: 7 });
    t.settle({ index: 2, statusCode: 404, note: 'already deleted' });
    assert.deepEqual(t.summary().results, [
      { index: 0, statusCode: 201, id: 'v1', action: 'created' },
      { index: 1, statusCode: 200, count: 7 },
      { index: 2, statusCode: 404, note: 'already deleted' },
    ]);
    assert.equal(t.summary().succeeded, 3, 'a note is not an error');
  });

  it('isSettled tells which records have a result', function () {
    const { t } = tracker(2);
    assert.equal(t.isSettled(0), false);
    t.settle({ index: 0, error: 'x' });
    assert.equal(t.isSettled(0), true);
    assert.equal(t.isSettled(1), false);
  });

  it('values() holds what reads found, one entry per record, null where nothing was set', function () {
    const { t } = tracker(3);
    assert.deepEqual(t.values(), [null, null, null]);
    t.setValue(2, [{ id: 'a' }]);
    t.setValue(0, { id: 'b' });
    assert.deepEqual(t.values(), [{ id: 'b' }, null, [{ id: 'a' }]]);
  });

  describe('commonCause', function () {
    it('is undefined when nothing failed', function () {
      const { t } = tracker(1);
      t.settle({ index: 0, statusCode: 200 });
      assert.equal(t.commonCause(), undefined);
    });

    it('names a refused key when every failure was 401 (or every one 403)', function () {
      for (const status of [401, 403]) {
        const { t } = tracker(3);
        t.settle({ index: 0, statusCode: status, error: `HTTP ${status}: a` });
        t.settle({ index: 1, statusCode: 200 });
        t.settle({ index: 2, statusCode: status, error: `HTTP ${status}: b` });
        assert.equal(t.commonCause(), `${status} key refused`);
      }
    });

    it('is the one error text when all failures share it, else undefined', function () {
      const same = tracker(2);
      same.t.failAll('no Vitally config node is selected');
      assert.equal(same.t.commonCause(), 'no Vitally config node is selected');
      const mixed = tracker(2);
      mixed.t.settle({ index: 0, statusCode: 400, error: 'HTTP 400: name is required' });
      mixed.t.settle({ index: 1, statusCode: 401, error: 'HTTP 401: bad key' });
      assert.equal(mixed.t.commonCause(), undefined);
    });
  });
});
