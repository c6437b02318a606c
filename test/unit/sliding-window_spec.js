'use strict';
const assert = require('node:assert/strict');

const { SlidingWindow } = require('../../dist/delivery/sliding-window');
const { seeded } = require('./helpers');

/** Asserts no `windowMs` span (s - windowMs, s] holds more than `limit` of the sorted start times. */
function assertNoWindowOverLimit(starts, limit, windowMs, context) {
  let lo = 0;
  for (let hi = 0; hi < starts.length; hi++) {
    while (starts[lo] <= starts[hi] - windowMs) lo++;
    const n = hi - lo + 1;
    if (n > limit) {
      assert.fail(
        `${context}: ${n} starts in (${starts[hi] - windowMs}, ${starts[hi]}] with limit ${limit}: ` +
          `${JSON.stringify(starts.slice(lo, hi + 1))}`,
      );
    }
  }
}

describe('delivery/sliding-window', function () {
  it('refuses a non-positive limit or window', function () {
    assert.throws(() => new SlidingWindow(0, 1000), RangeError);
    assert.throws(() => new SlidingWindow(10, 0), RangeError);
    assert.throws(() => new SlidingWindow(NaN, 1000), RangeError);
    assert.throws(() => new SlidingWindow(10, -1), RangeError);
  });

  it('costs nothing up front for a huge limit, and grows as requests fill it', function () {
    const w = new SlidingWindow(1e9, 60000);
    for (let i = 0; i < 5000; i++) {
      w.start();
      w.finish(i);
    }
    assert.equal(w.available(5000), 1e9 - 5000, 'every response is still in the window after growing');
    assert.equal(w.available(70000), 1e9, 'and all leave it');
  });

  it('lets `limit` requests start at once, then waits for a response (Infinity)', function () {
    const w = new SlidingWindow(3, 1000);
    for (let i = 0; i < 3; i++) {
      assert.equal(w.delay(0), 0);
      w.start();
    }
    assert.equal(w.delay(0), Infinity);
    assert.equal(w.throttledFor(0), 0, 'status shows no finite throttle while waiting on responses');
    assert.equal(w.available(0), 0);
  });

  it('frees a slot windowMs (plus a small margin) after its response arrived', function () {
    const w = new SlidingWindow(2, 1000);
    w.start();
    w.start();
    w.finish(100);
    const d = w.delay(100);
    assert.ok(d >= 1000 && d <= 1010, `delay ${d}`);
    assert.equal(w.delay(100 + d - 1), 1);
    assert.equal(w.delay(100 + d), 0);
    assert.equal(w.available(100 + d), 1);
  });

  describe('randomised: never more than `limit` starts in any window', function () {
    const SEQUENCES = 3000;

    it(`holds over ${SEQUENCES} random start/finish sequences, and runs at the limit`, function () {
      let totalStarts = 0;
      let throttledChecks = 0;
      for (let seq = 0; seq < SEQUENCES; seq++) {
        const seed = 0x5eed + seq;
        const rnd = seeded(seed);
        const limit = 1 + Math.floor(rnd() * 12);
        const windowMs = 5 + Math.floor(rnd() * 300);
        const w = new SlidingWindow(limit, windowMs);
        const ctx = `seed ${seed} (limit ${limit}, window ${windowMs})`;
        let now = 0;
        let inflight = 0;
        const starts = [];
        const finishes = [];
        let jumpTo;
        for (let step = 0; step < 120; step++) {
          if (jumpTo !== undefined) {
            now = jumpTo;
            jumpTo = undefined;
            // Exactly when the window said: a slot is free (no gate or pause here).
            assert.equal(w.delay(now), 0, `${ctx}: not free at the promised time ${now}`);
          } else {
            const r = rnd();
            now += r < 0.2 ? 0 : Math.floor(rnd() * (r < 0.9 ? windowMs / 4 : windowMs * 1.5));
          }
          // Some responses arrive (a finish at `now`).
          for (let i = inflight; i > 0; i--) {
            if (rnd() < 0.35) {
              w.finish(now);
              finishes.push(now);
              inflight--;
            }
          }
          // The caller wants to start a few requests.
          const wanted = Math.floor(rnd() * (limit + 3));
          for (let i = 0; i < wanted; i++) {
            const d = w.delay(now);
            if (d > 0) {
              throttledChecks++;
              // At the limit, not under it: every slot is held by a request in flight or one
              // that finished within the window (plus a few ms of margin).
              const recent = finishes.filter((f) => f > now - windowMs - 5).length;
              assert.ok(
                inflight + recent >= limit,
                `${ctx}: throttled at ${now} with only ${inflight + recent} of ${limit} slots used`,
              );
              if (d === Infinity) {
                assert.ok(inflight >= limit, `${ctx}: waiting on responses with only ${inflight} in flight`);
              } else if (rnd() < 0.5) {
                if (d > 1) assert.equal(w.delay(now + d - 1), 1, `${ctx}: delay is not exact`);
                jumpTo = now + d;
              }
              break;
            }
            w.start();
            inflight++;
            starts.push(now);
          }
        }
        assertNoWindowOverLimit(starts, limit, windowMs, ctx);
        totalStarts += starts.length;
      }
      assert.ok(totalStarts > SEQUENCES * 50, `the simulation started requests (${totalStarts})`);
      assert.ok(throttledChecks > SEQUENCES, `the simulation hit the limit often (${throttledChecks})`);
    });

    it('with instant responses, sustains the full limit per window', function () {
      const limit = 50;
      const windowMs = 1000;
      const w = new SlidingWindow(limit, windowMs);
      const starts = [];
      for (let now = 0; now < 20 * windowMs; now++) {
        for (let k = 0; w.delay(now) === 0; k++) {
          assert.ok(k < limit, `more than ${limit} starts at ${now}`);
          w.start();
          w.finish(now);
          starts.push(now);
        }
      }
      assertNoWindowOverLimit(starts, limit, windowMs, 'instant');
      // The slot is held from the response, plus a margin of a few ms: >= 99% of the limit.
      assert.ok(starts.length >= 20 * limit * 0.99, `started ${starts.length} of ${20 * limit}`);
    });
  });

  describe('observe: the server count when it is stricter', function () {
    it('gates starts to what the server says is left until reset, then lets one probe through', function () {
      const w = new SlidingWindow(10, 1000);
      w.start();
      w.finish(5);
      // Another client used the key: the server has 2 left, window resets in 500 ms.
      w.observe(5, 2, 500);
      assert.equal(w.delay(5), 0);
      w.start();
      assert.equal(w.delay(5), 0);
      w.start();
      assert.equal(w.delay(5), 500, 'waits for the server reset');
      assert.equal(w.throttledFor(300), 205);
      assert.equal(w.delay(504), 1);
      // Reset passed: exactly one probe.
      assert.equal(w.delay(505), 0);
      w.start();
      assert.equal(w.delay(505), Infinity, 'one probe at a time');
      assert.equal(w.delay(590), Infinity, 'still waiting for the probe');
      // The probe's answer shows room again: our own count rules.
      w.finish(600);
      w.observe(600, 9, 400);
      assert.equal(w.delay(600), 0);
      assert.equal(w.available(600), 10 - 2 - 2);
    });

    it('a probe answered with a still-low count gates again until the new reset', function () {
      const w = new SlidingWindow(10, 1000);
      w.observe(0, 0, 300);
      assert.equal(w.delay(0), 300);
      assert.equal(w.delay(300), 0);
      w.start();
      assert.equal(w.delay(300), Infinity);
      w.finish(310);
      w.observe(310, 0, 200);
      assert.equal(w.delay(310), 200);
      assert.equal(w.delay(510), 0);
    });

    it('takes requests in flight off what the server says is left', function () {
      const w = new SlidingWindow(10, 1000);
      for (let i = 0; i < 3; i++) w.start();
      w.observe(0, 5, 1000);
      assert.equal(w.delay(0), 0);
      w.start();
      assert.equal(w.delay(0), 0);
      w.start();
      assert.equal(w.delay(0), 1000);
    });

    it('ignores a server count at or above ours, and clears a gate when one arrives', function () {
      const w = new SlidingWindow(5, 1000);
      w.observe(0, 100, 10);
      for (let i = 0; i < 5; i++) {
        assert.equal(w.delay(0), 0);
        w.start();
      }
      assert.equal(w.delay(0), Infinity, 'our own limit still applies');
      const g = new SlidingWindow(5, 1000);
      g.observe(0, 1, 1000);
      g.start();
      assert.equal(g.delay(0), 1000);
      g.finish(1);
      g.observe(1, 4, 1000);
      assert.equal(g.delay(1), 0);
    });

    it('without a reset header, gates for one window', function () {
      const w = new SlidingWindow(5, 2000);
      w.observe(100, 0, undefined);
      assert.equal(w.delay(100), 2000);
    });

    it('a response without rate headers (network error) releases a probe gate but not a timed one', function () {
      const w = new SlidingWindow(5, 1000);
      w.observe(0, 0, 100);
      w.observe(50, undefined, undefined);
      assert.equal(w.delay(50), 50, 'the timed gate stays');
      assert.equal(w.delay(100), 0);
      w.start();
      assert.equal(w.delay(100), Infinity);
      w.finish(120);
      w.observe(120, undefined, undefined);
      assert.equal(w.delay(120), 0, 'the probe failed without news: no gate held open forever');
    });
  });

  describe('pauseUntil', function () {
    it('starts nothing until the given time, and never shortens a pause', function () {
      const w = new SlidingWindow(100, 1000);
      w.pauseUntil(2000);
      assert.equal(w.delay(0), 2000);
      assert.equal(w.throttledFor(500), 1500);
      w.pauseUntil(1500);
      assert.equal(w.delay(1600), 400);
      assert.equal(w.delay(1999), 1);
      assert.equal(w.delay(2000), 0);
      assert.equal(w.available(2000), 100, 'a pause uses no slots');
    });

    it('combines with the window: the longer wait wins', function () {
      const w = new SlidingWindow(1, 1000);
      w.start();
      w.finish(0);
      w.pauseUntil(100);
      const d = w.delay(0);
      assert.ok(d >= 1000, `delay ${d}`);
      w.pauseUntil(5000);
      assert.equal(w.delay(0), 5000);
    });
  });

  describe('the RateBudget interface', function () {
    it('take() gives a slot while there is room, else how long to wait', function () {
      const w = new SlidingWindow(2, 1000);
      assert.ok('slot' in w.take(0));
      assert.ok('slot' in w.take(0));
      assert.deepEqual(w.take(0), { waitMs: Infinity }, 'both in flight: wait for a response');
      w.release(undefined, 10);
      const wait = w.take(10);
      assert.ok(wait.waitMs >= 1000 && wait.waitMs <= 1010, `wait ${wait.waitMs}`);
      assert.ok('slot' in w.take(10 + wait.waitMs));
    });

    it('cancel() gives back a slot that never counted (the request was not sent)', function () {
      const w = new SlidingWindow(2, 1000);
      const { slot } = w.take(0);
      w.take(0);
      w.cancel(slot);
      assert.equal(w.available(0), 1);
      assert.ok('slot' in w.take(0));
      assert.equal(w.available(5000), 0, 'the other slot is still in flight');
    });

    it('cancel() during a probe lets another request probe', function () {
      const w = new SlidingWindow(10, 1000);
      w.observe(0, 0, 100);
      const probe = w.take(100);
      assert.ok('slot' in probe);
      assert.deepEqual(w.take(100), { waitMs: Infinity });
      w.cancel(probe.slot);
      assert.ok('slot' in w.take(100), 'the cancelled probe never reached the server');
    });

    it('pause(): nothing until it ends, then one probe, with the cause for the status', function () {
      const w = new SlidingWindow(100, 1000);
      w.pause(0, 5000, 'HTTP 429');
      assert.deepEqual(w.take(0), { waitMs: 5000 });
      assert.equal(w.throttledFor(1000), 4000);
      const info = w.pauseInfo(1000);
      assert.equal(info.cause, 'HTTP 429');
      assert.ok(Math.abs(info.until - (Date.now() + 4000)) < 50, 'until is wall-clock time');
      assert.ok('slot' in w.take(5000), 'the probe');
      assert.deepEqual(w.take(5000), { waitMs: Infinity }, 'the rest wait for its answer');
      w.release(undefined, 5050);
      w.observe(5050, undefined, undefined);
      assert.ok('slot' in w.take(5050), 'an answer reopens the window');
      assert.equal(w.pauseInfo(5050), undefined);
    });

    it('pause() never shortens a pause in force', function () {
      const w = new SlidingWindow(100, 1000);
      w.pause(0, 5000, 'HTTP 429');
      w.pause(1000, 1000, 'HTTP 429 again');
      assert.equal(w.take(2500).waitMs, 2500);
      assert.equal(w.pauseInfo(2500).cause, 'HTTP 429');
    });

    it('pauseInfo names a server count of 0 as the cause, and nothing when there is no hold', function () {
      const w = new SlidingWindow(100, 1000);
      assert.equal(w.pauseInfo(0), undefined);
      w.observe(0, 0, 3000);
      assert.equal(w.pauseInfo(10).cause, 'RateLimit-Remaining 0');
      assert.equal(w.pauseInfo(3000), undefined);
    });
  });
});
