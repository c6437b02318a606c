'use strict';
const assert = require('node:assert/strict');

const catalogue = require('../../dist/catalogue');
const { checkRequired } = require('../../dist/request/body');
const { planRead } = require('../../dist/request/read');
const { planUpsert } = require('../../dist/request/upsert');
const { planTemplateRecord } = require('../../dist/request/plan');
const { renderIds } = require('../../dist/request/mustache');
const { DESIGN_TABLE, UPSERT_TABLE, READ_TABLE, US } = require('./helpers');

const { TEMPLATES, getTemplate, typedParams, editorCatalogue, isBatchable, pathPlaceholders, describeFields } =
  catalogue;

/** The ID typedInputs the edit dialog has, read from its literal defaults. */
function editorParams() {
  const html = require('node:fs').readFileSync(
    require('node:path').join(__dirname, '../../nodes/vitally-destination.html'),
    'utf8',
  );
  // Each path parameter is a literal `<name>` + `<name>Type` pair in the node's defaults.
  return Array.from(html.matchAll(/^\s*(\w+Id)Type: \{/gm), (m) => m[1]);
}

const ids = (list) => list.map((t) => t.id);
const ofKind = (kind) => TEMPLATES.filter((t) => t.kind === kind);

describe('catalogue', function () {
  it('has the 54 templates of design.md section 6: 31 writes, 4 upserts, 19 reads, each table in its order', function () {
    assert.equal(TEMPLATES.length, 54);
    assert.equal(new Set(ids(TEMPLATES)).size, 54, 'ids are unique');
    assert.deepEqual(ids(ofKind('write')), ids(DESIGN_TABLE));
    assert.deepEqual(ids(ofKind('upsert')), ids(UPSERT_TABLE));
    assert.deepEqual(ids(ofKind('read')), ids(READ_TABLE));
  });

  describe('matches the first table (writes) row by row', function () {
    for (const row of DESIGN_TABLE) {
      it(`${row.id}: ${row.method} ${row.path}`, function () {
        const t = getTemplate(row.id);
        assert.ok(t, `template ${row.id} exists`);
        assert.equal(t.kind, 'write');
        assert.equal(t.label, row.label);
        assert.equal(t.method, row.method);
        assert.equal(t.path, row.path);
        assert.equal(t.api, row.api);
        assert.deepEqual(
          t.required.map((r) => ({ fields: r.fields, kind: r.kind })),
          row.required,
        );
      });
    }
  });

  describe('matches the second table (upserts) row by row', function () {
    for (const row of UPSERT_TABLE) {
      it(`${row.id}: ${row.method} ${row.collection}`, function () {
        const t = getTemplate(row.id);
        assert.equal(t.kind, 'upsert');
        assert.equal(t.label, row.label);
        assert.equal(t.api, 'rest');
        assert.equal(t.upsert.collection, row.collection);
        assert.equal(t.upsert.find, row.method.startsWith('PUT') ? 'path' : 'search');
        assert.deepEqual(
          t.required.map((r) => ({ fields: r.fields, kind: r.kind })),
          row.required,
        );
        assert.equal(t.irreversible, false);
      });
    }
  });

  describe('matches the second table (reads) row by row', function () {
    for (const row of READ_TABLE) {
      it(`${row.id}: GET ${row.path}`, function () {
        const t = getTemplate(row.id);
        assert.equal(t.kind, 'read');
        assert.equal(t.label, row.label);
        assert.equal(t.method, 'GET');
        assert.equal(t.api, 'rest');
        assert.equal(t.path, row.path);
        assert.equal(t.read.returns, row.returns);
        assert.deepEqual(t.read.parents ?? [], row.parents);
        if (row.query) assert.deepEqual(t.read.query, row.query);
        if (row.exactlyOne) assert.deepEqual(t.read.exactlyOne, row.exactlyOne);
        if (row.needs) assert.deepEqual(t.read.needs, row.needs);
        if (row.paged !== undefined) assert.equal(Boolean(t.read.paged), row.paged);
        assert.deepEqual(t.required, [], 'a read checks its query, not a body');
        assert.equal(t.irreversible, false);
      });
    }
  });

  it('getTemplate answers undefined for unknown ids', function () {
    assert.equal(getTemplate('manual'), undefined);
    assert.equal(getTemplate('createaccount'), undefined);
    assert.equal(getTemplate('toString'), undefined);
    assert.equal(getTemplate('__proto__'), undefined);
  });

  it('pathPlaceholders lists the {names} of a path in order', function () {
    assert.deepEqual(pathPlaceholders('/customObjects/{customObjectId}/instances/{instanceId}'), [
      'customObjectId',
      'instanceId',
    ]);
    assert.deepEqual(pathPlaceholders('/accounts'), []);
  });

  describe('typedParams', function () {
    it('names every path parameter filled from a typedInput, a list parent last', function () {
      const both = ['accountId', 'organizationId'];
      const expected = {
        updateOrganization: ['organizationId'],
        deleteOrganization: ['organizationId'],
        updateAccount: ['accountId'],
        deleteAccount: ['accountId'],
        updateUser: ['userId'],
        deleteUser: ['userId'],
        createMessage: ['conversationId'],
        updateNote: ['noteId'],
        updateProject: ['projectId'],
        updateTask: ['taskId'],
        updateMeeting: ['meetingId'],
        setMeetingTranscript: ['meetingId'],
        createCustomObjectInstance: ['customObjectId'],
        updateCustomObjectInstance: ['customObjectId', 'instanceId'],
        deleteCustomObjectInstance: ['customObjectId', 'instanceId'],
        // The instance id comes from each record, not from a typedInput.
        deleteCustomObjectInstances: ['customObjectId'],
        // Upserts address the object by the record's externalId, never a typedInput.
        upsertCustomObjectInstance: ['customObjectId'],
        getOrganization: ['organizationId'],
        getAccount: ['accountId'],
        getUser: ['userId'],
        findCustomObjectInstances: ['customObjectId'],
        listAccounts: ['organizationId'],
        listUsers: both,
        listNotes: both,
        listTasks: both,
        listProjects: both,
        listMeetings: both,
        listConversations: both,
        listNpsResponses: both,
        listCustomObjectInstances: ['customObjectId'],
      };
      for (const t of TEMPLATES) {
        assert.deepEqual(typedParams(t), expected[t.id] || [], t.id);
      }
    });

    it('only uses parameters the editor offers as typedInputs, and the editor offers no others', function () {
      const offered = editorParams();
      for (const t of TEMPLATES) {
        for (const p of typedParams(t)) assert.ok(offered.includes(p), `${t.id} uses ${p}`);
      }
      assert.deepEqual([...new Set(TEMPLATES.flatMap(typedParams))].sort(), [...offered].sort());
      assert.deepEqual([...offered].sort(), [
        'accountId',
        'conversationId',
        'customObjectId',
        'instanceId',
        'meetingId',
        'noteId',
        'organizationId',
        'projectId',
        'taskId',
        'userId',
      ]);
    });
  });

  describe('describeFields', function () {
    it('says what a read needs from each record', function () {
      assert.deepEqual(describeFields(getTemplate('findUsers')), ['exactly one of externalId, email, emailSubdomain']);
      assert.deepEqual(describeFields(getTemplate('findCustomObjectInstances')), [
        'exactly one of id, externalId, customerId, organizationId, customFieldId + customFieldValue',
      ]);
      assert.deepEqual(describeFields(getTemplate('findAdmin')), ['email']);
      assert.deepEqual(describeFields(getTemplate('listAccounts')), ['optional limit, sortBy, status']);
      assert.deepEqual(describeFields(getTemplate('getAccount')), []);
    });

    it("names the bulk delete's record id", function () {
      assert.deepEqual(describeFields(getTemplate('deleteCustomObjectInstances')), [
        'id (or the record itself as a string)',
      ]);
    });
  });

  describe('editorCatalogue', function () {
    const cat = editorCatalogue();
    const byId = Object.fromEntries(cat.map((e) => [e.id, e]));

    it('serves every template with exactly the documented keys', function () {
      assert.equal(cat.length, 54);
      for (const e of cat) {
        assert.deepEqual(
          Object.keys(e).sort(),
          [
            'api',
            'batchable',
            'description',
            'group',
            'id',
            'irreversible',
            'kind',
            'label',
            'many',
            'method',
            'optionalParams',
            'paged',
            'params',
            'path',
            'relationships',
            'required',
            'sample',
            'sampleParams',
          ].sort(),
        );
        assert.equal(typeof e.id, 'string');
        assert.equal(typeof e.label, 'string');
        assert.ok(e.group.length > 0, `${e.id} has a group`);
        assert.ok(['rest', 'analytics'].includes(e.api));
        assert.ok(['write', 'upsert', 'read'].includes(e.kind));
        assert.ok(
          ['POST', 'PUT', 'DELETE', 'GET', 'PUT, else POST', 'search, then PUT or POST'].includes(e.method),
          `${e.id}: ${e.method}`,
        );
        assert.ok(Array.isArray(e.params));
        assert.ok(
          e.optionalParams.every((p) => e.params.includes(p)),
          `${e.id}: optional params are params`,
        );
        assert.ok(Array.isArray(e.required) && e.required.every((r) => typeof r === 'string'));
        assert.equal(typeof e.irreversible, 'boolean');
        assert.equal(typeof e.batchable, 'boolean');
        assert.equal(typeof e.many, 'boolean');
        assert.equal(typeof e.paged, 'boolean');
        assert.ok(e.description.length > 20, `${e.id} has a description`);
        assert.ok(e.sample !== undefined, `${e.id} has a sample`);
      }
    });

    it('is JSON-serialisable as the admin route sends it', function () {
      assert.deepEqual(JSON.parse(JSON.stringify(cat)), cat);
    });

    it('agrees with the design tables and typedParams', function () {
      for (const row of DESIGN_TABLE) {
        const e = byId[row.id];
        assert.equal(e.method, row.method);
        assert.equal(e.path, row.path);
        assert.equal(e.api, row.api);
        assert.equal(e.kind, 'write');
      }
      for (const row of UPSERT_TABLE) {
        assert.equal(byId[row.id].method, row.method, row.id);
        assert.equal(byId[row.id].kind, 'upsert');
      }
      for (const row of READ_TABLE) {
        const e = byId[row.id];
        assert.equal(e.method, 'GET');
        assert.equal(e.path, row.path);
        assert.equal(e.many, row.returns === 'many', row.id);
        assert.deepEqual(e.optionalParams, row.parents, row.id);
      }
      for (const e of cat) assert.deepEqual(e.params, typedParams(getTemplate(e.id)));
    });

    it('describes required fields readably, including the one-of and kind rules', function () {
      assert.deepEqual(byId.createAccount.required, ['externalId', 'name']);
      assert.deepEqual(byId.createUser.required, ['externalId', 'accountIds or organizationIds (non-empty array)']);
      assert.deepEqual(byId.createNote.required, ['note', 'noteDate', 'accountId or organizationId']);
      assert.deepEqual(byId.createNpsResponse.required, ['userId', 'score (integer 0-10)', 'respondedAt']);
      assert.deepEqual(byId.createConversation.required, ['subject', 'messages (array)']);
      assert.deepEqual(byId.analyticsTrack.required, [
        'event',
        'properties (object, may be empty)',
        'userId or accountId or organizationId',
      ]);
      assert.deepEqual(byId.updateAccount.required, []);
      assert.equal(byId.deleteCustomObjectInstances.required.length, 1);
      assert.match(byId.deleteCustomObjectInstances.required[0], /^id\b/);
      assert.deepEqual(byId.deleteCustomObjectInstances.params, ['customObjectId']);
    });

    it('marks the Analytics templates batchable and no REST template', function () {
      for (const e of cat) {
        assert.equal(e.batchable, e.api === 'analytics', e.id);
        assert.equal(isBatchable(getTemplate(e.id)), e.api === 'analytics', e.id);
      }
      assert.equal(cat.filter((e) => e.batchable).length, 6);
    });

    it('marks exactly the deletes irreversible, and labels them so', function () {
      for (const e of cat) {
        assert.equal(e.irreversible, e.method === 'DELETE', e.id);
        if (e.irreversible) assert.match(e.label, /irreversible/);
      }
      assert.deepEqual(
        cat.filter((e) => e.irreversible).map((e) => e.id),
        [
          'deleteOrganization',
          'deleteAccount',
          'deleteUser',
          'deleteCustomObjectInstance',
          'deleteCustomObjectInstances',
        ],
      );
    });

    it('names the relationship fields that relationshipIds "external" resolves (design.md section 5a)', function () {
      assert.deepEqual(byId.createAccount.relationships, ['organizationId']);
      assert.deepEqual(byId.upsertAccount.relationships, ['organizationId']);
      assert.deepEqual(byId.createUser.relationships.sort(), ['accountIds', 'organizationIds']);
      assert.deepEqual(byId.upsertUser.relationships.sort(), ['accountIds', 'organizationIds']);
      assert.deepEqual(byId.createNote.relationships.sort(), ['accountId', 'organizationId']);
      assert.deepEqual(byId.createTask.relationships.sort(), ['accountId', 'organizationId']);
      assert.deepEqual(byId.createCustomObjectInstance.relationships.sort(), ['customerId', 'organizationId']);
      assert.deepEqual(byId.createNpsResponse.relationships, ['userId']);
      // Analytics works on your own ids already; reads and organizations have no references.
      for (const e of cat.filter((x) => x.api === 'analytics' || x.kind === 'read')) {
        assert.deepEqual(e.relationships, [], e.id);
      }
      assert.deepEqual(byId.createOrganization.relationships, []);
    });

    it('marks the reads that list (many) and the lists that page', function () {
      assert.deepEqual(
        cat.filter((e) => e.paged).map((e) => e.id),
        cat.filter((e) => e.kind === 'read' && getTemplate(e.id).read.paged).map((e) => e.id),
      );
      assert.equal(byId.listUsers.paged, true);
      assert.equal(byId.findUsers.paged, false);
      assert.equal(byId.getUser.many, false);
      assert.equal(byId.findUsers.many, true);
      assert.equal(byId.createAccount.many, false);
    });

    it('returns a fresh copy each time (the editor cannot change the catalogue)', function () {
      const a = editorCatalogue();
      a[0].params.push('x');
      a[0].required.push('y');
      const b = editorCatalogue();
      assert.notDeepEqual(b[0].params, a[0].params);
      assert.equal(getTemplate(a[0].id).required.length, b[0].required.length);
    });
  });

  describe('samples (the dialog starts from them)', function () {
    /** The sample's path parameters, rendered as the node renders a mustache typedInput. */
    function sampleParams(t) {
      const params = {};
      for (const [name, template] of Object.entries(t.sampleParams ?? {})) {
        params[name] = renderIds(template, { payload: t.sample }, name);
      }
      return params;
    }

    it('give every required path parameter, and only parameters the template has', function () {
      for (const t of TEMPLATES) {
        const optional = t.read?.parents ?? [];
        const given = Object.keys(t.sampleParams ?? {});
        for (const p of typedParams(t)) {
          if (!optional.includes(p)) assert.ok(given.includes(p), `${t.id} has a sample ${p}`);
        }
        for (const p of given) assert.ok(typedParams(t).includes(p), `${t.id}: ${p} is one of its params`);
      }
    });

    it('plan without an error: the sample passes the required fields, the query rules or the upsert rules', function () {
      for (const t of TEMPLATES) {
        const ev = { params: sampleParams(t), body: t.sample };
        if (t.kind === 'read') planRead(t, US, ev, 1000);
        else if (t.kind === 'upsert') planUpsert(t, ev, []);
        else {
          if (t.method !== 'DELETE') checkRequired(t, t.sample);
          planTemplateRecord(t, US, ev, []);
        }
      }
    });
  });

  it('gives every Analytics template the message type of its path', function () {
    for (const t of TEMPLATES.filter((x) => x.api === 'analytics')) {
      assert.equal(`/${t.analyticsType}`, t.path, t.id);
    }
  });

  it('orders requests to one object and lets independent creates, upserts and reads run concurrently', function () {
    const ordered = TEMPLATES.filter((t) => t.ordered)
      .map((t) => t.id)
      .sort();
    const expected = ofKind('write')
      .filter((t) => t.method !== 'POST')
      .map((t) => t.id)
      .concat(['createMessage', 'setMeetingTranscript'])
      .sort();
    assert.deepEqual(ordered, expected);
  });
});
