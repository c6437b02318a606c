'use strict';
const assert = require('node:assert/strict');

const {
  collectReferences,
  withVitallyIds,
  lookupRequest,
  lookupAnswer,
  notFound,
} = require('../../dist/request/relationships');
const { getTemplate } = require('../../dist/catalogue');
const { RecordError } = require('../../dist/core/errors');
const { US, CUSTOM, throwsWith } = require('./helpers');

const refs = (id, body) => collectReferences(getTemplate(id), body);

describe('request/relationships', function () {
  describe('collectReferences', function () {
    it('finds every relationship field of design.md section 5a, arrays element by element', function () {
      assert.deepEqual(refs('createAccount', { externalId: 'a', name: 'n', organizationId: 'org-1' }), [
        { field: 'organizationId', collection: 'organizations', externalId: 'org-1' },
      ]);
      assert.deepEqual(refs('createUser', { externalId: 'u', accountIds: ['a1', 'a2'], organizationIds: ['o1'] }), [
        { field: 'accountIds[0]', collection: 'accounts', externalId: 'a1' },
        { field: 'accountIds[1]', collection: 'accounts', externalId: 'a2' },
        { field: 'organizationIds[0]', collection: 'organizations', externalId: 'o1' },
      ]);
      assert.deepEqual(refs('createNote', { accountId: 'a1', organizationId: 'o1' }), [
        { field: 'accountId', collection: 'accounts', externalId: 'a1' },
        { field: 'organizationId', collection: 'organizations', externalId: 'o1' },
      ]);
      assert.deepEqual(refs('createCustomObjectInstance', { name: 'n', customerId: 'a1' }), [
        { field: 'customerId', collection: 'accounts', externalId: 'a1' },
      ]);
      assert.deepEqual(refs('createNpsResponse', { userId: 'u1', score: 9 }), [
        { field: 'userId', collection: 'users', externalId: 'u1' },
      ]);
    });

    it('skips absent and null fields, and templates without relationships', function () {
      assert.deepEqual(refs('createNote', { accountId: null, note: 'n' }), []);
      assert.deepEqual(refs('createOrganization', { externalId: 'o', organizationId: 'x' }), []);
      assert.deepEqual(refs('analyticsUser', { userId: 'u', accountId: 'a' }), []);
      assert.deepEqual(refs('createUser', 'not an object'), []);
      assert.deepEqual(refs('createUser', ['a']), []);
      assert.deepEqual(refs('createUser', null), []);
    });

    it('takes numbers as ids, and refuses anything else naming the field', function () {
      assert.equal(refs('createNote', { accountId: 42 })[0].externalId, '42');
      throwsWith(
        () => refs('createUser', { accountIds: ['a1', { id: 'x' }] }),
        RecordError,
        /^accountIds\[1\]: \{"id":"x"\} is not an external id$/,
      );
      for (const bad of ['', '  ', true, NaN, { a: 1 }]) {
        throwsWith(() => refs('createNote', { accountId: bad }), RecordError, /^accountId: .* is not an external id$/);
      }
    });
  });

  describe('withVitallyIds', function () {
    it('replaces each relationship field, keeping arrays and other fields, without touching the input', function () {
      const body = { externalId: 'u', name: 'n', accountIds: ['a1', 'a2'], organizationIds: ['o1'] };
      const out = withVitallyIds(getTemplate('createUser'), body, (c, id) => `v-${c}-${id}`);
      assert.deepEqual(out, {
        externalId: 'u',
        name: 'n',
        accountIds: ['v-accounts-a1', 'v-accounts-a2'],
        organizationIds: ['v-organizations-o1'],
      });
      assert.deepEqual(body.accountIds, ['a1', 'a2']);
      const note = withVitallyIds(getTemplate('createNote'), { accountId: 7, note: 'x' }, (c, id) => `${c}:${id}`);
      assert.deepEqual(note, { accountId: 'accounts:7', note: 'x' });
    });
  });

  describe('lookupRequest', function () {
    it('organizations and accounts: GET by externalId in the path, encoded', function () {
      assert.deepEqual(lookupRequest(US, 'accounts', 'acme/9 x'), {
        method: 'GET',
        url: 'https://acme.rest.vitally.io/resources/accounts/acme%2F9%20x',
        api: 'rest',
      });
      assert.equal(
        lookupRequest(CUSTOM, 'organizations', 'o1').url,
        'http://127.0.0.1:4010/resources/organizations/o1',
      );
    });

    it('users: through /users/search?externalId=', function () {
      assert.deepEqual(lookupRequest(US, 'users', 'u&1'), {
        method: 'GET',
        url: 'https://acme.rest.vitally.io/resources/users/search?externalId=u%261',
        api: 'rest',
      });
    });

    it('refuses a dot segment as an external id', function () {
      throwsWith(() => lookupRequest(US, 'accounts', '..'), RecordError, /cannot be sent as an id/);
    });
  });

  describe('lookupAnswer', function () {
    it('the Vitally id of the object found', function () {
      assert.equal(lookupAnswer('accounts', 200, { id: 'v1', externalId: 'a' }), 'v1');
      assert.equal(lookupAnswer('users', 200, { results: [{ id: 'u9' }, { id: 'u10' }] }), 'u9');
    });

    it('null when there is no such object', function () {
      assert.equal(lookupAnswer('accounts', 404, { error: 'not found' }), null);
      assert.equal(lookupAnswer('users', 200, { results: [] }), null);
      assert.equal(lookupAnswer('users', 404, undefined), null);
    });

    it('undefined when the answer says neither (a failure to report)', function () {
      assert.equal(lookupAnswer('accounts', undefined, undefined), undefined);
      assert.equal(lookupAnswer('accounts', 500, { error: 'x' }), undefined);
      assert.equal(lookupAnswer('accounts', 401, { error: 'x' }), undefined);
      assert.equal(lookupAnswer('accounts', 200, { externalId: 'a' }), undefined);
      assert.equal(lookupAnswer('accounts', 200, 'text'), undefined);
      assert.equal(lookupAnswer('users', 200, { id: 'u' }), undefined);
      assert.equal(lookupAnswer('users', 200, { results: [{ name: 'no id' }] }), null);
    });
  });

  it('notFound names the field and the id, as design.md section 5a writes it', function () {
    assert.equal(
      notFound({ field: 'accountIds[1]', collection: 'accounts', externalId: 'acme-9' }),
      'accountIds[1]: no account with externalId "acme-9"',
    );
    assert.equal(
      notFound({ field: 'organizationId', collection: 'organizations', externalId: 'o' }),
      'organizationId: no organization with externalId "o"',
    );
    assert.equal(
      notFound({ field: 'userId', collection: 'users', externalId: 'u' }),
      'userId: no user with externalId "u"',
    );
  });
});
