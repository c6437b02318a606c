'use strict';
const assert = require('node:assert/strict');

const { Resolver, LISTING_THRESHOLD } = require('../../dist/delivery/resolver');
const { IdCache } = require('../../dist/delivery/id-cache');
const { US } = require('./helpers');

const REST = 'https://acme.rest.vitally.io/resources';

const outcome = (status, body) => ({
  ok: status >= 200 && status < 300,
  status,
  headers: {},
  body,
  attempts: 1,
  unanswered: 0,
});

/**
 * A `call` answering like Vitally from a few collections of { id, externalId } objects: lists
 * in pages of `limit` with a `next` cursor, GET by externalId, users/search. Every call is
 * recorded with its purpose; `hold` makes calls wait until the test releases them.
 */
function fakeVitally(data) {
  const server = { calls: [], held: [], hold: false, fail: undefined };
  server.call = async (request, purpose) => {
    server.calls.push({ request, purpose });
    if (server.hold) await new Promise((resolve) => server.held.push(resolve));
    const failure = server.fail?.(request);
    if (failure) return failure;
    const url = new URL(request.url);
    const path = url.pathname.replace('/resources/', '');
    if (path === 'users/search') {
      const found = (data.users || []).filter((u) => u.externalId === url.searchParams.get('externalId'));
      return outcome(200, { results: found });
    }
    if (data[path]) {
      const limit = Number(url.searchParams.get('limit'));
      const from = Number(url.searchParams.get('from') || 0);
      const results = data[path].slice(from, from + limit);
      const next = from + limit < data[path].length ? String(from + limit) : null;
      return outcome(200, { results, next });
    }
    const [collection, ...rest] = path.split('/');
    const externalId = decodeURIComponent(rest.join('/'));
    const found = (data[collection] || []).find((o) => o.externalId === externalId);
    return found ? outcome(200, found) : outcome(404, { error: 'not found' });
  };
  server.release = () => {
    const waiting = server.held.splice(0);
    for (const resolve of waiting) resolve();
  };
  return server;
}

const objects = (prefix, n) =>
  Array.from({ length: n }, (_, i) => ({ id: `v-${prefix}${i}`, externalId: `${prefix}${i}` }));
