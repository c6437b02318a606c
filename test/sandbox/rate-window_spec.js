'use strict';
const assert = require('node:assert/strict');
const { SlidingWindow, rateLimitHeaders } = require('../../dist/sandbox/rate-window');

describe('sandbox rate window (pure, injected clock)', () => {
  it('takes exactly `limit` events inside one window and refuses the next without counting it', () => {
    const w = new SlidingWindow(3, 1000);
    assert.equal(w.tryRecord(0), true);
    assert.equal(w.tryRecord(10), true);
    assert.equal(w.tryRecord(20), true);
    assert.equal(w.tryRecord(30), false);
    assert.equal(w.tryRecord(999), false);
    assert.equal(w.remaining(999), 0);
  });

  it('frees one slot as each event leaves the window, never a whole window at once', () => {
    const w = new SlidingWindow(3, 1000);
    [0, 100, 200].forEach((t) => w.tryRecord(t));
    assert.equal(w.tryRecord(999), false);
    assert.equal(w.tryRecord(1000), true, 'the event at 0 has left at 1000');
    assert.equal(w.tryRecord(1001), false, 'the one at 100 is still inside');
    assert.equal(w.tryRecord(1100), true);
    assert.equal(w.remaining(1100), 0);
    assert.equal(w.remaining(5000), 3);
  });

  it('never lets more than `limit` events into any window-long span', () => {
    const w = new SlidingWindow(50, 1000);
    const accepted = [];
    for (let t = 0; t < 10000; t += 7) if (w.tryRecord(t)) accepted.push(t);
    for (let i = 0; i + 50 < accepted.length; i++)
      assert.ok(accepted[i + 50] - accepted[i] >= 1000, `span at ${accepted[i]}`);
    assert.ok(accepted.length >= 50 * 9, 'and it runs at the limit');
  });

  it('reports Reset as whole seconds, rounded up, until the oldest event leaves', () => {
    const w = new SlidingWindow(10, 60000);
    assert.equal(w.resetSeconds(0), 0, 'empty window');
    w.tryRecord(1000);
    w.tryRecord(30000);
    assert.equal(w.resetSeconds(1000), 60);
    assert.equal(w.resetSeconds(1500), 60);
    assert.equal(w.resetSeconds(60001), 1);
    assert.equal(w.resetSeconds(61000), 29, 'the oldest has left; the next is at 30000');
  });

  it('formats the RateLimit headers as Vitally documents them', () => {
    const w = new SlidingWindow(1000, 60000);
    w.tryRecord(0);
    assert.deepEqual(rateLimitHeaders(w, 500), {
      'RateLimit-Limit': '1000, 1000;window=60',
      'RateLimit-Remaining': '999',
      'RateLimit-Reset': '60',
    });
  });

  it('grows its buffer on demand, so a huge limit costs nothing up front', () => {
    const w = new SlidingWindow(1e9, 1000);
    for (let i = 0; i < 100000; i++) assert.ok(w.tryRecord(i / 1000));
    assert.equal(w.remaining(100), 1e9 - 100000);
    assert.equal(w.remaining(1000), 1e9 - 100000 + 1, 'the event at 0 has left');
  });

  it('keeps counted events across a reconfigure, so changing limits cannot open a burst', () => {
    const w = new SlidingWindow(10, 1000);
    for (let t = 0; t < 5; t++) w.tryRecord(t);
    w.reconfigure(3, 2000);
    assert.equal(w.remaining(10), 0);
    assert.equal(w.tryRecord(1999), false);
    assert.equal(w.tryRecord(2003), true, 'events 2, 3 and 4 were kept; 2 and 3 have left by 2003');
  });

  it('rejects a limit that is not a positive integer or a window that is not positive', () => {
    assert.throws(() => new SlidingWindow(0, 1000), /rateLimit/);
    assert.throws(() => new SlidingWindow(1.5, 1000), /rateLimit/);
    assert.throws(() => new SlidingWindow(10, 0), /windowMs/);
  });
});
