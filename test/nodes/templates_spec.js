'use strict';
// Every endpoint template, sent by a real Node-RED runtime to the sandbox: the method, the
// path, the body and which credential the sandbox accepted.
const assert = require('node:assert');
const { helper, load, destination, outputs, run, rest, newSandbox, stop } = require('./helpers');

describe('vitally-destination templates against the sandbox', function () {
  let sandbox;
  const fx = {};

  before(async function () {
    sandbox = await newSandbox();
    fx.org = await rest(sandbox, 'POST', '/organizations', { externalId: 'org-1', name: 'Org One' });
    fx.account = await rest(sandbox, 'POST', '/accounts', {
      externalId: 'acc-1',
      name: 'Acme',
      organizationId: fx.org.id,
    });
    fx.user = await rest(sandbox, 'POST', '/users', { externalId: 'user-1', accountIds: [fx.account.id] });
    fx.conversation = await rest(sandbox, 'POST', '/conversations', { subject: 'Hello', messages: [] });
    fx.note = await rest(sandbox, 'POST', '/notes', { note: 'n', noteDate: '2026-01-01', accountId: fx.account.id });
    fx.task = await rest(sandbox, 'POST', '/tasks', { name: 't', accountId: fx.account.id });
    fx.meeting = await rest(sandbox, 'POST', '/meetings', {
      title: 'Kickoff',
      participants: [{ email: 'a@b.c', type: 'organizer' }],
    });
    fx.customObject = sandbox.list('customObjects')[0];
    fx.instance = await rest(sandbox, 'POST', `/customObjects/${fx.customObject.id}/instances`, {
      name: 'i1',
      customerId: fx.account.id,
    });
    fx.doomedInstances = [];
    for (const name of ['d1', 'd2']) {
      fx.doomedInstances.push(
        await rest(sandbox, 'POST', `/customObjects/${fx.customObject.id}/instances`, {
          name,
          customerId: fx.account.id,
        }),
      );
    }
    fx.project = await rest(sandbox, 'POST', '/projects', { templateId: 'tmpl-1', accountId: fx.account.id }).catch(
      () => undefined,
    );
  });
  after(async function () {
    await sandbox.close();
  });
  beforeEach(() => helper.startServer());
  afterEach(stop);

  // [template, node properties, payload (function of fixtures), expected method, expected path, api]
  const cases = [
    [
      'createOrganization',
      {},
      () => ({ externalId: 'org-2', name: 'Org Two' }),
      'POST',
      () => '/resources/organizations',
      'rest',
    ],
    [
      'updateOrganization',
      { organizationId: 'orgId', organizationIdType: 'msg' },
      () => ({ name: 'Org Renamed' }),
      'PUT',
      (f) => `/resources/organizations/${f.org.id}`,
      'rest',
      (f) => ({ orgId: f.org.id }),
    ],
    [
      'deleteOrganization',
      { organizationId: '{{payload.id}}', confirmDelete: true },
      (f) => ({ id: f.throwawayOrg.id }),
      'DELETE',
      (f) => `/resources/organizations/${f.throwawayOrg.id}`,
      'rest',
    ],
    [
      'createAccount',
      {},
      (f) => ({ externalId: 'acc-2', name: 'Beta', organizationId: f.org.id }),
      'POST',
      () => '/resources/accounts',
      'rest',
    ],
    [
      'updateAccount',
      { accountId: '{{payload.externalId}}' },
      () => ({ externalId: 'acc-1', name: 'Acme Inc' }),
      'PUT',
      () => '/resources/accounts/acc-1',
      'rest',
    ],
    [
      'deleteAccount',
      { accountId: '{{payload.id}}', confirmDelete: true },
      (f) => ({ id: f.throwawayAccount.id }),
      'DELETE',
      (f) => `/resources/accounts/${f.throwawayAccount.id}`,
      'rest',
    ],
    [
      'createUser',
      {},
      (f) => ({ externalId: 'user-2', name: 'Ann', accountIds: [f.account.id] }),
      'POST',
      () => '/resources/users',
      'rest',
    ],
    [
      'updateUser',
      { userId: '{{payload.id}}' },
      (f) => ({ id: f.user.id, name: 'Ann B' }),
      'PUT',
      (f) => `/resources/users/${f.user.id}`,
      'rest',
    ],
    [
      'deleteUser',
      { userId: '{{payload.id}}', confirmDelete: true },
      (f) => ({ id: f.user.id }),
      'DELETE',
      (f) => `/resources/users/${f.user.id}`,
      'rest',
    ],
    [
      'createConversation',
      {},
      () => ({ externalId: 'conv-2', subject: 'Renewal', messages: [] }),
      'POST',
      () => '/resources/conversations',
      'rest',
    ],
    [
      'createMessage',
      { conversationId: '{{convId}}' },
      (f) => ({
        externalId: 'm-1',
        message: '<p>Hi</p>',
        from: { type: 'user', id: f.user.id },
        to: [{ type: 'admin', id: 'admin-1' }],
      }),
      'POST',
      (f) => `/resources/conversations/${f.conversation.id}/messages`,
      'rest',
      (f) => ({ convId: f.conversation.id }),
    ],
    [
      'createNote',
      {},
      (f) => ({ externalId: 'note-2', note: '<p>Call</p>', noteDate: '2026-02-01T00:00:00Z', accountId: f.account.id }),
      'POST',
      () => '/resources/notes',
      'rest',
    ],
    [
      'updateNote',
      { noteId: '{{payload.id}}' },
      (f) => ({ id: f.note.id, note: 'changed' }),
      'PUT',
      (f) => `/resources/notes/${f.note.id}`,
      'rest',
    ],
    [
      'createProject',
      {},
      (f) => ({ templateId: 'tmpl-1', accountId: f.account.id, name: 'Onboarding' }),
      'POST',
      () => '/resources/projects',
      'rest',
    ],
    [
      'updateProject',
      { projectId: '{{payload.id}}' },
      (f) => ({ id: f.projectId, name: 'Renamed' }),
      'PUT',
      (f) => `/resources/projects/${f.projectId}`,
      'rest',
    ],
    [
      'createTask',
      {},
      (f) => ({ externalId: 'task-2', name: 'Follow up', accountId: f.account.id }),
      'POST',
      () => '/resources/tasks',
      'rest',
    ],
    [
      'updateTask',
      { taskId: '{{payload.id}}' },
      (f) => ({ id: f.task.id, name: 'Follow up now' }),
      'PUT',
      (f) => `/resources/tasks/${f.task.id}`,
      'rest',
    ],
    [
      'createNpsResponse',
      {},
      (f) => ({
        externalId: 'nps-1',
        userId: f.npsUser.id,
        score: 9,
        respondedAt: '2026-03-01T00:00:00Z',
        feedback: 'great',
      }),
      'POST',
      () => '/resources/npsResponses',
      'rest',
    ],
    [
      'createMeeting',
      {},
      () => ({ externalId: 'meet-2', title: 'QBR', participants: [{ email: 'x@y.z', type: 'attendee' }] }),
      'POST',
      () => '/resources/meetings',
      'rest',
    ],
    [
      'updateMeeting',
      { meetingId: '{{payload.id}}' },
      (f) => ({ id: f.meeting.id, title: 'QBR (moved)' }),
      'PUT',
      (f) => `/resources/meetings/${f.meeting.id}`,
      'rest',
    ],
    [
      'setMeetingTranscript',
      { meetingId: '{{meeting}}' },
      () => ({
        transcript: [{ speaker: { externalId: 's1' }, sentences: [{ text: 'Hi', startTime: 0, endTime: 900 }] }],
      }),
      'POST',
      (f) => `/resources/meetings/${f.meeting.id}/transcript`,
      'rest',
      (f) => ({ meeting: f.meeting.id }),
    ],
    [
      'createCustomObjectInstance',
      { customObjectId: '{{co}}' },
      (f) => ({ name: 'Plan A', customerId: f.account.id }),
      'POST',
      (f) => `/resources/customObjects/${f.customObject.id}/instances`,
      'rest',
      (f) => ({ co: f.customObject.id }),
    ],
    [
      'updateCustomObjectInstance',
      { customObjectId: '{{co}}', instanceId: '{{payload.id}}' },
      (f) => ({ id: f.instance.id, name: 'Plan B' }),
      'PUT',
      (f) => `/resources/customObjects/${f.customObject.id}/instances/${f.instance.id}`,
      'rest',
      (f) => ({ co: f.customObject.id }),
    ],
    [
      'deleteCustomObjectInstance',
      { customObjectId: '{{co}}', instanceId: '{{payload.id}}', confirmDelete: true },
      (f) => ({ id: f.doomedInstances[0].id }),
      'DELETE',
      (f) => `/resources/customObjects/${f.customObject.id}/instances/${f.doomedInstances[0].id}`,
      'rest',
      (f) => ({ co: f.customObject.id }),
    ],
    [
      'deleteCustomObjectInstances',
      { customObjectId: '{{co}}', confirmDelete: true },
      (f) => f.doomedInstances[1].id,
      'DELETE',
      (f) => `/resources/customObjects/${f.customObject.id}/instances/${f.doomedInstances[1].id}`,
      'rest',
      (f) => ({ co: f.customObject.id }),
    ],
    [
      'analyticsAccount',
      {},
      () => ({ accountId: 'acc-x', traits: { name: 'X' } }),
      'POST',
      () => '/analytics/v1/account',
      'analytics',
    ],
    [
      'analyticsOrganization',
      {},
      () => ({ organizationId: 'org-x', traits: {} }),
      'POST',
      () => '/analytics/v1/organization',
      'analytics',
    ],
    [
      'analyticsUser',
      {},
      () => ({ userId: 'u-x', accountId: 'acc-x', traits: { email: 'u@x.io' } }),
      'POST',
      () => '/analytics/v1/user',
      'analytics',
    ],
    [
      'analyticsTrack',
      {},
      () => ({ userId: 'u-x', event: 'Logged in', properties: {} }),
      'POST',
      () => '/analytics/v1/track',
      'analytics',
    ],
    [
      'analyticsUnlink',
      {},
      () => ({ userId: 'u-x', accountId: 'acc-x' }),
      'POST',
      () => '/analytics/v1/unlink',
      'analytics',
    ],
    [
      'analyticsCustomObjectInstance',
      {},
      () => ({ externalId: 'coi-x', customObjectId: 'co', traits: {}, accountId: 'acc-x' }),
      'POST',
      () => '/analytics/v1/customobjectinstance',
      'analytics',
    ],
  ];

  it('covers every write template (reads and upserts have their own specs)', function () {
    const { TEMPLATES } = require('../../dist/catalogue');
    assert.deepStrictEqual(
      cases.map((c) => c[0]).sort(),
      TEMPLATES.filter((t) => t.kind === 'write')
        .map((t) => t.id)
        .sort(),
    );
  });

  for (const [endpoint, props, payload, method, path, api, extra] of cases) {
    it(`${endpoint} sends ${method} to its path with the ${api} credential`, async function () {
      if (endpoint === 'deleteOrganization')
        fx.throwawayOrg = await rest(sandbox, 'POST', '/organizations', { externalId: 'org-doomed', name: 'Doomed' });
      if (endpoint === 'deleteAccount')
        fx.throwawayAccount = await rest(sandbox, 'POST', '/accounts', { externalId: 'acc-doomed', name: 'Doomed' });
      if (endpoint === 'createNpsResponse')
        fx.npsUser = await rest(sandbox, 'POST', '/users', { externalId: 'user-nps', accountIds: [fx.account.id] });
      if (endpoint === 'updateProject') {
        fx.projectId =
          fx.projectId ||
          (await rest(sandbox, 'POST', '/projects', { templateId: 'tmpl-1', accountId: fx.account.id })).id;
      }
      await load(sandbox, [destination({ endpoint, ...props }), ...outputs]);
      const before = sandbox.counters.total;
      const body = payload(fx);
      const { result, out2 } = await run(body, extra ? extra(fx) : {});
      const v = result.vitally;
      assert.strictEqual(v.failed, 0, JSON.stringify(v.results));
      assert.strictEqual(v.succeeded, 1);
      assert.strictEqual(sandbox.counters.total, before + 1, 'exactly one request');
      const logged = sandbox.requests[sandbox.requests.length - 1];
      assert.strictEqual(logged.method, method);
      assert.strictEqual(logged.path, path(fx));
      assert.strictEqual(logged.key, api, 'authenticated with the right credential');
      assert.ok(logged.status >= 200 && logged.status < 300, `status ${logged.status}`);
      if (method === 'DELETE') {
        assert.strictEqual(logged.body, undefined, 'DELETE carries no body');
      } else if (api === 'analytics') {
        for (const [k, val] of Object.entries(body)) assert.deepStrictEqual(logged.body[k], val);
        assert.ok(logged.body.timestamp && logged.body.messageId, 'analytics messages are stamped');
      } else {
        assert.deepStrictEqual(logged.body, body);
      }
      assert.strictEqual(out2.length, 1);
      assert.strictEqual(out2[0].request.method, method);
      assert.strictEqual(out2[0].request.url, sandbox.url + path(fx));
      assert.strictEqual(out2[0].statusCode, logged.status);
      assert.strictEqual(out2[0].records, 1);
      assert.strictEqual(out2[0].attempts, 1);
    });
  }
});
