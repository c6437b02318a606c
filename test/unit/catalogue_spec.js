'use strict';
const assert = require('node:assert/strict');

const catalogue = require('../../dist/catalogue');
const { DESIGN_TABLE } = require('./helpers');

const { TEMPLATES, getTemplate, typedParams, editorCatalogue, isBatchable, pathPlaceholders } = catalogue;

/** The ID typedInputs the edit dialog has (its `PARAMS` list), read from the editor's HTML. */
function editorParams() {
  const html = require('node:fs').readFileSync(
    require('node:path').join(__dirname, '../../nodes/vitally-destination.html'),
    'utf8',
  );
  const list = html.match(/var PARAMS = \[([^\]]*)\]/)[1];
  return Array.from(list.matchAll(/'([^']+)'/g), (m) => m[1]);
}

describe('catalogue', function () {
  it('has the 31 templates of design.md section 6, in its order', function () {
    assert.equal(TEMPLATES.length, 31);
    assert.deepEqual(
      TEMPLATES.map((t) => t.id),
      DESIGN_TABLE.map((r) => r.id),
    );
    assert.equal(new Set(TEMPLATES.map((t) => t.id)).size, 31, 'ids are unique');
  });

  describe('matches the design table row by row', function () {
    for (const row of DESIGN_TABLE) {
      it(`${row.id}: ${row.method} ${row.path}`, function () {
        const t = getTemplate(row.id);
        assert.ok(t, `template ${row.id} exists`);
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

  it('getTemplate answers undefined for unknown ids', function () {
    assert.equal(getTemplate('manual'), undefined);
    assert.equal(getTemplate('createaccount'), undefined);
    assert.equal(getTemplate('toString'), undefined);
  });

  it('pathPlaceholders lists the {names} of a path in order', function () {
    assert.deepEqual(pathPlaceholders('/customObjects/{customObjectId}/instances/{instanceId}'), [
      'customObjectId',
      'instanceId',
    ]);
    assert.deepEqual(pathPlaceholders('/accounts'), []);
  });

  describe('typedParams', function () {
    it('names every path parameter filled from a typedInput', function () {
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

  describe('editorCatalogue', function () {
    const cat = editorCatalogue();

    it('serves every template with exactly the documented keys', function () {
      assert.equal(cat.length, 31);
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
            'label',
            'method',
            'params',
            'path',
            'required',
          ].sort(),
        );
        assert.equal(typeof e.id, 'string');
        assert.equal(typeof e.label, 'string');
        assert.ok(e.group.length > 0, `${e.id} has a group`);
        assert.ok(['rest', 'analytics'].includes(e.api));
        assert.ok(['POST', 'PUT', 'DELETE'].includes(e.method));
        assert.ok(Array.isArray(e.params));
        assert.ok(Array.isArray(e.required) && e.required.every((r) => typeof r === 'string'));
        assert.equal(typeof e.irreversible, 'boolean');
        assert.equal(typeof e.batchable, 'boolean');
        assert.ok(e.description.length > 20, `${e.id} has a description`);
      }
    });

    it('is JSON-serialisable as the admin route sends it', function () {
      assert.deepEqual(JSON.parse(JSON.stringify(cat)), cat);
    });

    it('agrees with the design table and typedParams', function () {
      cat.forEach((e, i) => {
        const row = DESIGN_TABLE[i];
        assert.equal(e.id, row.id);
        assert.equal(e.method, row.method);
        assert.equal(e.path, row.path);
        assert.equal(e.api, row.api);
        assert.deepEqual(e.params, typedParams(getTemplate(e.id)));
      });
    });

    it('describes required fields readably, including the one-of and kind rules', function () {
      const byId = Object.fromEntries(cat.map((e) => [e.id, e]));
      assert.deepEqual(byId.createAccount.required, ['externalId', 'name']);
      assert.deepEqual(byId.createUser.required, ['externalId', 'accountIds or organizationIds (non-empty array)']);
      assert.deepEqual(byId.createNote.required, ['note', 'noteDate', 'accountId or organizationId']);
      assert.deepEqual(byId.createNpsResponse.required, ['userId', 'score (integer 0-10)', 'respondedAt']);
      assert.deepEqual(byId.createConversation.required, ['subject', 'messages (array)']);
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

    it('returns a fresh copy each time (the editor cannot change the catalogue)', function () {
      const a = editorCatalogue();
      a[0].params.push('x');
      a[0].required.push('y');
      const b = editorCatalogue();
      assert.notDeepEqual(b[0].params, a[0].params);
      assert.equal(getTemplate(a[0].id).required.length, b[0].required.length);
    });
  });

  it('gives every Analytics template the message type of its path', function () {
    for (const t of TEMPLATES.filter((x) => x.api === 'analytics')) {
      assert.equal(`/${t.analyticsType}`, t.path, t.id);
    }
  });

  it('orders requests to one object and lets independent creates run concurrently', function () {
    const ordered = TEMPLATES.filter((t) => t.ordered)
      .map((t) => t.id)
      .sort();
    const expected = TEMPLATES.filter((t) => t.method !== 'POST')
      .map((t) => t.id)
      .concat(['createMessage', 'setMeetingTranscript'])
      .sort();
    assert.deepEqual(ordered, expected);
  });
});
