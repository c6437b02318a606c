'use strict';
const assert = require('node:assert/strict');

const { acquireBudget, releaseBudget } = require('../../dist/delivery/budgets');

describe('delivery/budgets', function () {
  let n = 0;
  // Each test uses hosts of its own: the registry is process-wide.
  const host = () => `https://t${++n}.rest.vitally.io/resources`;

  it('gives config nodes with the same key, host and limits one shared window', function () {
    const h = host();
    const a = acquireBudget(h, 'key-1', 100, 60000);
    const b = acquireBudget(h, 'key-1', 100, 60000);
    assert.equal(a, b);
    assert.notEqual(acquireBudget(h, 'key-2', 100, 60000), a, 'another key');
    assert.notEqual(acquireBudget(host(), 'key-1', 100, 60000), a, 'another host');
    assert.notEqual(acquireBudget(h, 'key-1', 50, 60000), a, 'other limits');
  });

  it('keeps a released window for a redeploy within the window, and forgets it after', async function () {
    const h = host();
    const first = acquireBudget(h, 'k', 10, 30);
    first.start();
    first.finish(performance.now());
    releaseBudget(first);
    const again = acquireBudget(h, 'k', 10, 30);
    assert.equal(again, first, 'the redeployed config node sees the request it made');
    assert.equal(again.available(performance.now()), 9);
    releaseBudget(again);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const later = acquireBudget(h, 'k', 10, 30);
    assert.notEqual(later, first);
  });
});
