'use strict';
const assert = require('node:assert/strict');
const { ServerRateWindow, rateLimitHeaders } = require('../../dist/sandbox/rate-window');

describe('sandbox rate window (pure, injected clock)', () => {
  it('takes exactly `limit` events inside one window and refuses the next without counting it', () => {
    const w = new ServerRateWindow(3, 1000);
    assert.equal(w.tryRecord(0), true);
    assert.equal(w.tryRecord(10), true);
    assert.equal(w.tryRecord(20), true);
    assert.equal(w.tryRecord(30), false);
    assert.equal(w.tryRecord(999), false);
    assert.equal(w.remaining(999), 0);
  });

  it('frees one slot as each event leaves the window, never a whole window at once', () => {
    const w = new ServerRateWindow(3, 1000);
    [0, 100, 200].forEach((t) => w.tryRecord(t));
    assert.equal(w.tryRecord(999), false);
    assert.equal(w.tryRecord(1000), true, 'the event at 0 has left at 1000');
    assert.equal(w.tryRecord(1001), false, 'the one at 100 is still inside');
    assert.equal(w.tryRecord(1100), true);
    assert.equal(w.remaining(1100), 0);
    assert.equal(w.remaining(5000), 3);
  });

  it('never lets more than `limit` events into any window-long span', () => {
    const w = new ServerRateWindow(50, 1000);
    const accepted = [];
    for (let t = 0; t < 10000; t += 7) if (w.tryRecord(t)) accepted.push(t);
    for (let i = 0; i + 50 < accepted.length; i++)
      assert.ok(accepted[i + 50] - accepted[i] >= 1000, `span at ${accepted[i]}`);
    assert.ok(accepted.length >= 50 * 9, 'and it runs at the limit');
  });

  it('reports Reset as whole seconds, rounded up, until the oldest event leaves', () => {
    const w = new ServerRateWindow(10, 60000);
    assert.equal(w.resetSeconds(0), 0, 'empty window');
    w.tryRecord(1000);
    w.tryRecord(30000);
    assert.equal(w.resetSeconds(1000), 60);
    assert.equal(w.resetSeconds(1500), 60);
    assert.equal(w.resetSeconds(60001), 1);
    assert.equal(w.resetSeconds(61000), 29, 'the oldest has left; the next is at 30000');
  });

  it('formats the RateLimit headers as Vitally documents them', () => {
    const w = new ServerRateWindow(1000, 60000);
    w.tryRecord(0);
    assert.deepEqual(rateLimitHeaders(w, 500), {
      'RateLimit-Limit': '1000, 1000;window=60',
      'RateLimit-Remaining': '999',
      'RateLimit-Reset': '60',
    });
  });

  it('grows its buffer on demand, so a huge limit costs nothing up front', () => {
    const w = new ServerRateWindow(1e9, 1000);
    for (let i = 0; i < 100000; i++) assert.ok(w.tryRecord(i / 1000));
    assert.equal(w.remaining(100), 1e9 - 100000);
    assert.equal(w.remaining(1000), 1e9 - 100000 + 1, 'the event at 0 has left');
  });

  it('keeps counted events across a reconfigure, so changing limits cannot open a burst', () => {
    const w = new ServerRateWindow(10, 1000);
    for (let t = 0; t < 5; t++) w.tryRecord(t);
    w.reconfigure(3, 2000);
    assert.equal(w.remaining(10), 0);
    assert.equal(w.tryRecord(1999), false);
    assert.equal(w.tryRecord(2003), true, 'events 2, 3 and 4 were kept; 2 and 3 have left by 2003');
  });

  it('counts units: an event of cost c takes c units until it leaves, and one that does not fit takes none', () => {
    const w = new ServerRateWindow(10, 1000);
    assert.equal(w.tryRecord(0, 5), true);
    assert.equal(w.tryRecord(100, 1), true);
    assert.equal(w.remaining(100), 4);
    assert.equal(w.hasRoom(200, 5), false);
    assert.equal(w.tryRecord(200, 5), false);
    assert.equal(w.remaining(200), 4, 'the refused event took nothing');
    assert.equal(w.hasRoom(200, 4), true);
    assert.equal(w.remaining(1000), 9, 'the 5 units recorded at 0 have left');
    assert.throws(() => w.tryRecord(1000, 0), /cost/);
    assert.throws(() => w.tryRecord(1000, 1.5), /cost/);
  });

  it('says in whole seconds, rounded up, when an event of a given cost will fit', () => {
    const w = new ServerRateWindow(3, 2000);
    w.tryRecord(0);
    w.tryRecord(1100);
    w.tryRecord(1100);
    assert.equal(w.secondsUntilRoom(1150, 1), 1, 'a read fits once the event at 0 leaves, at 2000');
    assert.equal(w.resetSeconds(1150), 1);
    assert.equal(w.secondsUntilRoom(1150, 2), 2, 'two units are free only at 3100');
    assert.equal(w.secondsUntilRoom(1150, 3), 2);
    assert.equal(w.secondsUntilRoom(2050, 1), 0, 'fits now');
    assert.equal(w.secondsUntilRoom(2050, 2), 2, '1050 ms, rounded up');
    assert.equal(w.secondsUntilRoom(3100, 3), 0);
    assert.equal(w.secondsUntilRoom(0, 4), 2, 'more than the limit never fits: one whole window');
  });

  it('keeps the most recent units that fit a lower limit on reconfigure', () => {
    const w = new ServerRateWindow(20, 1000);
    w.tryRecord(0, 5);
    w.tryRecord(10, 5);
    w.tryRecord(20, 1);
    w.reconfigure(8, 1000);
    assert.equal(w.remaining(30), 2, 'the 5 at 10 and the 1 at 20 are kept; the 5 at 0 would not fit');
    assert.equal(w.remaining(1015), 7, 'the 5 at 10 has left');
  });

  it('grows its buffers on demand with costs kept in order', () => {
    const w = new ServerRateWindow(1000, 1000);
    for (let i = 0; i < 100; i++) assert.ok(w.tryRecord(i, (i % 3) + 1));
    assert.equal(w.remaining(100), 1000 - 199);
    assert.equal(w.remaining(1000), 1000 - 199 + 1, 'the cost-1 event at 0 left first');
    assert.equal(w.remaining(1001), 1000 - 199 + 3);
  });

  it('rejects a limit that is not a positive integer or a window that is not positive', () => {
    assert.throws(() => new ServerRateWindow(0, 1000), /rateLimit/);
    assert.throws(() => new ServerRateWindow(1.5, 1000), /rateLimit/);
    assert.throws(() => new ServerRateWindow(10, 0), /windowMs/);
  });
});
