'use strict';
const assert = require('node:assert/strict');

const { parseExclude, excludeAttributes, checkRequired, shortJson } = require('../../dist/request/body');
const { ConfigError, RecordError } = require('../../dist/core/errors');
const { getTemplate } = require('../../dist/catalogue');
const { DESIGN_TABLE, UPSERT_TABLE, validBody, throwsWith } = require('./helpers');

const check = (id, body) => checkRequired(getTemplate(id), body);

describe('request/body', function () {
  describe('parseExclude', function () {
    it('splits on commas, trims, drops empties, splits dotted paths', function () {
      assert.deepEqual(parseExclude('a, b.c'), [['a'], ['b', 'c']]);
      assert.deepEqual(parseExclude(' a ,, traits.secret ,'), [['a'], ['traits', 'secret']]);
      assert.deepEqual(parseExclude(''), []);
      assert.deepEqual(parseExclude(undefined), []);
      assert.deepEqual(parseExclude(' , '), []);
    });

    it('refuses a path through __proto__, prototype or constructor, anywhere in it, as a ConfigError', function () {
      for (const bad of [
        '__proto__',
        'a.__proto__',
        '__proto__.polluted',
        'traits.constructor.prototype',
        'prototype',
      ]) {
        throwsWith(() => parseExclude(`ok, ${bad}`), ConfigError, /goes through (__proto__|prototype|constructor)/);
      }
      // Only whole keys count: names that merely contain the words are ordinary attributes.
      assert.deepEqual(parseExclude('my__proto__, constructorName, traits.prototypes'), [
        ['my__proto__'],
        ['constructorName'],
        ['traits', 'prototypes'],
      ]);
    });

    it('refuses a dotted path with an empty part', function () {
      for (const bad of ['a..b', '.a', 'a.']) {
        throwsWith(() => parseExclude(bad), ConfigError, /empty part/);
      }
    });
  });

  describe('excludeAttributes', function () {
    const record = () => ({ a: 1, keep: 2, b: { c: 3, d: 4 }, traits: { secret: 's', plan: 'pro' }, list: [{ c: 1 }] });

    it('removes top-level and dotted attributes', function () {
      const out = excludeAttributes(record(), parseExclude('a, b.c, traits.secret'));
      assert.deepEqual(out, { keep: 2, b: { d: 4 }, traits: { plan: 'pro' }, list: [{ c: 1 }] });
    });

    it('never mutates the input, even deep inside', function () {
      const input = record();
      const before = JSON.parse(JSON.stringify(input));
      const out = excludeAttributes(input, parseExclude('a, b.c, traits.secret, traits'));
      assert.deepEqual(input, before);
      assert.notEqual(out, input);
      assert.deepEqual(out, { keep: 2, b: { d: 4 }, list: [{ c: 1 }] });
    });

    it('ignores paths that are absent or go through non-objects', function () {
      const input = record();
      assert.deepEqual(excludeAttributes(input, parseExclude('zzz, a.b.c, list.c, keep.x')), record());
      assert.equal(excludeAttributes('text', parseExclude('a')), 'text');
      assert.equal(excludeAttributes(null, parseExclude('a')), null);
      assert.deepEqual(excludeAttributes([{ a: 1 }], parseExclude('a')), [{ a: 1 }]);
    });

    it('with nothing to exclude returns the body itself', function () {
      const input = record();
      assert.equal(excludeAttributes(input, []), input);
      assert.equal(
        excludeAttributes(input, parseExclude('absent, traits.absent.deeper')),
        input,
        'nothing removed, nothing copied',
      );
    });
  });

  describe('checkRequired', function () {
    it('accepts a valid body for every write and upsert template', function () {
      for (const row of [...DESIGN_TABLE, ...UPSERT_TABLE]) check(row.id, validBody(row.id));
    });

    it('for every write and upsert template, names each missing required field', function () {
      for (const row of [...DESIGN_TABLE, ...UPSERT_TABLE]) {
        for (const group of row.required) {
          const body = validBody(row.id);
          for (const f of group.fields) delete body[f];
          throwsWith(
            () => check(row.id, body),
            RecordError,
            new RegExp(`^${group.fields.join(' or ')}\\b.*is required`),
          );
        }
      }
    });

    it('treats null and "" as missing', function () {
      throwsWith(() => check('createAccount', { externalId: '', name: 'x' }), RecordError, /^externalId is required/);
      throwsWith(() => check('createAccount', { externalId: 'e', name: null }), RecordError, /^name is required/);
    });

    it('refuses a body that is not an object', function () {
      throwsWith(() => check('createAccount', 'x'), RecordError, /must be an object, not string/);
      throwsWith(() => check('createAccount', null), RecordError, /not null/);
      throwsWith(() => check('createAccount', [{ externalId: 'e', name: 'n' }]), RecordError, /not an array/);
      throwsWith(() => check('updateAccount', 7), RecordError, /not number/);
    });

    it('one-of rules: either field satisfies them', function () {
      check('createNote', { note: 'n', noteDate: 'd', organizationId: 'o' });
      check('createNote', { note: 'n', noteDate: 'd', accountId: 'a' });
      throwsWith(
        () => check('createNote', { note: 'n', noteDate: 'd' }),
        RecordError,
        /accountId or organizationId is required/,
      );
      check('analyticsTrack', { event: 'e', accountId: 'a', properties: {} });
      check('analyticsTrack', { event: 'e', organizationId: 'o', properties: {} });
      throwsWith(
        () => check('analyticsTrack', { event: 'e', properties: {} }),
        RecordError,
        /^userId or accountId or organizationId is required$/,
      );
      check('createCustomObjectInstance', { name: 'n', organizationId: 'o' });
      throwsWith(
        () => check('createCustomObjectInstance', { name: 'n', accountId: 'a' }),
        RecordError,
        /customerId or organizationId is required/,
      );
    });

    it('createUser needs a non-empty accountIds or organizationIds array', function () {
      check('createUser', { externalId: 'u', organizationIds: ['o'] });
      for (const bad of [{ accountIds: [] }, { accountIds: 'acc1' }, { organizationIds: {} }, {}]) {
        throwsWith(
          () => check('createUser', { externalId: 'u', ...bad }),
          RecordError,
          /accountIds or organizationIds \(non-empty array\) is required/,
        );
      }
    });

    it('shows the malformed value it got', function () {
      throwsWith(() => check('createUser', { externalId: 'u', accountIds: 'acc1' }), RecordError, /got "acc1"/);
      // The value shown is the malformed one, not a null alternative.
      throwsWith(
        () => check('createUser', { externalId: 'u', accountIds: null, organizationIds: [] }),
        RecordError,
        /got \[\]/,
      );
    });

    it('createMeeting needs non-empty participants; createConversation any messages array', function () {
      throwsWith(
        () => check('createMeeting', { title: 't', participants: [] }),
        RecordError,
        /participants \(non-empty array\)/,
      );
      check('createConversation', { subject: 's', messages: [] });
      throwsWith(
        () => check('createConversation', { subject: 's', messages: 'hi' }),
        RecordError,
        /messages \(array\)/,
      );
      throwsWith(() => check('setMeetingTranscript', { transcript: { a: 1 } }), RecordError, /transcript \(array\)/);
    });

    it('Analytics traits and properties must be objects, which may be empty (design.md section 6)', function () {
      check('analyticsUser', { userId: 'u', accountId: 'a', traits: {} });
      check('analyticsUser', { userId: 'u', accountId: 'a', traits: { plan: 'pro' } });
      throwsWith(
        () => check('analyticsUser', { userId: 'u', accountId: 'a' }),
        RecordError,
        /^traits \(object, may be empty\) is required$/,
      );
      for (const bad of [[], 'pro', 7, true]) {
        throwsWith(
          () => check('analyticsUser', { userId: 'u', accountId: 'a', traits: bad }),
          RecordError,
          /traits \(object, may be empty\) is required; got /,
        );
        throwsWith(
          () => check('analyticsTrack', { event: 'e', userId: 'u', properties: bad }),
          RecordError,
          /properties \(object, may be empty\) is required; got /,
        );
      }
      throwsWith(
        () => check('analyticsCustomObjectInstance', { externalId: 'x', traits: {}, accountId: 'a' }),
        RecordError,
        /^customObjectId is required$/,
      );
    });

    it('NPS score must be an integer from 0 to 10', function () {
      const nps = (score) => ({ userId: 'u', respondedAt: '2024-01-01', score });
      for (const ok of [0, 1, 5, 10]) check('createNpsResponse', nps(ok));
      for (const bad of [-1, 11, 7.5, '7', NaN, true, null]) {
        throwsWith(() => check('createNpsResponse', nps(bad)), RecordError, /score \(integer 0-10\) is required/);
      }
    });

    it('quotes a long malformed value briefly', function () {
      const long = 'x'.repeat(500);
      assert.throws(
        () => check('createUser', { externalId: 'u', accountIds: long }),
        (err) => err instanceof RecordError && err.message.length < 200 && /got "x+\.\.\.$/.test(err.message),
      );
    });

    describe('alias hints', function () {
      it('task "title" -> "name"', function () {
        throwsWith(
          () => check('createTask', { title: 'Call', accountId: 'a' }),
          RecordError,
          /^name is required \(the record has "title": Vitally expects "name"\)$/,
        );
      });

      it('NPS "createdAt" -> "respondedAt"', function () {
        throwsWith(
          () => check('createNpsResponse', { userId: 'u', score: 3, createdAt: '2024-01-01' }),
          RecordError,
          /respondedAt is required \(the record has "createdAt": Vitally expects "respondedAt"\)/,
        );
      });

      it('note "body" -> "note"', function () {
        throwsWith(
          () => check('createNote', { body: '<p>x</p>', noteDate: 'd', accountId: 'a' }),
          RecordError,
          /note is required \(the record has "body": Vitally expects "note"\)/,
        );
      });

      it('no hint when there is no alias in the record', function () {
        assert.throws(
          () => check('createTask', { accountId: 'a' }),
          (err) => err.message === 'name is required',
        );
      });
    });
  });

  describe('shortJson', function () {
    it('quotes JSON, at most 80 characters', function () {
      assert.equal(shortJson('a'), '"a"');
      assert.equal(shortJson({ a: [1, null] }), '{"a":[1,null]}');
      assert.equal(shortJson(undefined), 'undefined');
      const long = shortJson('y'.repeat(200));
      assert.equal(long.length, 80);
      assert.ok(long.endsWith('...'));
    });

    it('never throws, for a BigInt or a cycle', function () {
      assert.equal(shortJson(10n), '10n');
      const cycle = { a: 1 };
      cycle.self = cycle;
      assert.equal(shortJson(cycle), '[object Object]');
    });
  });
});
