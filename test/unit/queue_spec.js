'use strict';
const assert = require('node:assert/strict');

const { Queue } = require('../../dist/delivery/queue');
const { seeded } = require('./helpers');

describe('delivery/queue', function () {
  it('is first in, first out', function () {
    const q = new Queue();
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
    for (let i = 0; i < 5; i++) q.push(i);
    assert.equal(q.length, 5);
    assert.deepEqual([q.shift(), q.shift()], [0, 1]);
    q.push(5);
    assert.deepEqual([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()], [2, 3, 4, 5, undefined]);
    assert.equal(q.length, 0);
  });

  it('unshift puts an item back at the front, before and after shifts', function () {
    const q = new Queue();
    q.unshift('a');
    q.push('b');
    q.unshift('z');
    assert.equal(q.shift(), 'z');
    q.unshift('y');
    assert.deepEqual([q.shift(), q.shift(), q.shift()], ['y', 'a', 'b']);
  });

  it('extract removes the matching items and keeps the others in order', function () {
    const q = new Queue();
    for (let i = 0; i < 10; i++) q.push(i);
    q.shift();
    const odd = q.extract((n) => n % 2 === 1);
    assert.deepEqual(odd, [1, 3, 5, 7, 9]);
    assert.equal(q.length, 4);
    q.unshift(-1);
    q.push(10);
    const rest = [];
    while (q.length) rest.push(q.shift());
    assert.deepEqual(rest, [-1, 2, 4, 6, 8, 10]);
  });

  it('matches an array model over long random runs (compaction included)', function () {
    const rnd = seeded(42);
    const q = new Queue();
    const model = [];
    let next = 0;
    for (let i = 0; i < 50000; i++) {
      const r = rnd();
      if (r < 0.5) {
        q.push(next);
        model.push(next++);
      } else if (r < 0.9) {
        assert.equal(q.shift(), model.shift());
      } else if (r < 0.98) {
        q.unshift(next);
        model.unshift(next++);
      } else {
        const k = Math.floor(rnd() * 7) + 2;
        assert.deepEqual(
          q.extract((n) => n % k === 0),
          model.filter((n) => n % k === 0),
        );
        model.splice(0, model.length, ...model.filter((n) => n % k !== 0));
      }
      assert.equal(q.length, model.length);
    }
    // A long burst then a full drain (exercises the compaction after 1024 shifts).
    for (let i = 0; i < 5000; i++) {
      q.push(next);
      model.push(next++);
    }
    while (model.length) assert.equal(q.shift(), model.shift());
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
  });
});