const ref = (collection, externalId, field = 'accountId') => ({ field, collection, externalId });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('delivery/resolver', function () {
  describe('learnCollection', function () {
    it(`lists a collection only for ${LISTING_THRESHOLD} or more unknown objects`, async function () {
      assert.equal(LISTING_THRESHOLD, 20);
      const server = fakeVitally({ accounts: objects('a', 5) });
      const ids = new IdCache();
      const resolver = new Resolver(US, ids);
      await resolver.learnCollection('accounts', 19, server.call);
      assert.equal(server.calls.length, 0);
      await resolver.learnCollection('accounts', 20, server.call);
      assert.equal(server.calls.length, 1);
      assert.equal(server.calls[0].purpose, 'lookup');
      assert.equal(ids.get('accounts', 'a3'), 'v-a3');
      assert.equal(ids.get('accounts', 'a9'), null, 'the collection is complete: a9 does not exist');
      await resolver.learnCollection('accounts', 50, server.call);
      assert.equal(server.calls.length, 1, 'a complete collection is not listed again');
    });

    it('lists accounts with status=activeOrChurned, so churned accounts are known too', async function () {
      const server = fakeVitally({ accounts: [] });
      await new Resolver(US, new IdCache()).learnCollection('accounts', 20, server.call);
      const url = new URL(server.calls[0].request.url);
      assert.equal(url.origin + url.pathname, `${REST}/accounts`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        limit: '100',
        sortBy: 'createdAt',
        status: 'activeOrChurned',
      });
      assert.equal(server.calls[0].request.method, 'GET');
    });

    it('lists organizations, users and custom object instances by createdAt; other collections never', async function () {
      for (const collection of ['organizations', 'users', 'customObjects/co1/instances']) {
        const server = fakeVitally({ [collection]: [] });
        await new Resolver(US, new IdCache()).learnCollection(collection, 20, server.call);
        assert.equal(server.calls.length, 1, collection);
        assert.equal(server.calls[0].request.url, `${REST}/${collection}?limit=100&sortBy=createdAt`);
      }
      const server = fakeVitally({});
      for (const collection of ['notes', 'customObjects', 'customObjects/co1/instances/x']) {
        await new Resolver(US, new IdCache()).learnCollection(collection, 500, server.call);
      }
      assert.equal(server.calls.length, 0);
    });

    it('follows the next cursor to the end and learns every object with an externalId', async function () {
      const accounts = [...objects('a', 250), { id: 'no-external' }, { id: 7, externalId: 'bad-id' }];
      const server = fakeVitally({ accounts });
      const ids = new IdCache();
      await new Resolver(US, ids).learnCollection('accounts', 100, server.call);
      assert.equal(server.calls.length, 3);
      assert.deepEqual(
        server.calls.map((c) => new URL(c.request.url).searchParams.get('from')),
        [null, '100', '200'],
      );
      assert.equal(ids.size, 250);
      assert.equal(ids.get('accounts', 'a249'), 'v-a249');
      assert.equal(ids.get('accounts', 'bad-id'), null, 'an object without a string id is not learned');
      assert.equal(ids.isComplete('accounts'), true);
    });

    it('spends at most one call per 10 objects wanted (at least 2), and does not retry a listing that ran out', async function () {
      const server = fakeVitally({ users: objects('u', 1000) });
      const ids = new IdCache();
      const resolver = new Resolver(US, ids);
      await resolver.learnCollection('users', 20, server.call);
      assert.equal(server.calls.length, 2, '20 wanted: 2 pages');
      assert.equal(ids.isComplete('users'), false, 'stopped before the end: not complete');
      assert.equal(ids.get('users', 'u0'), 'v-u0');
      assert.equal(ids.get('users', 'u999'), undefined, 'unknown, not "does not exist"');
      await resolver.learnCollection('users', 20, server.call);
      assert.equal(server.calls.length, 2, 'the same need does not list again');
      await resolver.learnCollection('users', 45, server.call);
      assert.equal(server.calls.length, 2 + 5, '45 wanted: a new listing of up to 5 pages');
    });

    it('never claims a collection the cache cannot hold whole is complete', async function () {
      const server = fakeVitally({ accounts: objects('a', 300) });
      const ids = new IdCache(150);
      await new Resolver(US, ids).learnCollection('accounts', 40, server.call);
      assert.equal(ids.isComplete('accounts'), false);
      assert.ok(ids.size <= 150);
      for (const id of ['a0', 'a149', 'a299', 'not-there']) {
        assert.notEqual(ids.get('accounts', id), null, `${id}: unknown, never "does not exist"`);
      }
    });

    it('concurrent needs of one collection share one listing', async function () {
      const server = fakeVitally({ organizations: objects('o', 30) });
      server.hold = true;
      const resolver = new Resolver(US, new IdCache());
      const both = Promise.all([
        resolver.learnCollection('organizations', 25, server.call),
        resolver.learnCollection('organizations', 25, server.call),
      ]);
      await tick();
      assert.equal(server.calls.length, 1);
      server.hold = false;
      server.release();
      await both;
      assert.equal(server.calls.length, 1);
    });

    it('a page that fails ends the listing, which is not complete and can be tried again', async function () {
      const server = fakeVitally({ accounts: objects('a', 150) });
      let n = 0;
      server.fail = () => (++n === 2 ? outcome(503, { error: 'busy' }) : undefined);
      const ids = new IdCache();
      const resolver = new Resolver(US, ids);
      await resolver.learnCollection('accounts', 20, server.call);
      assert.equal(ids.isComplete('accounts'), false);
      assert.equal(ids.get('accounts', 'a5'), 'v-a5', 'the first page was learned');
      server.fail = undefined;
      await resolver.learnCollection('accounts', 20, server.call);
      assert.equal(ids.isComplete('accounts'), true);
    });

    it('a listing that was not sent (undefined outcome) learns nothing', async function () {
      const ids = new IdCache();
      await new Resolver(US, ids).learnCollection('accounts', 20, async () => undefined);
      assert.equal(ids.isComplete('accounts'), false);
    });

    // A listing's completeness holds only as long as its oldest entry: never may an object
    // from an early page read as "does not exist" (an upsert would duplicate it).
    it('an object learned on an early page never reads as "does not exist" after its entry expired', async function () {
      const clock = { t: 0 };
      const ids = new IdCache(10_000, 60_000, () => clock.t);
      const server = fakeVitally({ accounts: objects('a', 200) });
      const slowCall = async (request, purpose) => {
        const answer = await server.call(request, purpose);
        clock.t += 30_000; // each page takes 30 s (a busy key)
        return answer;
      };
      await new Resolver(US, ids).learnCollection('accounts', 20, slowCall);
      // a0 was set when the first page came back (30 s) and expired at 90 s; the listing
      // started at 0 s, so it claims the collection until 60 s, no longer.
      assert.equal(ids.isComplete('accounts'), false, 'past the oldest entry');
      clock.t = 91_000;
      assert.equal(ids.isComplete('accounts'), false);
      assert.notEqual(ids.get('accounts', 'a0'), null, 'a0 exists: unknown now, not "does not exist"');
    });
  });

  describe('resolve', function () {
    it('answers each distinct reference once: Vitally id, or null when there is no such object', async function () {
      const server = fakeVitally({ accounts: objects('a', 3), organizations: objects('o', 1), users: objects('u', 1) });
      const resolver = new Resolver(US, new IdCache());
      const answers = await resolver.resolve(
        [
          ref('accounts', 'a1', 'accountIds[0]'),
          ref('accounts', 'a1', 'accountIds[1]'),
          ref('organizations', 'o0', 'organizationId'),
          ref('users', 'u0', 'userId'),
          ref('accounts', 'missing'),
          ref('users', 'nobody', 'userId'),
        ],
        server.call,
      );
      assert.deepEqual(Object.fromEntries(answers), {
        'accounts\na1': 'v-a1',
        'organizations\no0': 'v-o0',
        'users\nu0': 'v-u0',
        'accounts\nmissing': null,
        'users\nnobody': null,
      });
      assert.deepEqual(server.calls.map((c) => c.request.url).sort(), [
        `${REST}/accounts/a1`,
        `${REST}/accounts/missing`,
        `${REST}/organizations/o0`,
        `${REST}/users/search?externalId=nobody`,
        `${REST}/users/search?externalId=u0`,
      ]);
      assert.ok(server.calls.every((c) => c.purpose === 'lookup'));
    });

    it('uses the cache: a known id costs nothing, a found one is remembered, "no such object" is not', async function () {
      const server = fakeVitally({ accounts: objects('a', 2) });
      const ids = new IdCache();
      ids.set('accounts', 'a0', 'cached-a0');
      const resolver = new Resolver(US, ids);
      const first = await resolver.resolve(
        [ref('accounts', 'a0'), ref('accounts', 'a1'), ref('accounts', 'zz')],
        server.call,
      );
      assert.equal(first.get('accounts\na0'), 'cached-a0');
      assert.equal(server.calls.length, 2);
      await resolver.resolve([ref('accounts', 'a1'), ref('accounts', 'zz')], server.call);
      assert.equal(server.calls.length, 3, 'a1 was remembered; zz is asked again');
    });

    it('coalesces concurrent lookups of one id, from separate resolves, into one call', async function () {
      const server = fakeVitally({ accounts: objects('a', 2) });
      server.hold = true;
      const resolver = new Resolver(US, new IdCache());
      const a = resolver.resolve([ref('accounts', 'a1')], server.call);
      const b = resolver.resolve([ref('accounts', 'a1'), ref('accounts', 'a0')], server.call);
      await tick();
      server.release();
      await tick();
      server.release();
      const [ra, rb] = await Promise.all([a, b]);
      assert.equal(ra.get('accounts\na1'), 'v-a1');
      assert.equal(rb.get('accounts\na1'), 'v-a1');
      assert.equal(server.calls.filter((c) => c.request.url.endsWith('/accounts/a1')).length, 1);
    });

    it('a lookup that fails is an Error, not "no such object", and is tried again next time', async function () {
      const server = fakeVitally({ accounts: objects('a', 1) });
      server.fail = () => outcome(500, { error: 'boom' });
      const resolver = new Resolver(US, new IdCache());
      const answers = await resolver.resolve([ref('accounts', 'a0')], server.call);
      const err = answers.get('accounts\na0');
      assert.ok(err instanceof Error);
      assert.equal(err.message, 'lookup failed: HTTP 500: boom');
      for (const fail of [() => outcome(401, { error: 'bad key' }), () => outcome(200, { nothing: 'here' })]) {
        server.fail = fail;
        const again = await resolver.resolve([ref('accounts', 'a0')], server.call);
        assert.ok(again.get('accounts\na0') instanceof Error);
      }
      server.fail = undefined;
      const healed = await resolver.resolve([ref('accounts', 'a0')], server.call);
      assert.equal(healed.get('accounts\na0'), 'v-a0');
    });

    it('a lookup with no answer (network error) or not sent is an Error naming why', async function () {
      const resolver = new Resolver(US, new IdCache());
      const network = await resolver.resolve([ref('accounts', 'a0')], async () => ({
        ok: false,
        headers: {},
        body: undefined,
        error: 'timeout: no response in time',
        attempts: 3,
        unanswered: 2,
      }));
      assert.equal(network.get('accounts\na0').message, 'lookup failed: timeout: no response in time');
      const notSent = await resolver.resolve([ref('accounts', 'a0')], async () => undefined);
      assert.equal(notSent.get('accounts\na0').message, 'lookup failed: not sent');
    });

    it('an external id that cannot be a path segment is an Error for that reference only', async function () {
      const server = fakeVitally({ accounts: objects('a', 1) });
      const answers = await new Resolver(US, new IdCache()).resolve(
        [ref('accounts', '..'), ref('accounts', 'a0')],
        server.call,
      );
      assert.match(answers.get('accounts\n..').message, /cannot be sent as an id/);
      assert.equal(answers.get('accounts\na0'), 'v-a0');
    });

    it('many unknown objects of a collection: one listing instead of a lookup each', async function () {
      const server = fakeVitally({ accounts: objects('a', 150) });
      const resolver = new Resolver(US, new IdCache());
      const refs = Array.from({ length: 30 }, (_, i) => ref('accounts', `a${i * 5}`, `accountIds[${i}]`));
      refs.push(ref('accounts', 'not-there', 'accountIds[30]'));
      const answers = await resolver.resolve(refs, server.call);
      assert.equal(answers.get('accounts\na145'), 'v-a145');
      assert.equal(answers.get('accounts\nnot-there'), null, 'known not to exist from the complete listing');
      assert.equal(server.calls.length, 2, 'two pages, no single lookups');
      assert.ok(server.calls.every((c) => c.request.url.startsWith(`${REST}/accounts?`)));
    });
  });
});
