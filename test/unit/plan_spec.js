'use strict';
const assert = require('node:assert/strict');

const { planTemplateRecord, planAnalyticsBatch, fillPath, writeBody } = require('../../dist/request/plan');
const { RecordError } = require('../../dist/core/errors');
const { getTemplate } = require('../../dist/catalogue');
const { parseExclude } = require('../../dist/request/body');
const { US, CUSTOM, EU, DESIGN_TABLE, PARAMS, validBody, expectedPath, throwsWith } = require('./helpers');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function plan(id, body = validBody(id), params = PARAMS, hosts = US, exclude = []) {
  return planTemplateRecord(getTemplate(id), hosts, { params, body }, exclude);
}

describe('request/plan', function () {
  describe('templates', function () {
    for (const row of DESIGN_TABLE.filter((r) => r.api === 'rest')) {
      it(`${row.id}: ${row.method} ${row.path}`, function () {
        const body = validBody(row.id);
        const params = row.id === 'deleteCustomObjectInstances' ? { ...PARAMS, id: body.id } : PARAMS;
        const expectedUrl = `https://acme.rest.vitally.io/resources${expectedPath(row.path, params)}`;
        const req = plan(row.id, body);
        assert.equal(req.method, row.method);
        assert.equal(req.url, expectedUrl);
        assert.equal(req.api, 'rest');
        assert.equal(req.headers, undefined);
        if (row.method === 'DELETE') {
          assert.ok(!('body' in req), 'a DELETE carries no body');
        } else {
          assert.deepEqual(req.body, body);
        }
        // The same on a custom host.
        assert.equal(
          plan(row.id, body, PARAMS, CUSTOM).url,
          expectedUrl.replace('https://acme.rest.vitally.io', 'http://127.0.0.1:4010'),
        );
      });
    }

    it('every REST URL keeps each parameter in one segment', function () {
      const req = plan('updateCustomObjectInstance');
      const segments = new URL(req.url).pathname.split('/');
      assert.deepEqual(segments.map(decodeURIComponent), [
        '',
        'resources',
        'customObjects',
        'co@9',
        'instances',
        'inst=10',
      ]);
    });

    it('a missing, empty or dot path parameter is a RecordError', function () {
      throwsWith(() => plan('updateAccount', { name: 'x' }, {}), RecordError, /accountId is empty/);
      throwsWith(() => plan('updateAccount', { name: 'x' }, { accountId: '' }), RecordError, /accountId is empty/);
      throwsWith(() => plan('deleteUser', {}, { userId: '..' }), RecordError, /userId "\.\." cannot be sent/);
      throwsWith(
        () => plan('updateCustomObjectInstance', { name: 'x' }, { customObjectId: 'c' }),
        RecordError,
        /instanceId is empty/,
      );
    });

    it('a missing required field is a RecordError', function () {
      throwsWith(() => plan('createAccount', { name: 'x' }), RecordError, /externalId is required/);
    });

    it('exclusions apply before the required check and do not touch the record', function () {
      const record = { externalId: 'e', name: 'n', secret: 's', traits: { ssn: 1, plan: 'p' } };
      const req = plan('createAccount', record, PARAMS, US, parseExclude('secret, traits.ssn'));
      assert.deepEqual(req.body, { externalId: 'e', name: 'n', traits: { plan: 'p' } });
      assert.equal(record.secret, 's');
      throwsWith(
        () => plan('createAccount', record, PARAMS, US, parseExclude('name')),
        RecordError,
        /name is required/,
      );
    });

    describe('deleteCustomObjectInstances', function () {
      it('takes the instance id from the record: its id, or the record itself as a string or number', function () {
        const base = 'https://acme.rest.vitally.io/resources/customObjects/co%409/instances/';
        assert.equal(plan('deleteCustomObjectInstances', { id: 'i/1' }).url, `${base}i%2F1`);
        assert.equal(plan('deleteCustomObjectInstances', 'i 2').url, `${base}i%202`);
        assert.equal(plan('deleteCustomObjectInstances', 33).url, `${base}33`);
      });

      it('ignores an `id` typedInput and refuses a record without an id', function () {
        assert.match(
          plan('deleteCustomObjectInstances', { id: 'rec' }, { ...PARAMS, id: 'param' }).url,
          /\/instances\/rec$/,
        );
        throwsWith(() => plan('deleteCustomObjectInstances', { name: 'x' }), RecordError, /id is empty/);
        throwsWith(() => plan('deleteCustomObjectInstances', null), RecordError, /id is empty/);
        throwsWith(() => plan('deleteCustomObjectInstances', '.'), RecordError, /cannot be sent/);
      });
    });

    describe('orderKey', function () {
      it('is the URL for updates, deletes, createMessage and setMeetingTranscript', function () {
        for (const id of [
          'updateAccount',
          'deleteAccount',
          'updateUser',
          'deleteUser',
          'updateOrganization',
          'updateNote',
          'updateProject',
          'updateTask',
          'updateMeeting',
          'updateCustomObjectInstance',
          'deleteCustomObjectInstance',
          'deleteCustomObjectInstances',
          'createMessage',
          'setMeetingTranscript',
        ]) {
          const req = plan(id);
          assert.equal(req.orderKey, req.url, id);
        }
      });

      it('is absent for independent creates and Analytics', function () {
        for (const id of [
          'createAccount',
          'createOrganization',
          'createUser',
          'createNote',
          'createTask',
          'createCustomObjectInstance',
          'analyticsTrack',
          'analyticsUser',
        ]) {
          assert.equal(plan(id).orderKey, undefined, id);
        }
      });

      it('differs per object and matches for the same object', function () {
        assert.notEqual(
          plan('updateAccount', { name: 'x' }, { accountId: 'a' }).orderKey,
          plan('updateAccount', { name: 'x' }, { accountId: 'b' }).orderKey,
        );
        assert.equal(
          plan('updateAccount', { name: 'x' }, { accountId: 'a' }).orderKey,
          plan('deleteAccount', {}, { accountId: 'a' }).orderKey,
        );
        assert.equal(
          plan('createMessage', validBody('createMessage'), { conversationId: 'c1' }).orderKey,
          plan('createMessage', { ...validBody('createMessage'), externalId: 'm2' }, { conversationId: 'c1' }).orderKey,
        );
      });
    });
  });

  describe('analytics', function () {
    for (const row of DESIGN_TABLE.filter((r) => r.api === 'analytics')) {
      it(`${row.id}: POST ${row.path} on the Analytics base`, function () {
        const req = plan(row.id);
        assert.equal(req.method, 'POST');
        assert.equal(req.url, `https://acme.api.vitally.io/analytics/v1${row.path}`);
        assert.equal(req.api, 'analytics');
        assert.equal(plan(row.id, validBody(row.id), {}, CUSTOM).url, `http://127.0.0.1:4010/analytics/v1${row.path}`);
      });
    }

    it('adds a timestamp (now, ISO 8601) and a messageId (a UUID) when absent', function () {
      const record = { event: 'e', userId: 'u', properties: {} };
      const before = Date.now();
      const req = plan('analyticsTrack', record);
      const after = Date.now();
      assert.match(req.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const t = Date.parse(req.body.timestamp);
      assert.ok(t >= before && t <= after);
      assert.match(req.body.messageId, UUID);
      assert.equal(req.body.event, 'e');
      assert.deepEqual(record, { event: 'e', userId: 'u', properties: {} }, 'the record is not changed');
      assert.notEqual(plan('analyticsTrack', record).body.messageId, req.body.messageId, 'a new id per record');
    });

    it('keeps a given timestamp and messageId, and fills only the missing one', function () {
      const both = plan('analyticsTrack', {
        event: 'e',
        userId: 'u',
        properties: {},
        timestamp: '2020-01-01T00:00:00Z',
        messageId: 'm-1',
      });
      assert.equal(both.body.timestamp, '2020-01-01T00:00:00Z');
      assert.equal(both.body.messageId, 'm-1');
      const ts = plan('analyticsTrack', { event: 'e', userId: 'u', properties: {}, timestamp: '2020-01-01T00:00:00Z' });
      assert.equal(ts.body.timestamp, '2020-01-01T00:00:00Z');
      assert.match(ts.body.messageId, UUID);
      const id = plan('analyticsTrack', { event: 'e', userId: 'u', properties: {}, messageId: 'm-2' });
      assert.equal(id.body.messageId, 'm-2');
      assert.match(id.body.timestamp, /Z$/);
    });

    it('refuses a record on the EU region, which has no Analytics host', function () {
      throwsWith(() => plan('analyticsTrack', validBody('analyticsTrack'), {}, EU), RecordError, /EU/);
    });

    it('validates required fields after exclusions', function () {
      throwsWith(
        () => plan('analyticsTrack', { event: 'e', properties: {} }),
        RecordError,
        /userId or accountId or organizationId is required/,
      );
      throwsWith(
        () => plan('analyticsUser', { userId: 'u', accountId: 'a', traits: {} }, {}, US, parseExclude('userId')),
        RecordError,
        /userId is required/,
      );
      throwsWith(
        () => plan('analyticsUser', { userId: 'u', accountId: 'a', traits: {} }, {}, US, parseExclude('traits')),
        RecordError,
        /traits \(object, may be empty\) is required/,
      );
    });

    describe('batch', function () {
      const t = getTemplate('analyticsTrack');

      it('is one POST to /batch whose messages each carry their `type`', function () {
        const parts = [
          plan('analyticsTrack', { event: 'a', userId: 'u1', properties: {} }),
          plan('analyticsTrack', { event: 'b', accountId: 'a1', properties: { n: 1 } }),
        ];
        const req = planAnalyticsBatch(t, US, parts);
        assert.equal(req.method, 'POST');
        assert.equal(req.url, 'https://acme.api.vitally.io/analytics/v1/batch');
        assert.equal(req.api, 'analytics');
        assert.equal(req.orderKey, undefined);
        assert.equal(req.body.length, 2);
        req.body.forEach((m, i) => {
          assert.equal(m.type, 'track');
          assert.deepEqual({ ...m, type: undefined }, { ...parts[i].body, type: undefined });
        });
      });

      it("the template's type wins over a `type` field of the record", function () {
        const part = plan('analyticsUser', { userId: 'u1', accountId: 'a1', type: 'admin', traits: { type: 'x' } });
        const req = planAnalyticsBatch(getTemplate('analyticsUser'), US, [part]);
        assert.equal(req.body[0].type, 'user', 'an Identify User record stays a user message in a batch');
        assert.deepEqual(req.body[0].traits, { type: 'x' });
      });

      it('uses the type of each template', function () {
        for (const row of DESIGN_TABLE.filter((r) => r.api === 'analytics')) {
          const req = planAnalyticsBatch(getTemplate(row.id), CUSTOM, [plan(row.id, validBody(row.id), {}, CUSTOM)]);
          assert.equal(req.body[0].type, row.path.slice(1), row.id);
          assert.equal(req.url, 'http://127.0.0.1:4010/analytics/v1/batch');
        }
      });

      it('keeps timestamp and messageId from the planned records (the same on every retry)', function () {
        const part = plan('analyticsTrack', { event: 'a', userId: 'u', properties: {} });
        const req = planAnalyticsBatch(t, US, [part]);
        assert.equal(req.body[0].messageId, part.body.messageId);
        assert.equal(req.body[0].timestamp, part.body.timestamp);
      });

      it('is refused on EU', function () {
        throwsWith(() => planAnalyticsBatch(t, EU, []), RecordError, /EU/);
      });
    });
  });

  describe('fillPath and writeBody', function () {
    it('fillPath fills typedInput parameters, each as one encoded segment, and extra segments as given', function () {
      const t = getTemplate('listUsers');
      const ev = { params: { accountId: 'a/1' }, body: {} };
      assert.equal(fillPath(t, '/accounts/{accountId}/users', ev), '/accounts/a%2F1/users');
      assert.equal(
        fillPath(getTemplate('upsertAccount'), '/accounts/{externalId}', ev, { externalId: 'e%201' }),
        '/accounts/e%201',
      );
    });

    it('fillPath refuses a path id rendered from an object, boolean or non-finite number', function () {
      const t = getTemplate('updateAccount');
      for (const accountId of [{ id: 1 }, ['a'], true, NaN, Infinity, '  ']) {
        assert.throws(
          () => fillPath(t, t.path, { params: { accountId }, body: {} }),
          (err) => err instanceof RecordError && /^accountId /.test(err.message),
          String(accountId),
        );
      }
    });

    it('writeBody applies exclusions, checks the required fields and leaves the record alone', function () {
      const t = getTemplate('createAccount');
      const record = { externalId: 'e', name: 'n', secret: 1 };
      assert.deepEqual(writeBody(t, { params: {}, body: record }, parseExclude('secret')), {
        externalId: 'e',
        name: 'n',
      });
      assert.equal(record.secret, 1);
      throwsWith(() => writeBody(t, { params: {}, body: { name: 'n' } }, []), RecordError, /externalId is required/);
    });
  });
});
