'use strict';
const assert = require('node:assert/strict');
const { rest, useSandbox } = require('./helpers');

describe('sandbox list pagination', () => {
  const t = useSandbox({
    data: { organizations: Array.from({ length: 250 }, (_, i) => ({ externalId: `o-${i}`, name: `Org ${i}` })) },
  });
  const list = (query) => rest(t.sandbox, 'GET', `/organizations${query}`);

  async function walk(query) {
    const seen = [];
    let res = await list(query);
    for (;;) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...res.body.results.map((o) => o.externalId));
      if (res.body.next === null) return seen;
      res = await list(`${query}${query ? '&' : '?'}from=${encodeURIComponent(res.body.next)}`);
    }
  }

  it('answers { results, next } with 100 results by default, newest first', async () => {
    const res = await list('');
    assert.deepEqual(Object.keys(res.body).sort(), ['next', 'results']);
    assert.equal(res.body.results.length, 100);
    assert.equal(res.body.results[0].externalId, 'o-249');
    assert.equal(typeof res.body.next, 'string');
  });

  it('walks every object exactly once through the from cursor, with next null on the last page', async () => {
    const seen = await walk('?limit=30');
    assert.equal(seen.length, 250);
    assert.equal(new Set(seen).size, 250);
    assert.deepEqual(seen.slice(0, 2), ['o-249', 'o-248']);
  });

  it('orders by updatedAt by default and by createdAt on request', async () => {
    await rest(t.sandbox, 'PUT', '/organizations/o-3', { name: 'touched' });
    assert.equal((await list('?limit=1')).body.results[0].externalId, 'o-3');
    assert.equal((await list('?limit=1&sortBy=createdAt')).body.results[0].externalId, 'o-249');
    const byCreation = await walk('?sortBy=createdAt&limit=100');
    assert.deepEqual(byCreation.slice(-2), ['o-1', 'o-0']);
  });

  it('gives next null when a page is exactly the last objects', async () => {
    const res = await list('?limit=100&sortBy=createdAt');
    const second = await list(`?limit=100&sortBy=createdAt&from=${res.body.next}`);
    const third = await list(`?limit=100&sortBy=createdAt&from=${second.body.next}`);
    assert.equal(third.body.results.length, 50);
    assert.equal(third.body.next, null);
    assert.deepEqual((await rest(t.sandbox, 'GET', '/accounts')).body, { results: [], next: null });
  });

  it('rejects a limit outside 1..100 (no clamping), an unknown sortBy and a foreign cursor with 400', async () => {
    for (const q of ['?limit=101', '?limit=0', '?limit=abc', '?limit=2.5']) {
      const res = await list(q);
      assert.equal(res.status, 400, q);
      assert.match(res.body.error, /limit/);
    }
    assert.match((await list('?sortBy=name')).body.error, /sortBy/);
    const { next } = (await list('?limit=10')).body;
    assert.match((await list(`?sortBy=createdAt&from=${next}`)).body.error, /from/);
    assert.equal((await list('?from=garbage')).status, 400);
  });
});
