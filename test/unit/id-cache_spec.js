'use strict';
const assert = require('node:assert/strict');

const { IdCache, CACHE_ENTRIES, CACHE_TTL_MS } = require('../../dist/delivery/id-cache');

/** A cache on a clock the test moves. */
function cache(maxEntries = 100, ttlMs = 1000) {
  const clock = { t: 0 };
  return { ids: new IdCache(maxEntries, ttlMs, () => clock.t), clock };
}

/** A lookup the test answers: `pending` resolves or rejects it; `calls` counts runs. */
function deferredLookup() {
  const d = { calls: 0 };
  d.fn = () => {
    d.calls++;
    return new Promise((resolve, reject) => {
      d.resolve = resolve;
      d.reject = reject;
    });
  };
  return d;
}

describe('delivery/id-cache', function () {
  it('defaults to design.md section 5a: at most 10,000 entries, each for 10 minutes', function () {
    assert.equal(CACHE_ENTRIES, 10_000);
    assert.equal(CACHE_TTL_MS, 600_000);
    const ids = new IdCache();
    assert.equal(ids.maxEntries, 10_000);
    assert.equal(ids.ttlMs, 600_000);
  });

  it('answers a Vitally id it was told, per collection; undefined when it does not know', function () {
    const { ids } = cache();
    ids.set('accounts', 'a1', 'v1');
    assert.equal(ids.get('accounts', 'a1'), 'v1');
    assert.equal(ids.get('organizations', 'a1'), undefined, 'collections do not mix');
    assert.equal(ids.get('accounts', 'a2'), undefined);
    ids.set('accounts', 'a1', 'v2');
    assert.equal(ids.get('accounts', 'a1'), 'v2', 'a later answer replaces an earlier one');
    assert.equal(ids.size, 1);
  });

  it('keeps an entry for ttlMs, then forgets it', function () {
    const { ids, clock } = cache(100, 1000);
    ids.set('accounts', 'a1', 'v1');
    clock.t = 999;
    assert.equal(ids.get('accounts', 'a1'), 'v1');
    clock.t = 1000;
    assert.equal(ids.get('accounts', 'a1'), undefined);
    assert.equal(ids.size, 0, 'the expired entry is gone');
  });

  it('reading does not extend an entry: it lives ttlMs from when it was set', function () {
    const { ids, clock } = cache(100, 1000);
    ids.set('accounts', 'a1', 'v1');
    clock.t = 900;
    assert.equal(ids.get('accounts', 'a1'), 'v1');
    clock.t = 1001;
    assert.equal(ids.get('accounts', 'a1'), undefined);
  });

  describe('bounds', function () {
    it('never holds more than maxEntries, dropping the least recently used', function () {
      const { ids } = cache(3);
      ids.set('accounts', 'a', '1');
      ids.set('accounts', 'b', '2');
      ids.set('accounts', 'c', '3');
      assert.equal(ids.get('accounts', 'a'), '1', 'a is now the most recently used');
      ids.set('accounts', 'd', '4');
      assert.equal(ids.size, 3);
      assert.equal(ids.get('accounts', 'b'), undefined, 'b was the least recently used');
      assert.equal(ids.get('accounts', 'a'), '1');
      assert.equal(ids.get('accounts', 'c'), '3');
      assert.equal(ids.get('accounts', 'd'), '4');
    });

    it('setting a known id again makes it the most recent', function () {
      const { ids } = cache(2);
      ids.set('accounts', 'a', '1');
      ids.set('accounts', 'b', '2');
      ids.set('accounts', 'a', '1');
      ids.set('accounts', 'c', '3');
      assert.equal(ids.get('accounts', 'b'), undefined);
      assert.equal(ids.get('accounts', 'a'), '1');
    });

    it('holds 10,000 entries and no more with the defaults', function () {
      const ids = new IdCache();
      for (let i = 0; i < 10_500; i++) ids.set('users', `u${i}`, `v${i}`);
      assert.equal(ids.size, 10_000);
      assert.equal(ids.get('users', 'u499'), undefined);
      assert.equal(ids.get('users', 'u500'), 'v500');
      assert.equal(ids.get('users', 'u10499'), 'v10499');
    });

    it('hasRoomFor tells whether entries fit without evicting any', function () {
      const { ids } = cache(3);
      ids.set('accounts', 'a', '1');
      assert.equal(ids.hasRoomFor(2), true);
      assert.equal(ids.hasRoomFor(3), false);
    });
  });

  describe('complete collections', function () {
    it('a collection listed whole answers null (no such object) for an id it lacks', function () {
      const { ids } = cache();
      ids.set('accounts', 'a1', 'v1');
      ids.markComplete('accounts', ids.time());
      assert.equal(ids.isComplete('accounts'), true);
      assert.equal(ids.get('accounts', 'a1'), 'v1');
      assert.equal(ids.get('accounts', 'nope'), null);
      assert.equal(ids.get('organizations', 'nope'), undefined, 'only that collection');
    });

    it('the listing holds for ttlMs', function () {
      const { ids, clock } = cache(100, 1000);
      ids.markComplete('accounts', ids.time());
      clock.t = 999;
      assert.equal(ids.get('accounts', 'x'), null);
      clock.t = 1000;
      assert.equal(ids.isComplete('accounts'), false);
      assert.equal(ids.get('accounts', 'x'), undefined);
    });

    it('evicting an entry makes its collection incomplete (the cache no longer knows every id)', function () {
      const { ids } = cache(2);
      ids.set('accounts', 'a', '1');
      ids.set('users', 'u', '2');
      ids.markComplete('accounts', ids.time());
      ids.markComplete('users', ids.time());
      ids.set('users', 'v', '3');
      assert.equal(ids.isComplete('accounts'), false, 'the evicted entry was an account');
      assert.equal(ids.get('accounts', 'a'), undefined, 'evicted: unknown, never "no such object"');
      assert.equal(ids.isComplete('users'), true);
    });

    it('forget drops the entry and the claim to know the whole collection', function () {
      const { ids } = cache();
      ids.set('accounts', 'a', '1');
      ids.set('accounts', 'b', '2');
      ids.markComplete('accounts', ids.time());
      ids.forget('accounts', 'a');
      assert.equal(ids.get('accounts', 'a'), undefined);
      assert.equal(ids.get('accounts', 'zzz'), undefined);
      assert.equal(ids.get('accounts', 'b'), '2');
    });
  });

  describe('coalesce', function () {
    it('runs one lookup for concurrent askers of one id and caches the answer', async function () {
      const { ids } = cache();
      const d = deferredLookup();
      const answers = Promise.all([
        ids.coalesce('accounts', 'a', d.fn),
        ids.coalesce('accounts', 'a', d.fn),
        ids.coalesce('accounts', 'a', d.fn),
      ]);
      assert.equal(d.calls, 1);
      d.resolve('v1');
      assert.deepEqual(await answers, ['v1', 'v1', 'v1']);
      assert.equal(ids.get('accounts', 'a'), 'v1');
    });

    it('different ids and collections are looked up separately', async function () {
      const { ids } = cache();
      let calls = 0;
      const lookup = (id) => () => {
        calls++;
        return Promise.resolve(id);
      };
      const got = await Promise.all([
        ids.coalesce('accounts', 'a', lookup('va')),
        ids.coalesce('accounts', 'b', lookup('vb')),
        ids.coalesce('users', 'a', lookup('vu')),
      ]);
      assert.deepEqual(got, ['va', 'vb', 'vu']);
      assert.equal(calls, 3);
    });

    it('a "no such object" answer is shared but not cached', async function () {
      const { ids } = cache();
      const d = deferredLookup();
      const both = Promise.all([ids.coalesce('accounts', 'a', d.fn), ids.coalesce('accounts', 'a', d.fn)]);
      d.resolve(null);
      assert.deepEqual(await both, [null, null]);
      assert.equal(ids.get('accounts', 'a'), undefined);
      assert.equal(ids.size, 0);
    });

    it('a failed lookup fails every asker, is not cached, and the next ask looks again', async function () {
      const { ids } = cache();
      const d = deferredLookup();
      const both = Promise.allSettled([ids.coalesce('accounts', 'a', d.fn), ids.coalesce('accounts', 'a', d.fn)]);
      d.reject(new Error('HTTP 503'));
      const settled = await both;
      assert.deepEqual(
        settled.map((s) => [s.status, s.reason?.message]),
        [
          ['rejected', 'HTTP 503'],
          ['rejected', 'HTTP 503'],
        ],
      );
      assert.equal(ids.get('accounts', 'a'), undefined);
      const again = ids.coalesce('accounts', 'a', d.fn);
      assert.equal(d.calls, 2, 'a new lookup, not the failed one');
      d.resolve('v1');
      assert.equal(await again, 'v1');
    });

    it('a lookup that ended is not joined by a later ask', async function () {
      const { ids, clock } = cache(100, 1000);
      const d = deferredLookup();
      const first = ids.coalesce('accounts', 'a', d.fn);
      d.resolve('v1');
      await first;
      clock.t = 5000; // the cached answer expired
      const second = ids.coalesce('accounts', 'a', d.fn);
      assert.equal(d.calls, 2);
      d.resolve('v2');
      assert.equal(await second, 'v2');
    });
  });
});
