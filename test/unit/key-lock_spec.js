'use strict';
const assert = require('node:assert/strict');

const { KeyLock } = require('../../dist/delivery/key-lock');

/** A task the test finishes: `log` records its start and end. */
function task(log, name) {
  const t = {};
  t.run = () => {
    log.push(`start ${name}`);
    return new Promise((resolve, reject) => {
      t.resolve = (v) => {
        log.push(`end ${name}`);
        resolve(v);
      };
      t.reject = (e) => {
        log.push(`fail ${name}`);
        reject(e);
      };
    });
  };
  return t;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('delivery/key-lock', function () {
  it('runs the tasks of one key one at a time, in the order they were queued', async function () {
    const lock = new KeyLock();
    const log = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => task(log, n));
    const results = [lock.run('k', a.run), lock.run('k', b.run), lock.run('k', c.run)];
    await tick();
    assert.deepEqual(log, ['start a']);
    a.resolve(1);
    await tick();
    assert.deepEqual(log, ['start a', 'end a', 'start b']);
    b.resolve(2);
    await tick();
    c.resolve(3);
    assert.deepEqual(await Promise.all(results), [1, 2, 3]);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs tasks of different keys at once', async function () {
    const lock = new KeyLock();
    const log = [];
    const a = task(log, 'a');
    const b = task(log, 'b');
    lock.run('k1', a.run);
    lock.run('k2', b.run);
    await tick();
    assert.deepEqual(log, ['start a', 'start b']);
    a.resolve();
    b.resolve();
  });

  it('a task that fails (or throws) rejects its own result and lets the next one run', async function () {
    const lock = new KeyLock();
    const log = [];
    const a = task(log, 'a');
    const b = task(log, 'b');
    const first = lock.run('k', a.run);
    const thrown = lock.run('k', () => {
      throw new Error('sync');
    });
    const second = lock.run('k', b.run);
    await tick();
    a.reject(new Error('boom'));
    await assert.rejects(first, /boom/);
    await assert.rejects(thrown, /sync/);
    await tick();
    assert.deepEqual(log, ['start a', 'fail a', 'start b']);
    b.resolve('ok');
    assert.equal(await second, 'ok');
  });

  it('holds no key once its last task has ended', async function () {
    const lock = new KeyLock();
    await Promise.all([lock.run('k1', async () => 1), lock.run('k1', async () => 2), lock.run('k2', async () => 3)]);
    await tick();
    assert.equal(lock.tails.size, 0);
    const log = [];
    const later = task(log, 'later');
    const p = lock.run('k1', later.run);
    await tick();
    assert.deepEqual(log, ['start later'], 'a key used before starts at once');
    later.resolve();
    await p;
  });
});
