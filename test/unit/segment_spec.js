'use strict';
const assert = require('node:assert/strict');

const { encodeSegment } = require('../../dist/request/segment');
const { RecordError } = require('../../dist/core/errors');
const { throwsWith } = require('./helpers');

describe('request/segment', function () {
  it('encodes an id as exactly one path segment', function () {
    const encoded = encodeSegment('accountId', 'a/b?c#d');
    assert.equal(encoded, 'a%2Fb%3Fc%23d');
    assert.ok(!/[/?#]/.test(encoded));
    assert.equal(decodeURIComponent(encoded), 'a/b?c#d');
    // One segment once resolved against a base, too.
    const url = new URL(`https://h/resources/accounts/${encoded}`);
    assert.equal(url.pathname.split('/').length, 4);
    assert.equal(url.search, '');
    assert.equal(url.hash, '');
  });

  it('keeps plain ids as they are and encodes the rest', function () {
    assert.equal(encodeSegment('id', 'ext-123_ABC.x~'), 'ext-123_ABC.x~');
    assert.equal(encodeSegment('id', 'a b%c'), 'a%20b%25c');
    assert.equal(encodeSegment('id', '...'), '...');
    assert.equal(encodeSegment('id', 'a\\..'), 'a%5C..');
  });

  it('accepts numbers, 0 included', function () {
    assert.equal(encodeSegment('id', 12345), '12345');
    assert.equal(encodeSegment('id', 0), '0');
  });

  const refused = [
    [NaN, /not a finite number/],
    [Infinity, /not a finite number/],
    ['', /accountId is empty/],
    ['   ', /accountId is empty/],
    [null, /accountId is empty/],
    [undefined, /accountId is empty/],
    ['.', /cannot be sent as an id/],
    ['..', /cannot be sent as an id/],
    [{ id: 'x' }, /must be a string or a number, not object/],
    [['x'], /must be a string or a number, not an array/],
    [true, /must be a string or a number, not boolean/],
  ];
  for (const [value, pattern] of refused) {
    it(`refuses ${typeof value === 'number' ? value : (JSON.stringify(value) ?? 'undefined')} as a RecordError naming the parameter`, function () {
      throwsWith(() => encodeSegment('accountId', value), RecordError, pattern);
    });
  }
});
