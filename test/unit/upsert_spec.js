'use strict';
const assert = require('node:assert/strict');

const { planUpsert, upsertKey, upsertUpdate, upsertCreate, upsertSearch } = require('../../dist/request/upsert');
const { getTemplate } = require('../../dist/catalogue');
const { parseExclude } = require('../../dist/request/body');
const { RecordError } = require('../../dist/core/errors');
const { US, throwsWith, validBody } = require('./helpers');

const REST = 'https://acme.rest.vitally.io/resources';
const plan = (id, body = validBody(id), params = {}, exclude = []) =>
  planUpsert(getTemplate(id), { params, body }, exclude);

describe('request/upsert', function () {
  describe('planUpsert', function () {
    it('accounts, organizations and users are addressed by externalId in the path', function () {
      for (const [id, collection] of [
        ['upsertAccount', 'accounts'],
        ['upsertOrganization', 'organizations'],
        ['upsertUser', 'users'],
      ]) {
        const u = plan(id);
        assert.equal(u.collection, collection);
        assert.equal(u.addressableByExternalId, true);
        assert.equal(u.externalId, validBody(id).externalId);
        assert.deepEqual(u.body, validBody(id));
      }
    });

    it('custom object instances are found by a search, under their custom object', function () {
      const u = plan('upsertCustomObjectInstance', validBody('upsertCustomObjectInstance'), { customObjectId: 'co/1' });
      assert.equal(u.collection, 'customObjects/co%2F1/instances');
      assert.equal(u.addressableByExternalId, false);
      throwsWith(() => plan('upsertCustomObjectInstance'), RecordError, /customObjectId is empty/);
    });

    it('checks required fields after exclusions', function () {
      throwsWith(() => plan('upsertAccount', { externalId: 'e' }), RecordError, /^name is required$/);
      throwsWith(() => plan('upsertUser', { externalId: 'u', accountIds: [] }), RecordError, /non-empty array/);
      throwsWith(
        () => plan('upsertAccount', { externalId: 'e', name: 'n' }, {}, parseExclude('externalId')),
        RecordError,
        /^externalId is required$/,
      );
      const u = plan('upsertAccount', { externalId: 'e', name: 'n', secret: 1 }, {}, parseExclude('secret'));
      assert.deepEqual(u.body, { externalId: 'e', name: 'n' });
    });

    it('takes a numeric externalId as text and refuses one that is not a string or a number', function () {
      assert.equal(plan('upsertAccount', { externalId: 42, name: 'n' }).externalId, '42');
      for (const externalId of [{ a: 1 }, ['e'], true]) {
        throwsWith(
          () => plan('upsertAccount', { externalId, name: 'n' }),
          RecordError,
          /externalId must be a string or a number/,
        );
      }
    });
  });

  describe('requests', function () {
    const account = () => plan('upsertAccount', { externalId: 'acme 1', name: 'Acme' });

    it('the update is a PUT to the object, by Vitally id or externalId, ordered by its URL', function () {
      const u = account();
      const put = upsertUpdate(US, u, 'acme 1');
      assert.deepEqual(put, {
        method: 'PUT',
        url: `${REST}/accounts/acme%201`,
        api: 'rest',
        body: { externalId: 'acme 1', name: 'Acme' },
        orderKey: `${REST}/accounts/acme%201`,
      });
      assert.equal(upsertUpdate(US, u, 'v/9').url, `${REST}/accounts/v%2F9`);
      throwsWith(() => upsertUpdate(US, u, '..'), RecordError, /cannot be sent/);
    });

    it('the create is a POST to the collection, unordered', function () {
      assert.deepEqual(upsertCreate(US, account()), {
        method: 'POST',
        url: `${REST}/accounts`,
        api: 'rest',
        body: { externalId: 'acme 1', name: 'Acme' },
      });
    });

    it('the search asks the collection for the externalId', function () {
      const u = plan(
        'upsertCustomObjectInstance',
        { ...validBody('upsertCustomObjectInstance'), externalId: 'x&1' },
        {
          customObjectId: 'co1',
        },
      );
      assert.deepEqual(upsertSearch(US, u), {
        method: 'GET',
        url: `${REST}/customObjects/co1/instances/search?externalId=x%261`,
        api: 'rest',
      });
    });

    it('upsertKey is one per collection and externalId', function () {
      const a = upsertKey(account());
      assert.equal(a, upsertKey(plan('upsertAccount', { externalId: 'acme 1', name: 'Other' })));
      assert.notEqual(a, upsertKey(plan('upsertAccount', { externalId: 'acme 2', name: 'Acme' })));
      assert.notEqual(a, upsertKey(plan('upsertOrganization', { externalId: 'acme 1', name: 'Acme' })));
    });
  });
});
