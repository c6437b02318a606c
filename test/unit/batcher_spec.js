'use strict';
const assert = require('node:assert/strict');

const { Batcher } = require('../../dist/delivery/batcher');
const { withFakeClock } = require('./helpers');

describe('delivery/batcher', function () {
  const fake = withFakeClock();
  let flushed;
  beforeEach(function () {
    flushed = [];
  });

  const batcher = (size, timeoutMs) => new Batcher(size, timeoutMs, (items) => flushed.push(items));

  it('flushes a batch as soon as it is full, in arrival order', function () {
    const b = batcher(3, 1000);
    for (let i = 0; i < 7; i++) b.add('k', i);
    assert.deepEqual(flushed, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.equal(b.pending, 1);
  });

  it('flushes a partial batch timeoutMs after its first item', function () {
    const b = batcher(10, 1000);
    b.add('k', 'a');
    fake.clock.tick(600);
    b.add('k', 'b');
    fake.clock.tick(399);
    assert.deepEqual(flushed, []);
    assert.equal(b.pending, 2);
    fake.clock.tick(1);
    assert.deepEqual(flushed, [['a', 'b']]);
    assert.equal(b.pending, 0);
    // The next item starts a new batch with its own timer.
    b.add('k', 'c');
    fake.clock.tick(999);
    assert.equal(flushed.length, 1);
    fake.clock.tick(1);
    assert.deepEqual(flushed, [['a', 'b'], ['c']]);
  });

  it('a full batch cancels its timer (no empty or double flush)', function () {
    const b = batcher(2, 1000);
    b.add('k', 1);
    b.add('k', 2);
    fake.clock.tick(5000);
    assert.deepEqual(flushed, [[1, 2]]);
    assert.equal(fake.clock.countTimers(), 0);
  });

  it('keeps one open batch per group key', function () {
    const b = batcher(2, 1000);
    b.add('x', 'x1');
    b.add('y', 'y1');
    b.add('x', 'x2');
    assert.deepEqual(flushed, [['x1', 'x2']]);
    b.add('z', 'z1');
    assert.equal(b.pending, 2);
    fake.clock.tick(1000);
    assert.deepEqual(flushed, [['x1', 'x2'], ['y1'], ['z1']]);
    assert.equal(b.pending, 0);
  });

  it('batch size 1 flushes each item at once', function () {
    const b = batcher(1, 1000);
    b.add('k', 1);
    b.add('k', 2);
    assert.deepEqual(flushed, [[1], [2]]);
    assert.equal(fake.clock.countTimers(), 0);
  });

  it('drain empties every open batch without flushing it, and stops the timers', function () {
    const b = batcher(10, 1000);
    b.add('x', 1);
    b.add('y', 2);
    b.add('x', 3);
    const items = b.drain();
    assert.deepEqual(items.sort(), [1, 2, 3]);
    assert.equal(b.pending, 0);
    assert.equal(fake.clock.countTimers(), 0, 'no timer left behind');
    fake.clock.tick(10000);
    assert.deepEqual(flushed, []);
    assert.deepEqual(b.drain(), []);
  });
});
