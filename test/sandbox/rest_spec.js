'use strict';
const assert = require('node:assert/strict');
const { SEEDED_CUSTOM_OBJECT_ID } = require('../../dist/sandbox');
const { rest, request, REST_AUTH, useSandbox } = require('./helpers');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOW = '2024-05-01T10:00:00.000Z';

/** Asserts a 400 whose error names `field`. */
async function rejects(res, field) {
  const r = await res;
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.error, new RegExp(`\\b${field}\\b`), r.body.error);
}

async function created(res) {
  const r = await res;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.id, UUID);
  assert.ok(!Number.isNaN(Date.parse(r.body.createdAt)) && !Number.isNaN(Date.parse(r.body.updatedAt)));
  return r.body;
}

describe('sandbox REST resources', () => {
  const t = useSandbox();
  const call = (method, path, body) => rest(t.sandbox, method, path, body);
  const org = () => created(call('POST', '/organizations', { externalId: 'org-1', name: 'Org One' }));
  const account = (extra = {}) => created(call('POST', '/accounts', { externalId: 'acc-1', name: 'Acme', ...extra }));
  const user = async () =>
    created(
      call('POST', '/users', {
        externalId: 'u-1',
        name: 'Ann',
        email: 'ann@acme.test',
        accountIds: [(await account()).id],
      }),
    );

  describe('organizations', () => {
    it('creates with externalId and name, and reads by Vitally id and by externalId', async () => {
      const o = await org();
      assert.equal(o.externalId, 'org-1');
      assert.equal(o.name, 'Org One');
      assert.deepEqual((await call('GET', `/organizations/${o.id}`)).body, o);
      assert.deepEqual((await call('GET', '/organizations/org-1')).body, o);
    });

    it('requires externalId and name', async () => {
      await rejects(call('POST', '/organizations', { name: 'x' }), 'externalId');
      await rejects(call('POST', '/organizations', { externalId: 'x' }), 'name');
      await rejects(call('POST', '/organizations', { externalId: 'x', name: '' }), 'name');
    });

    it('updates on a POST with a known externalId (an upsert), merging traits', async () => {
      const o = await created(
        call('POST', '/organizations', { externalId: 'org-1', name: 'A', traits: { tier: 'gold', seats: 3 } }),
      );
      const again = await created(
        call('POST', '/organizations', { externalId: 'org-1', name: 'B', traits: { seats: null, region: 'eu' } }),
      );
      assert.equal(again.id, o.id);
      assert.equal(again.name, 'B');
      assert.deepEqual(again.traits, { tier: 'gold', region: 'eu' }, 'a null trait is removed');
      assert.equal(t.sandbox.list('organizations').length, 1);
    });

    it('updates with PUT by id or externalId and deletes with DELETE', async () => {
      const o = await org();
      const put = await call('PUT', `/organizations/${o.id}`, { name: 'Renamed' });
      assert.equal(put.status, 200);
      assert.equal(put.body.name, 'Renamed');
      assert.equal(put.body.createdAt, o.createdAt);
      assert.equal((await call('PUT', '/organizations/org-1', { name: 'Again' })).body.id, o.id);
      const del = await call('DELETE', '/organizations/org-1');
      assert.equal(del.status, 200);
      assert.equal(del.body.id, o.id);
      assert.equal((await call('GET', `/organizations/${o.id}`)).status, 404);
    });

    it('answers 404 with a JSON error for unknown ids', async () => {
      for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']]) {
        const res = await call(method, '/organizations/nope', body);
        assert.equal(res.status, 404);
        assert.match(res.body.error, /nope/);
      }
    });

    it('never lets a client choose the Vitally id', async () => {
      const o = await created(call('POST', '/organizations', { id: 'mine', externalId: 'o', name: 'n' }));
      assert.notEqual(o.id, 'mine');
      assert.equal((await call('PUT', `/organizations/${o.id}`, { id: 'other' })).body.id, o.id);
    });
  });

  describe('accounts', () => {
    it('creates with externalId and name, linked to an existing organization by Vitally id', async () => {
      const o = await org();
      const a = await account({ organizationId: o.id });
      assert.equal(a.organizationId, o.id);
      assert.deepEqual((await call('GET', '/accounts/acc-1')).body, a);
    });

    it('requires externalId and name, and an organizationId that is a Vitally id (not an externalId)', async () => {
      await rejects(call('POST', '/accounts', { name: 'x' }), 'externalId');
      await rejects(call('POST', '/accounts', { externalId: 'x' }), 'name');
      await org();
      await rejects(
        call('POST', '/accounts', { externalId: 'x', name: 'y', organizationId: 'org-1' }),
        'organizationId',
      );
    });

    it('refuses a second account with the same externalId instead of creating a duplicate', async () => {
      await account();
      await rejects(call('POST', '/accounts', { externalId: 'acc-1', name: 'Other' }), 'externalId');
      assert.equal(t.sandbox.list('accounts').length, 1);
    });

    it('updates with PUT (checking organizationId) and deletes with DELETE', async () => {
      const a = await account();
      await rejects(call('PUT', `/accounts/${a.id}`, { organizationId: 'nope' }), 'organizationId');
      assert.equal((await call('PUT', '/accounts/acc-1', { name: 'Acme Inc' })).body.name, 'Acme Inc');
      assert.equal((await call('DELETE', `/accounts/${a.id}`)).status, 200);
      assert.equal((await call('GET', '/accounts/acc-1')).status, 404);
    });
  });

  describe('users', () => {
    it('creates with externalId and accountIds of existing accounts, reads by id and externalId', async () => {
      const u = await user();
      assert.deepEqual((await call('GET', '/users/u-1')).body, u);
      assert.deepEqual((await call('GET', `/users/${u.id}`)).body, u);
    });

    it('requires externalId and a non-empty accountIds or organizationIds of Vitally ids', async () => {
      const a = await account();
      await rejects(call('POST', '/users', { accountIds: [a.id] }), 'externalId');
      await rejects(call('POST', '/users', { externalId: 'u' }), 'accountIds');
      await rejects(call('POST', '/users', { externalId: 'u', accountIds: [] }), 'accountIds');
      await rejects(call('POST', '/users', { externalId: 'u', accountIds: ['acc-1'] }), 'accountIds');
      await rejects(call('POST', '/users', { externalId: 'u', organizationIds: 'x' }), 'organizationIds');
      const o = await org();
      await created(call('POST', '/users', { externalId: 'u', organizationIds: [o.id] }));
    });

    it('updates with PUT and answers DELETE with 204 and no body (a scheduled delete)', async () => {
      const u = await user();
      assert.equal((await call('PUT', '/users/u-1', { name: 'Anne' })).body.name, 'Anne');
      await rejects(call('PUT', `/users/${u.id}`, { accountIds: ['nope'] }), 'accountIds');
      const del = await call('DELETE', `/users/${u.id}`);
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
      assert.equal((await call('DELETE', `/users/${u.id}`)).status, 404);
    });

    it('finds users with /users/search by exactly one of externalId, email, emailSubdomain', async () => {
      const u = await user();
      assert.deepEqual((await call('GET', '/users/search?externalId=u-1')).body, { results: [u] });
      assert.deepEqual((await call('GET', '/users/search?email=ann%40acme.test')).body, { results: [u] });
      assert.deepEqual((await call('GET', '/users/search?emailSubdomain=acme.test')).body, { results: [u] });
      assert.deepEqual((await call('GET', '/users/search?email=bob%40acme.test')).body, { results: [] });
      await rejects(call('GET', '/users/search'), 'externalId');
    });
  });

  describe('conversations and messages', () => {
    const message = (n) => ({
      externalId: `m-${n}`,
      message: `<p>hi ${n}</p>`,
      from: { type: 'user', id: 'u' },
      to: [{ type: 'admin', id: 'a' }],
    });

    it('creates a conversation with subject and messages, which its GET includes and its list omits', async () => {
      const c = await created(
        call('POST', '/conversations', { externalId: 'c-1', subject: 'Hello', messages: [message(1)] }),
      );
      assert.equal(c.messages.length, 1);
      assert.equal(c.messages[0].conversationId, c.id);
      assert.equal(c.messages[0].type, 'inbound', 'from a user');
      const got = (await call('GET', `/conversations/${c.id}`)).body;
      assert.deepEqual(
        got.messages.map((m) => m.externalId),
        ['m-1'],
      );
      const listed = (await call('GET', '/conversations')).body.results;
      assert.equal(listed[0].id, c.id);
      assert.equal(listed[0].messages, undefined);
    });

    it('requires subject and a messages array (which may be empty), and checks each message', async () => {
      await rejects(call('POST', '/conversations', { messages: [] }), 'subject');
      await rejects(call('POST', '/conversations', { subject: 's' }), 'messages');
      await rejects(call('POST', '/conversations', { subject: 's', messages: {} }), 'messages');
      await rejects(
        call('POST', '/conversations', { subject: 's', messages: [{ ...message(1), from: undefined }] }),
        'messages\\[0\\]\\.from',
      );
      await created(call('POST', '/conversations', { subject: 's', messages: [] }));
    });

    it('adds messages with POST /conversations/:id/messages, requiring externalId, message, from and to', async () => {
      const c = await created(call('POST', '/conversations', { subject: 's', messages: [] }));
      const m = await created(
        call('POST', `/conversations/${c.id}/messages`, {
          ...message(2),
          from: { type: 'admin', id: 'adm' },
          to: [{ type: 'user', id: 'u' }],
        }),
      );
      assert.equal(m.conversationId, c.id);
      assert.equal(m.type, 'outbound', 'from an admin');
      for (const field of ['externalId', 'message', 'from', 'to']) {
        await rejects(call('POST', `/conversations/${c.id}/messages`, { ...message(3), [field]: undefined }), field);
      }
      await rejects(
        call('POST', `/conversations/${c.id}/messages`, { ...message(3), to: { type: 'user', id: 'u' } }),
        'to',
      );
      await rejects(
        call('POST', `/conversations/${c.id}/messages`, { ...message(3), from: { type: 'robot', id: 'r' } }),
        'from\\.type',
      );
      const list = (await call('GET', `/conversations/${c.id}/messages`)).body;
      assert.deepEqual(
        list.results.map((x) => x.id),
        [m.id],
      );
      assert.deepEqual((await call('GET', '/messages/m-2')).body, m);
    });

    it('refuses a message externalId already used, without storing half a conversation', async () => {
      await created(call('POST', '/conversations', { subject: 'one', messages: [message(1)] }));
      await rejects(
        call('POST', '/conversations', { subject: 'two', messages: [message(2), message(1)] }),
        'messages\\[1\\]\\.externalId',
      );
      await rejects(
        call('POST', '/conversations', { subject: 'three', messages: [message(3), message(3)] }),
        'externalId',
      );
      assert.equal(t.sandbox.list('conversations').length, 1);
      assert.equal(t.sandbox.list('messages').length, 1);
    });

    it("replaces a conversation's messages on a PUT that carries them", async () => {
      const c = await created(call('POST', '/conversations', { subject: 's', messages: [message(1), message(2)] }));
      const put = await call('PUT', `/conversations/${c.id}`, { subject: 's2', messages: [message(2), message(3)] });
      assert.equal(put.status, 200);
      assert.deepEqual(
        put.body.messages.map((m) => m.externalId),
        ['m-2', 'm-3'],
      );
      assert.equal(t.sandbox.list('messages').length, 2);
    });

    it('answers 404 for messages to an unknown conversation', async () => {
      const res = await call('POST', '/conversations/nope/messages', message(1));
      assert.equal(res.status, 404);
      assert.match(res.body.error, /conversation/);
    });
  });

  describe('notes and tasks', () => {
    it('creates a note with note, noteDate and an account, and upserts it on externalId', async () => {
      const a = await account();
      const n = await created(
        call('POST', '/notes', { externalId: 'n-1', note: '<p>x</p>', noteDate: NOW, accountId: a.id }),
      );
      const again = await created(
        call('POST', '/notes', { externalId: 'n-1', note: '<p>y</p>', noteDate: NOW, accountId: a.id }),
      );
      assert.equal(again.id, n.id);
      assert.equal(again.note, '<p>y</p>');
      assert.equal(t.sandbox.list('notes').length, 1);
    });

    it('validates notes: note, noteDate (a date), accountId or organizationId of existing objects', async () => {
      const a = await account();
      await rejects(call('POST', '/notes', { noteDate: NOW, accountId: a.id }), 'note');
      await rejects(call('POST', '/notes', { note: 'x', accountId: a.id }), 'noteDate');
      await rejects(call('POST', '/notes', { note: 'x', noteDate: 'yesterday', accountId: a.id }), 'noteDate');
      await rejects(call('POST', '/notes', { note: 'x', noteDate: NOW }), 'accountId or organizationId');
      await rejects(call('POST', '/notes', { note: 'x', noteDate: NOW, accountId: 'acc-1' }), 'accountId');
    });

    it('updates a note with PUT by Vitally id, or by externalId only with ?source=', async () => {
      const a = await account();
      const n = await created(call('POST', '/notes', { externalId: 'n-1', note: 'x', noteDate: NOW, accountId: a.id }));
      assert.equal((await call('PUT', `/notes/${n.id}`, { note: 'y' })).body.note, 'y');
      assert.equal((await call('PUT', '/notes/n-1', { note: 'z' })).status, 404);
      assert.equal((await call('PUT', '/notes/n-1?source=crm', { note: 'z' })).body.note, 'z');
      await rejects(call('PUT', `/notes/${n.id}`, { noteDate: 'soon' }), 'noteDate');
    });

    it('creates a task with name and an account or organization, upserts on externalId, updates with PUT', async () => {
      const o = await org();
      await rejects(call('POST', '/tasks', { organizationId: o.id }), 'name');
      await rejects(call('POST', '/tasks', { name: 'Call' }), 'accountId or organizationId');
      const task = await created(call('POST', '/tasks', { externalId: 't-1', name: 'Call', organizationId: o.id }));
      assert.equal(
        (await created(call('POST', '/tasks', { externalId: 't-1', name: 'Call back', organizationId: o.id }))).id,
        task.id,
      );
      assert.equal((await call('PUT', `/tasks/${task.id}`, { completedAt: NOW })).body.completedAt, NOW);
      assert.equal(t.sandbox.get('tasks', 't-1').name, 'Call back');
    });

    it('archives notes and tasks on DELETE: still readable by id, listed only with archived=true', async () => {
      const a = await account();
      const task = await created(call('POST', '/tasks', { name: 'x', accountId: a.id }));
      const del = await call('DELETE', `/tasks/${task.id}`);
      assert.equal(del.status, 200);
      assert.ok(del.body.archivedAt);
      assert.equal((await call('GET', `/tasks/${task.id}`)).status, 200);
      assert.deepEqual((await call('GET', '/tasks')).body.results, []);
      assert.equal((await call('GET', '/tasks?archived=true')).body.results[0].id, task.id);
    });
  });

  describe('NPS responses', () => {
    it('creates with a Vitally user id, an integer score 0..10 and respondedAt, and upserts on externalId', async () => {
      const u = await user();
      const r = await created(
        call('POST', '/npsResponses', { externalId: 'nps-1', userId: u.id, score: 0, respondedAt: NOW }),
      );
      const again = await created(
        call('POST', '/npsResponses', {
          externalId: 'nps-1',
          userId: u.id,
          score: 10,
          respondedAt: NOW,
          feedback: 'great',
        }),
      );
      assert.equal(again.id, r.id);
      assert.equal(again.score, 10);
      assert.deepEqual((await call('GET', '/npsResponses/nps-1')).body, again);
    });

    it('rejects a missing or unknown userId, a score outside 0..10 or not an integer, and a missing respondedAt', async () => {
      const u = await user();
      await rejects(call('POST', '/npsResponses', { score: 5, respondedAt: NOW }), 'userId');
      await rejects(call('POST', '/npsResponses', { userId: 'u-1', score: 5, respondedAt: NOW }), 'userId');
      for (const score of [11, -1, 7.5, '7'])
        await rejects(call('POST', '/npsResponses', { userId: u.id, score, respondedAt: NOW }), 'score');
      await rejects(call('POST', '/npsResponses', { userId: u.id, respondedAt: NOW }), 'score');
      await rejects(call('POST', '/npsResponses', { userId: u.id, score: 5 }), 'respondedAt');
    });
  });

  describe('projects', () => {
    it('creates from a templateId for an account or organization and updates with PUT', async () => {
      const a = await account();
      await rejects(call('POST', '/projects', { accountId: a.id }), 'templateId');
      await rejects(call('POST', '/projects', { templateId: 'tpl' }), 'accountId or organizationId');
      const p = await created(call('POST', '/projects', { templateId: 'tpl', accountId: a.id, name: 'Onboarding' }));
      const put = await call('PUT', `/projects/${p.id}`, { name: 'Onboarding v2' });
      assert.equal(put.body.name, 'Onboarding v2');
      assert.equal((await call('PUT', '/projects/nope', { name: 'x' })).status, 404);
    });
  });

  describe('meetings and transcripts', () => {
    const participants = [{ email: 'ann@acme.test', type: 'attendee' }];
    const transcript = [
      { speaker: { externalId: 'u-1', name: 'Ann' }, sentences: [{ text: 'Hello', startTime: 0, endTime: 5000 }] },
    ];

    it('creates with title and non-empty participants, reads by id or externalId, updates with PUT', async () => {
      await rejects(call('POST', '/meetings', { participants }), 'title');
      await rejects(call('POST', '/meetings', { title: 'Kickoff' }), 'participants');
      await rejects(call('POST', '/meetings', { title: 'Kickoff', participants: [] }), 'participants');
      await rejects(
        call('POST', '/meetings', { title: 'Kickoff', participants: [{ email: 'a@b.c', type: 'host' }] }),
        'participants\\[0\\]\\.type',
      );
      const m = await created(call('POST', '/meetings', { externalId: 'mt-1', title: 'Kickoff', participants }));
      assert.deepEqual((await call('GET', '/meetings/mt-1')).body, m);
      assert.equal((await call('PUT', `/meetings/${m.id}`, { title: 'Kick-off' })).body.title, 'Kick-off');
    });

    it('creates, then replaces, a meeting transcript and reads it back', async () => {
      const m = await created(call('POST', '/meetings', { externalId: 'mt-1', title: 'Kickoff', participants }));
      assert.equal((await call('GET', `/meetings/${m.id}/transcript`)).status, 404);
      await rejects(call('POST', `/meetings/${m.id}/transcript`, {}), 'transcript');
      await rejects(
        call('POST', `/meetings/${m.id}/transcript`, { transcript: [{ sentences: [] }] }),
        'transcript\\[0\\]\\.speaker',
      );
      const first = await created(call('POST', `/meetings/${m.id}/transcript`, { transcript }));
      assert.equal(first.meetingId, m.id);
      const replaced = await created(
        call('POST', '/meetings/mt-1/transcript', { transcript: [...transcript, ...transcript] }),
      );
      assert.equal(replaced.id, first.id);
      const got = await call('GET', `/meetings/${m.id}/transcript`);
      assert.equal(got.body.transcript.length, 2);
      assert.equal(t.sandbox.list('meetingTranscripts').length, 1);
      assert.equal((await call('POST', '/meetings/nope/transcript', { transcript })).status, 404);
    });
  });

  describe('custom objects', () => {
    const instances = `/customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`;

    it('starts with one definition, "Subscriptions", and takes new ones with name, label and writeMode', async () => {
      const defs = (await call('GET', '/customObjects')).body.results;
      assert.deepEqual(
        defs.map((d) => [d.id, d.label]),
        [[SEEDED_CUSTOM_OBJECT_ID, 'Subscriptions']],
      );
      await rejects(call('POST', '/customObjects', { label: 'Invoices', writeMode: 'writable' }), 'name');
      await rejects(
        call('POST', '/customObjects', { name: 'invoices', label: 'Invoices', writeMode: 'sometimes' }),
        'writeMode',
      );
      const def = await created(
        call('POST', '/customObjects', { name: 'invoices', label: 'Invoices', writeMode: 'writable' }),
      );
      assert.equal((await call('GET', `/customObjects/${def.id}/instances`)).status, 200);
    });

    it('creates instances with name and customerId or organizationId, updates, lists and deletes them', async () => {
      const a = await account();
      await rejects(call('POST', instances, { customerId: a.id }), 'name');
      await rejects(call('POST', instances, { name: 'Pro plan' }), 'customerId or organizationId');
      await rejects(call('POST', instances, { name: 'Pro plan', customerId: 'acc-1' }), 'customerId');
      const inst = await created(
        call('POST', instances, { name: 'Pro plan', externalId: 'sub-1', customerId: a.id, traits: { mrr: 10 } }),
      );
      const put = await call('PUT', `${instances}/${inst.id}`, { traits: { mrr: 20 } });
      assert.deepEqual(put.body.traits, { mrr: 20 });
      assert.deepEqual(
        (await call('GET', instances)).body.results.map((i) => i.id),
        [inst.id],
      );
      assert.deepEqual(
        (await call('GET', `${instances}/search?externalId=sub-1`)).body.map((i) => i.id),
        [inst.id],
      );
      assert.deepEqual(
        t.sandbox.list(`customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`).map((i) => i.id),
        [inst.id],
      );
      assert.equal((await call('DELETE', `${instances}/${inst.id}`)).status, 200);
      assert.equal((await call('DELETE', `${instances}/${inst.id}`)).status, 404);
      assert.equal((await call('PUT', `${instances}/nope`, { name: 'x' })).status, 404);
    });

    it('answers 404 for an unknown custom object, and has no single-instance GET (as in Vitally)', async () => {
      const a = await account();
      const res = await call('POST', '/customObjects/nope/instances', { name: 'x', customerId: a.id });
      assert.equal(res.status, 404);
      assert.match(res.body.error, /custom object/);
      const inst = await created(call('POST', instances, { name: 'x', customerId: a.id }));
      assert.equal((await call('GET', `${instances}/${inst.id}`)).status, 404);
    });
  });

  describe('requests that go wrong', () => {
    it('answers 404 with a JSON error for unknown routes and methods', async () => {
      for (const [method, path] of [
        ['GET', '/widgets'],
        ['PATCH', '/accounts'],
        ['POST', '/messages'],
        ['PUT', '/accounts'],
        ['GET', '/accounts/a/b/c'],
      ]) {
        const res = await call(method, path, method === 'GET' ? undefined : {});
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(typeof res.body.error, 'string');
      }
      assert.equal((await request(t.sandbox, 'GET', '/nowhere')).status, 404);
    });

    it('answers 400 for malformed JSON and for a body that is not an object', async () => {
      const bad = await request(t.sandbox, 'POST', '/resources/accounts', {
        raw: '{"externalId": ',
        headers: { Authorization: REST_AUTH },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /JSON/);
      const list = await request(t.sandbox, 'POST', '/resources/accounts', {
        raw: '[1,2]',
        headers: { Authorization: REST_AUTH },
      });
      assert.equal(list.status, 400);
      assert.match(list.body.error, /object/);
    });

    it('answers an empty-bodied POST with the first missing field', async () => {
      await rejects(call('POST', '/accounts'), 'externalId');
    });
  });

  describe('seed data', () => {
    const seeded = useSandbox({
      data: { accounts: [{ id: 'acc-seeded', externalId: 'ext-seeded', name: 'Seeded Inc' }] },
    });

    it('stores objects from the data option, keeping their ids, and restores them on reset', async () => {
      const res = await rest(seeded.sandbox, 'GET', '/accounts/ext-seeded');
      assert.equal(res.body.id, 'acc-seeded');
      await rest(seeded.sandbox, 'DELETE', '/accounts/acc-seeded');
      seeded.sandbox.reset();
      assert.equal(seeded.sandbox.get('accounts', 'acc-seeded').name, 'Seeded Inc');
    });
  });
});
