'use strict';
const assert = require('node:assert/strict');

const { planRead, nextPage, readAnswer } = require('../../dist/request/read');
const { getTemplate } = require('../../dist/catalogue');
const { RecordError } = require('../../dist/core/errors');
const { US, CUSTOM, READ_TABLE, throwsWith } = require('./helpers');

const REST = 'https://acme.rest.vitally.io/resources';
const plan = (id, body = {}, params = {}, maxRecords = 1000, hosts = US) =>
  planRead(getTemplate(id), hosts, { params, body }, maxRecords);
const query = (url) => Object.fromEntries(new URL(url).searchParams);

describe('request/read', function () {
  describe('planRead', function () {
    it('gets one object by the id parameter, encoded as one segment', function () {
      const { request, limit } = plan('getAccount', {}, { accountId: 'acct 1/x' });
      assert.deepEqual(request, { method: 'GET', url: `${REST}/accounts/acct%201%2Fx`, api: 'rest' });
      assert.equal(limit, 0);
      assert.equal(
        plan('getUser', {}, { userId: 'u1' }, 1000, CUSTOM).request.url,
        'http://127.0.0.1:4010/resources/users/u1',
      );
      throwsWith(() => plan('getOrganization', {}, {}), RecordError, /organizationId is empty/);
      throwsWith(() => plan('getOrganization', {}, { organizationId: '..' }), RecordError, /cannot be sent as an id/);
    });

    it('every read is a GET on the REST base, with no body and no order key', function () {
      for (const row of READ_TABLE) {
        const t = getTemplate(row.id);
        const params = Object.fromEntries((t.path.match(/\{([^}]+)\}/g) || []).map((p) => [p.slice(1, -1), 'p1']));
        const body = row.exactlyOne ? { [row.exactlyOne[0][0]]: 'v' } : row.needs ? { email: 'a@b.c' } : {};
        const { request } = planRead(t, US, { params, body }, 1000);
        assert.equal(request.method, 'GET', row.id);
        assert.equal(request.api, 'rest');
        assert.ok(!('body' in request), row.id);
        assert.equal(request.orderKey, undefined);
        assert.equal(new URL(request.url).pathname, `/resources${row.path.replace(/\{[^}]+\}/g, 'p1')}`, row.id);
      }
    });

    describe('find', function () {
      it('findUsers takes exactly one of externalId, email, emailSubdomain as the query', function () {
        assert.equal(
          plan('findUsers', { email: 'ana@acme.com' }).request.url,
          `${REST}/users/search?email=ana%40acme.com`,
        );
        assert.deepEqual(query(plan('findUsers', { externalId: 'u 1', name: 'ignored' }).request.url), {
          externalId: 'u 1',
        });
        throwsWith(() => plan('findUsers', {}), RecordError, /^give exactly one of externalId, email, emailSubdomain$/);
        throwsWith(
          () => plan('findUsers', { email: 'a@b.c', externalId: 'u1' }),
          RecordError,
          /give exactly one of externalId, email, emailSubdomain, not externalId and email/,
        );
        throwsWith(() => plan('findUsers', { email: '' }), RecordError, /give exactly one/);
      });

      it('findCustomObjectInstances takes customFieldId with customFieldValue as one choice', function () {
        const ok = plan(
          'findCustomObjectInstances',
          { customFieldId: 'f1', customFieldValue: 'gold' },
          { customObjectId: 'co1' },
        );
        assert.equal(
          ok.request.url,
          `${REST}/customObjects/co1/instances/search?customFieldId=f1&customFieldValue=gold`,
        );
        throwsWith(
          () => plan('findCustomObjectInstances', { customFieldId: 'f1' }, { customObjectId: 'co1' }),
          RecordError,
          /^customFieldValue is required with customFieldId \+ customFieldValue$/,
        );
        throwsWith(
          () => plan('findCustomObjectInstances', { id: 'i1', externalId: 'x' }, { customObjectId: 'co1' }),
          RecordError,
          /not id and externalId/,
        );
        assert.equal(
          plan('findCustomObjectInstances', { id: 'i1' }, { customObjectId: 'co1' }).limit,
          1000,
          'a find answers many: maxRecords caps it',
        );
      });

      it('findAdmin needs an email', function () {
        assert.equal(
          plan('findAdmin', { email: 'cs@acme.com' }).request.url,
          `${REST}/admins/search?email=cs%40acme.com`,
        );
        throwsWith(() => plan('findAdmin', {}), RecordError, /^email is required$/);
      });
    });

    describe('list', function () {
      it('asks for full pages, and never more than maxRecords', function () {
        assert.deepEqual(query(plan('listAccounts').request.url), { limit: '100' });
        assert.equal(plan('listAccounts').limit, 1000);
        assert.deepEqual(query(plan('listAccounts', {}, {}, 30).request.url), { limit: '30' });
        assert.deepEqual(query(plan('listAccounts', { limit: 50 }, {}, 1000).request.url), { limit: '50' });
        assert.deepEqual(query(plan('listAccounts', { limit: '50' }, {}, 20).request.url), { limit: '20' });
        const all = plan('listAccounts', {}, {}, 0);
        assert.equal(all.limit, 0, 'maxRecords 0: all there are');
        assert.deepEqual(query(all.request.url), { limit: '100' });
      });

      it('refuses a page size outside 1-100', function () {
        for (const limit of [0, 101, 2.5, 'ten', -1]) {
          throwsWith(() => plan('listUsers', { limit }), RecordError, /^limit must be a whole number from 1 to 100$/);
        }
      });

      it('sends the query fields the template takes, and only those', function () {
        const url = plan('listAccounts', { sortBy: 'createdAt', status: 'activeOrChurned', secret: 'x' }).request.url;
        assert.deepEqual(query(url), { sortBy: 'createdAt', status: 'activeOrChurned', limit: '100' });
        assert.deepEqual(query(plan('listUsers', { status: 'churned' }).request.url), { limit: '100' });
      });

      it('sends booleans and numbers as text, and refuses objects', function () {
        assert.deepEqual(query(plan('listCustomFields', { model: 'customObjects', customObjectId: 7 }).request.url), {
          model: 'customObjects',
          customObjectId: '7',
        });
        throwsWith(
          () => plan('listAccounts', { sortBy: { $gt: 1 } }),
          RecordError,
          /^sortBy: \{"\$gt":1\} cannot be sent as a query parameter$/,
        );
        throwsWith(() => plan('listAccounts', { sortBy: ['a', 'b'] }), RecordError, /cannot be sent/);
      });

      it('a record that is not an object (an inject timestamp) means no query', function () {
        for (const body of [1700000000000, 'go', null, [{ limit: 5 }]]) {
          assert.deepEqual(query(plan('listUsers', body).request.url), { limit: '100' }, JSON.stringify(body));
        }
      });

      it('narrows a list to the one parent given, encoded', function () {
        assert.equal(plan('listUsers', {}, { accountId: 'a/1' }).request.url, `${REST}/accounts/a%2F1/users?limit=100`);
        assert.equal(
          plan('listNotes', {}, { organizationId: 'o1', accountId: '' }).request.url,
          `${REST}/organizations/o1/notes?limit=100`,
        );
        assert.equal(
          plan('listAccounts', {}, { organizationId: 'o1' }).request.url,
          `${REST}/organizations/o1/accounts?limit=100`,
        );
        assert.equal(plan('listUsers', {}, { accountId: null }).request.url, `${REST}/users?limit=100`);
        throwsWith(
          () => plan('listTasks', {}, { accountId: 'a', organizationId: 'o' }),
          RecordError,
          /give an account or an organization to list under, not both/,
        );
      });

      it('a list that does not page (customFields) is capped by maxRecords without a limit parameter', function () {
        const r = plan('listCustomFields', { model: 'accounts' }, {}, 40);
        assert.equal(r.request.url, `${REST}/customFields?model=accounts`);
        assert.equal(r.limit, 40);
      });
    });
  });

  describe('nextPage', function () {
    const first = { method: 'GET', url: `${REST}/accounts?limit=100&sortBy=createdAt`, api: 'rest' };

    it("asks for the page after Vitally's cursor, keeping the query", function () {
      const next = nextPage(first, 'cur/1+2', 0);
      assert.deepEqual(query(next.url), { limit: '100', sortBy: 'createdAt', from: 'cur/1+2' });
      assert.equal(next.method, 'GET');
      assert.equal(first.url, `${REST}/accounts?limit=100&sortBy=createdAt`, 'the first request is not changed');
      assert.equal(query(nextPage(next, 'c2', 0).url).from, 'c2', 'the cursor is replaced, not repeated');
    });

    it('asks for fewer objects when fewer are still wanted, never more', function () {
      assert.equal(query(nextPage(first, 'c', 30).url).limit, '30');
      assert.equal(query(nextPage(first, 'c', 500).url).limit, '100');
    });
  });

  describe('readAnswer', function () {
    const t = (id) => getTemplate(id);

    it('get: the object, or null on 404', function () {
      assert.deepEqual(readAnswer(t('getAccount'), 200, { id: 'a' }), { item: { id: 'a' } });
      assert.deepEqual(readAnswer(t('getAccount'), 404, { error: 'not found' }), { item: null });
      assert.deepEqual(readAnswer(t('findAdmin'), 404, ''), { item: null });
      assert.equal(readAnswer(t('getAccount'), 200, [{ id: 'a' }]), undefined, 'an array is not one object');
      assert.equal(readAnswer(t('getAccount'), 200, 'text'), undefined);
      assert.equal(readAnswer(t('getAccount'), 500, { error: 'x' }), undefined);
    });

    it('find: the matches, [] on 404', function () {
      assert.deepEqual(readAnswer(t('findUsers'), 200, { results: [{ id: 'u' }] }), { items: [{ id: 'u' }] });
      assert.deepEqual(readAnswer(t('findCustomObjectInstances'), 200, [{ id: 'i' }]), { items: [{ id: 'i' }] });
      assert.deepEqual(readAnswer(t('findUsers'), 404, {}), { items: [] });
    });

    it('list: a page with its cursor; no cursor when next is null or empty', function () {
      assert.deepEqual(readAnswer(t('listUsers'), 200, { results: [1, 2], next: 'c' }), { items: [1, 2], next: 'c' });
      assert.deepEqual(readAnswer(t('listUsers'), 200, { results: [1], next: null }), { items: [1] });
      assert.deepEqual(readAnswer(t('listUsers'), 200, { results: [], next: '' }), { items: [] });
      assert.deepEqual(readAnswer(t('listCustomFields'), 200, [{ label: 'Plan' }]), { items: [{ label: 'Plan' }] });
    });

    it('list: a 404 or an answer of another shape is undefined, for the caller to report', function () {
      assert.equal(readAnswer(t('listUsers'), 404, { error: 'no such account' }), undefined);
      assert.equal(readAnswer(t('listUsers'), 200, { data: [] }), undefined);
      assert.equal(readAnswer(t('listUsers'), 200, { results: 'x' }), undefined);
    });
  });
});
