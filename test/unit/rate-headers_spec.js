'use strict';
const assert = require('node:assert/strict');

const { readRateInfo, resetToMs, retryAfterToMs } = require('../../dist/delivery/rate-headers');

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);

describe('delivery/rate-headers', function () {
  it('reads RateLimit-Remaining and RateLimit-Reset (seconds from now)', function () {
    const info = readRateInfo({ 'ratelimit-remaining': '42', 'ratelimit-reset': '30' }, NOW);
    assert.equal(info.remaining, 42);
    assert.equal(info.resetMs, 30000);
    assert.equal(info.retryAfterMs, undefined);
  });

  it('reads header names case-insensitively', function () {
    for (const headers of [
      { 'RateLimit-Remaining': '7', 'RateLimit-Reset': '2' },
      { 'RATELIMIT-REMAINING': 7, 'ratelimit-RESET': 2 },
      { 'X-RateLimit-Remaining': '7', 'X-RATELIMIT-RESET': '2' },
    ]) {
      const info = readRateInfo(headers, NOW);
      assert.equal(info.remaining, 7, JSON.stringify(headers));
      assert.equal(info.resetMs, 2000, JSON.stringify(headers));
    }
    assert.equal(readRateInfo({ 'Retry-After': '3' }, NOW).retryAfterMs, 3000);
  });

  it('falls back to X-RateLimit-* and prefers RateLimit-* when both are there', function () {
    assert.equal(readRateInfo({ 'x-ratelimit-remaining': '5' }, NOW).remaining, 5);
    const both = readRateInfo(
      { 'x-ratelimit-remaining': '5', 'ratelimit-remaining': '9', 'x-ratelimit-reset': '100', 'ratelimit-reset': '1' },
      NOW,
    );
    assert.equal(both.remaining, 9);
    assert.equal(both.resetMs, 1000);
  });

  it('takes the first number of structured or repeated values', function () {
    assert.equal(readRateInfo({ 'ratelimit-remaining': '999, 1000;w=60' }, NOW).remaining, 999);
    assert.equal(readRateInfo({ 'ratelimit-remaining': ['3', '8'] }, NOW).remaining, 3);
    assert.equal(readRateInfo({ 'ratelimit-reset': '0.5' }, NOW).resetMs, 500);
    assert.equal(readRateInfo({ 'ratelimit-remaining': '0' }, NOW).remaining, 0);
  });

  it('answers nothing for missing, null or non-numeric headers', function () {
    // Every field undefined (whatever fields the reader grows).
    const nothing = (info) => Object.values(info).every((v) => v === undefined);
    assert.deepEqual(readRateInfo(undefined, NOW), {});
    assert.ok(nothing(readRateInfo({}, NOW)));
    const unreadable = readRateInfo(
      { 'ratelimit-remaining': null, 'ratelimit-reset': 'soon', 'retry-after': 'later' },
      NOW,
    );
    assert.ok(nothing(unreadable), JSON.stringify(unreadable));
    assert.ok('remaining' in unreadable && 'resetMs' in unreadable && 'retryAfterMs' in unreadable);
  });

  it('ignores garbage and negative values rather than reading a wait into them', function () {
    for (const value of ['-5', '-1, 10', 'abc5', 'soon 30', '5 minutes', '1e99', 'NaN', '--3', '+3', '']) {
      const info = readRateInfo({ 'ratelimit-remaining': value, 'ratelimit-reset': value, 'retry-after': value }, NOW);
      assert.equal(info.remaining, undefined, JSON.stringify(value));
      assert.equal(info.resetMs, undefined, JSON.stringify(value));
      assert.equal(info.retryAfterMs, undefined, JSON.stringify(value));
    }
    assert.equal(readRateInfo({ 'ratelimit-remaining': ' 12 ;w=60' }, NOW).remaining, 12);
  });

  it('reads a huge number as what it says (the scheduler caps the pause)', function () {
    assert.equal(readRateInfo({ 'ratelimit-reset': '99999999' }, NOW).resetMs, 99999999 * 1000);
    assert.equal(readRateInfo({ 'retry-after': '86400' }, NOW).retryAfterMs, 86400 * 1000);
    assert.equal(retryAfterToMs('1'.repeat(400), NOW), undefined, 'not finite: ignored');
  });

  describe('Retry-After', function () {
    it('in seconds', function () {
      assert.equal(retryAfterToMs('120', NOW), 120000);
      assert.equal(retryAfterToMs(' 1.5 ', NOW), 1500);
      assert.equal(retryAfterToMs('0', NOW), 0);
    });

    it('as an HTTP date, relative to now and never negative', function () {
      assert.equal(retryAfterToMs(new Date(NOW + 45000).toUTCString(), NOW), 45000);
      assert.equal(retryAfterToMs('Mon, 01 Jan 2024 12:01:00 GMT', NOW), 60000);
      assert.equal(retryAfterToMs(new Date(NOW - 5000).toUTCString(), NOW), 0);
      assert.equal(readRateInfo({ 'retry-after': new Date(NOW + 2000).toUTCString() }, NOW).retryAfterMs, 2000);
    });

    it('unreadable: undefined', function () {
      assert.equal(retryAfterToMs('whenever', NOW), undefined);
      assert.equal(retryAfterToMs('-10', NOW), undefined, 'a negative number is no date either');
    });
  });

  describe('reset', function () {
    it('small values are seconds from now', function () {
      assert.equal(resetToMs(0, NOW), 0);
      assert.equal(resetToMs(60, NOW), 60000);
      assert.equal(resetToMs(86400, NOW), 86400000);
    });

    it('epoch seconds and epoch milliseconds are turned into ms from now', function () {
      assert.equal(resetToMs(NOW / 1000 + 30, NOW), 30000);
      assert.equal(resetToMs(NOW + 1234, NOW), 1234);
      assert.equal(resetToMs(NOW / 1000 - 30, NOW), 0, 'a reset in the past is now');
      assert.equal(resetToMs(NOW - 1, NOW), 0);
      assert.equal(readRateInfo({ 'x-ratelimit-reset': String(NOW / 1000 + 7) }, NOW).resetMs, 7000);
    });

    it('is never negative', function () {
      assert.equal(resetToMs(-5, NOW), 0);
    });
  });
});
