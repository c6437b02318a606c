'use strict';
const assert = require('node:assert/strict');

const { isRetryable, retryDelay } = require('../../dist/delivery/retry');
const { seeded } = require('./helpers');

const POLICY = { retries: 5, baseDelayMs: 500, maxDelayMs: 60000 };

describe('delivery/retry', function () {
  describe('isRetryable', function () {
    const table = [
      [undefined, true],
      [408, true],
      [429, true],
      [500, true],
      [502, true],
      [503, true],
      [504, true],
      [599, true],
      [400, false],
      [401, false],
      [403, false],
      [404, false],
      [409, false],
      [422, false],
    ];
    for (const [status, expected] of table) {
      it(`${status === undefined ? 'network error' : status} -> ${expected}`, function () {
        assert.equal(isRetryable(status), expected);
      });
    }
  });

  it('grows exponentially from the base delay', function () {
    const mid = () => 0.5;
    const delays = [1, 2, 3, 4, 5].map((a) => retryDelay(a, undefined, POLICY, mid));
    assert.deepEqual(delays, [375, 750, 1500, 3000, 6000]);
  });

  it('is capped at maxDelayMs, however many attempts', function () {
    for (const attempt of [8, 10, 20, 100, 1000]) {
      const d = retryDelay(attempt, undefined, POLICY, () => 0.999999);
      assert.ok(d <= POLICY.maxDelayMs && d >= POLICY.maxDelayMs / 2, `attempt ${attempt}: ${d}`);
      assert.ok(Number.isFinite(d));
    }
    assert.equal(
      retryDelay(3, undefined, { ...POLICY, maxDelayMs: 700 }, () => 0),
      350,
    );
  });

  it('honours a longer server wait, within the cap', function () {
    assert.equal(
      retryDelay(1, 10000, POLICY, () => 0),
      10000,
    );
    assert.equal(
      retryDelay(1, 0, POLICY, () => 0),
      250,
    );
    assert.equal(
      retryDelay(1, 100, POLICY, () => 0),
      250,
      'a shorter server wait does not shorten the backoff',
    );
    assert.equal(
      retryDelay(1, 120000, POLICY, () => 0),
      POLICY.maxDelayMs,
    );
  });

  it('jitters between half and all of the exponential step', function () {
    const rnd = seeded(7);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const exp = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1));
      const seen = new Set();
      for (let i = 0; i < 200; i++) {
        const d = retryDelay(attempt, undefined, POLICY, rnd);
        assert.ok(d >= exp / 2 && d <= exp, `attempt ${attempt}: ${d} outside [${exp / 2}, ${exp}]`);
        seen.add(Math.round(d));
      }
      assert.ok(seen.size > 50, `attempt ${attempt} spreads out (${seen.size} distinct delays)`);
    }
    // Math.random by default.
    const d = retryDelay(1, undefined, POLICY);
    assert.ok(d >= 250 && d <= 500);
  });
});
