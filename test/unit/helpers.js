'use strict';
/**
 * Shared fixtures for the unit tests of the pure runtime modules: the endpoint tables as
 * design.md section 6 writes them (kept here, independent of src/catalogue, so a wrong path or
 * required field in the catalogue fails a test), a valid body per template, a fake Transport,
 * a fake clock and a seeded random generator.
 */
const assert = require('node:assert/strict');
const sinon = require('sinon');

const { resolveHosts } = require('../../dist/core/hosts');

const US = resolveHosts({ region: 'us', subdomain: 'acme' });
const CUSTOM = resolveHosts({ region: 'custom', baseUrl: 'http://127.0.0.1:4010' });
const EU = resolveHosts({ region: 'eu' });

/**
 * design.md section 6, row by row: [id, label, method, path, required groups]. A group is a
 * list of alternatives ("accountId or organizationId"); `kind` notes the extra rule.
 */
const DESIGN_TABLE = [
  ['createOrganization', 'Create An Organization', 'POST', '/organizations', [['externalId'], ['name']]],
  ['updateOrganization', 'Update An Organization', 'PUT', '/organizations/{organizationId}', []],
  ['deleteOrganization', 'Delete An Organization (irreversible)', 'DELETE', '/organizations/{organizationId}', []],
  ['createAccount', 'Create An Account', 'POST', '/accounts', [['externalId'], ['name']]],
  ['updateAccount', 'Update An Account', 'PUT', '/accounts/{accountId}', []],
  ['deleteAccount', 'Delete An Account (irreversible)', 'DELETE', '/accounts/{accountId}', []],
  [
    'createUser',
    'Create A User',
    'POST',
    '/users',
    [['externalId'], ['accountIds', 'organizationIds', 'nonEmptyArray']],
  ],
  ['updateUser', 'Update A User', 'PUT', '/users/{userId}', []],
  ['deleteUser', 'Delete A User (irreversible)', 'DELETE', '/users/{userId}', []],
  ['createConversation', 'Create A Conversation', 'POST', '/conversations', [['subject'], ['messages', 'array']]],
  [
    'createMessage',
    'Create A Message',
    'POST',
    '/conversations/{conversationId}/messages',
    [['externalId'], ['message'], ['from'], ['to']],
  ],
  ['createNote', 'Create A Note', 'POST', '/notes', [['note'], ['noteDate'], ['accountId', 'organizationId']]],
  ['updateNote', 'Update A Note', 'PUT', '/notes/{noteId}', []],
  [
    'createProject',
    'Create A Project from a Template',
    'POST',
    '/projects',
    [['templateId'], ['accountId', 'organizationId']],
  ],
  ['updateProject', 'Update A Project', 'PUT', '/projects/{projectId}', []],
  ['createTask', 'Create A Task', 'POST', '/tasks', [['name'], ['accountId', 'organizationId']]],
  ['updateTask', 'Update A Task', 'PUT', '/tasks/{taskId}', []],
  [
    'createNpsResponse',
    'Create An NPS Response',
    'POST',
    '/npsResponses',
    [['userId'], ['score', 'score'], ['respondedAt']],
  ],
  ['createMeeting', 'Create A Meeting', 'POST', '/meetings', [['title'], ['participants', 'nonEmptyArray']]],
  ['updateMeeting', 'Update A Meeting', 'PUT', '/meetings/{meetingId}', []],
  [
    'setMeetingTranscript',
    "Create/Replace A Meeting's Transcript",
    'POST',
    '/meetings/{meetingId}/transcript',
    [['transcript', 'array']],
  ],
  [
    'createCustomObjectInstance',
    'Create A Custom Object Instance',
    'POST',
    '/customObjects/{customObjectId}/instances',
    [['name'], ['customerId', 'organizationId']],
  ],
  [
    'updateCustomObjectInstance',
    'Update A Custom Object Instance',
    'PUT',
    '/customObjects/{customObjectId}/instances/{instanceId}',
    [],
  ],
  [
    'deleteCustomObjectInstance',
    'Delete A Custom Object Instance (irreversible)',
    'DELETE',
    '/customObjects/{customObjectId}/instances/{instanceId}',
    [],
  ],
  [
    'deleteCustomObjectInstances',
    'Delete Custom Object Instances, bulk (irreversible)',
    'DELETE',
    '/customObjects/{customObjectId}/instances/{id}',
    [],
  ],
  ['analyticsAccount', 'Analytics: Identify Account', 'POST', '/account', [['accountId']]],
  ['analyticsOrganization', 'Analytics: Identify Organization', 'POST', '/organization', [['organizationId']]],
  [
    'analyticsUser',
    'Analytics: Identify User',
    'POST',
    '/user',
    [['userId'], ['traits', 'object'], ['accountId', 'organizationId']],
  ],
  [
    'analyticsTrack',
    'Analytics: Track Event',
    'POST',
    '/track',
    [['event'], ['properties', 'object'], ['userId', 'accountId', 'organizationId']],
  ],
  ['analyticsUnlink', 'Analytics: Unlink User', 'POST', '/unlink', [['userId'], ['accountId', 'organizationId']]],
  [
    'analyticsCustomObjectInstance',
    'Analytics: Upsert Custom Object Instance',
    'POST',
    '/customobjectinstance',
    [['externalId'], ['customObjectId'], ['traits', 'object'], ['accountId', 'organizationId']],
  ],
].map(([id, label, method, path, groups]) => ({
  id,
  label,
  method,
  path,
  api: id.startsWith('analytics') ? 'analytics' : 'rest',
  required: groups.map((g) => {
    const kinds = ['array', 'nonEmptyArray', 'score', 'object'];
    const kind = kinds.includes(g[g.length - 1]) ? g[g.length - 1] : undefined;
    return { fields: kind ? g.slice(0, -1) : g, kind };
  }),
}));

/**
 * design.md section 6, second table, the upserts: [id, label, editor method, collection,
 * required groups]. The collection is where a create goes; updates address `{externalId}`
 * under it where the API allows that ("PUT, else POST"), else a search finds the object.
 */
const UPSERT_TABLE = [
  [
    'upsertOrganization',
    'Create Or Update An Organization',
    'PUT, else POST',
    '/organizations',
    [['externalId'], ['name']],
  ],
  ['upsertAccount', 'Create Or Update An Account', 'PUT, else POST', '/accounts', [['externalId'], ['name']]],
  [
    'upsertUser',
    'Create Or Update A User',
    'PUT, else POST',
    '/users',
    [['externalId'], ['accountIds', 'organizationIds', 'nonEmptyArray']],
  ],
  [
    'upsertCustomObjectInstance',
    'Create Or Update A Custom Object Instance',
    'search, then PUT or POST',
    '/customObjects/{customObjectId}/instances',
    [['externalId'], ['name'], ['customerId', 'organizationId']],
  ],
].map(([id, label, method, collection, groups]) => ({
  id,
  label,
  method,
  collection,
  required: groups.map((g) => {
    const kind = g[g.length - 1] === 'nonEmptyArray' ? 'nonEmptyArray' : undefined;
    return { fields: kind ? g.slice(0, -1) : g, kind };
  }),
}));

const BOTH_PARENTS = ['accountId', 'organizationId'];
const LIST = ['limit', 'sortBy'];

/**
 * design.md section 6, second table, the reads: path, what a record may or must give, the
 * optional parents a list may be narrowed to, one object or many, and whether the list pages
 * (`paged` undefined: the design does not say).
 */
const READ_TABLE = [
  { id: 'getOrganization', label: 'Get An Organization', path: '/organizations/{organizationId}', returns: 'one' },
  { id: 'getAccount', label: 'Get An Account', path: '/accounts/{accountId}', returns: 'one' },
  { id: 'getUser', label: 'Get A User', path: '/users/{userId}', returns: 'one' },
  {
    id: 'findUsers',
    label: 'Find Users',
    path: '/users/search',
    returns: 'many',
    exactlyOne: [['externalId'], ['email'], ['emailSubdomain']],
  },
  {
    id: 'findCustomObjectInstances',
    label: 'Find Custom Object Instances',
    path: '/customObjects/{customObjectId}/instances/search',
    returns: 'many',
    exactlyOne: [['id'], ['externalId'], ['customerId'], ['organizationId'], ['customFieldId', 'customFieldValue']],
  },
  { id: 'findAdmin', label: 'Find An Admin By Email', path: '/admins/search', returns: 'one', needs: ['email'] },
  { id: 'listOrganizations', label: 'List Organizations', path: '/organizations', query: LIST, parents: [] },
  {
    id: 'listAccounts',
    label: 'List Accounts',
    path: '/accounts',
    query: [...LIST, 'status'],
    parents: ['organizationId'],
  },
  ...[
    ['listUsers', 'Users', '/users'],
    ['listNotes', 'Notes', '/notes'],
    ['listTasks', 'Tasks', '/tasks'],
    ['listProjects', 'Projects', '/projects'],
    ['listMeetings', 'Meetings', '/meetings'],
    ['listConversations', 'Conversations', '/conversations'],
    ['listNpsResponses', 'NPS Responses', '/npsResponses'],
  ].map(([id, noun, path]) => ({ id, label: `List ${noun}`, path, query: LIST, parents: BOTH_PARENTS })),
  { id: 'listCustomObjects', label: 'List Custom Objects', path: '/customObjects', returns: 'many' },
  {
    id: 'listCustomObjectInstances',
    label: 'List Custom Object Instances',
    path: '/customObjects/{customObjectId}/instances',
    query: ['limit'],
    parents: [],
  },
  { id: 'listCustomFields', label: 'List Custom Traits', path: '/customFields', returns: 'many', paged: false },
  { id: 'listProjectTemplates', label: 'List Project Templates', path: '/projectTemplates', returns: 'many' },
].map((r) => (r.query ? { returns: 'many', paged: true, ...r } : { parents: [], ...r }));

/** A body that satisfies each template's required fields (hand-written from the design). */
const VALID_BODIES = {
  createOrganization: { externalId: 'org-ext', name: 'Acme Org' },
  createAccount: { externalId: 'acc-ext', name: 'Acme' },
  createUser: { externalId: 'u-ext', accountIds: ['acc1'] },
  createConversation: { subject: 'Hello', messages: [] },
  createMessage: {
    externalId: 'm1',
    message: '<p>hi</p>',
    from: { type: 'admin', id: 'a1' },
    to: [{ type: 'user', id: 'u1' }],
  },
  createNote: { note: '<p>n</p>', noteDate: '2024-01-01T00:00:00Z', accountId: 'acc1' },
  createProject: { templateId: 'tpl1', organizationId: 'org1' },
  createTask: { name: 'Call them', accountId: 'acc1' },
  createNpsResponse: { userId: 'u1', score: 9, respondedAt: '2024-01-01T00:00:00Z' },
  createMeeting: { title: 'Kickoff', participants: [{ email: 'a@b.c', type: 'organizer' }] },
  setMeetingTranscript: { transcript: [] },
  createCustomObjectInstance: { name: 'Widget', customerId: 'acc1' },
  analyticsAccount: { accountId: 'a1', traits: { plan: 'pro' } },
  analyticsOrganization: { organizationId: 'o1' },
  analyticsUser: { userId: 'u1', accountId: 'a1', traits: {} },
  analyticsTrack: { event: 'signed_in', userId: 'u1', properties: {} },
  analyticsUnlink: { userId: 'u1', organizationId: 'o1' },
  analyticsCustomObjectInstance: { externalId: 'x1', customObjectId: 'co1', traits: {}, accountId: 'a1' },
  upsertOrganization: { externalId: 'org-ext', name: 'Acme Org' },
  upsertAccount: { externalId: 'acc-ext', name: 'Acme' },
  upsertUser: { externalId: 'u-ext', accountIds: ['acc1'] },
  upsertCustomObjectInstance: { externalId: 'x1', name: 'Widget', customerId: 'acc1' },
};

function validBody(id) {
  const body = VALID_BODIES[id];
  if (body) return JSON.parse(JSON.stringify(body));
  if (id === 'deleteCustomObjectInstances') return { id: 'inst 9' };
  return { name: 'changed' };
}

/** Path parameter values with characters that must be encoded. */
const PARAMS = {
  organizationId: 'org/1',
  accountId: 'acc 2',
  userId: 'user?3',
  conversationId: 'conv#4',
  noteId: 'note%5',
  projectId: 'proj&6',
  taskId: 'task+7',
  meetingId: 'meet:8',
  customObjectId: 'co@9',
  instanceId: 'inst=10',
};

/** Expected path from the design's path with each `{name}` replaced by its encoded value. */
function expectedPath(designPath, params) {
  return designPath.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(params[name]));
}

/** Asserts `fn` throws an instance of `Class` whose message matches `pattern`. */
function throwsWith(fn, Class, pattern) {
  assert.throws(fn, (err) => {
    assert.ok(
      err instanceof Class,
      `expected ${Class.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`,
    );
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

/** A small seeded generator (the sandbox's) so a failing random run can be replayed. */
const { seededRandom: seeded } = require('../../dist/sandbox/faults');

/** Fake timers and Date (microtasks stay real, so awaited promises still settle). */
function fakeClock() {
  return sinon.useFakeTimers({
    now: 1_700_000_000_000,
    toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date'],
  });
}

/** Installs the fake clock around every test of the enclosing describe; `ref.clock` is it. */
function withFakeClock() {
  const ref = {};
  beforeEach(function () {
    ref.clock = fakeClock();
  });
  afterEach(function () {
    ref.clock.restore();
  });
  return ref;
}

const OK = { status: 200, headers: {}, body: { id: 'v1' } };

/**
 * An in-memory Transport. With a `respond(req, call)` function each call is answered after
 * `latency(call)` ms of (fake) time; without one, calls wait until the test resolves them
 * (`calls[i].resolve(result)`). Records every call; `onSend(call)`, when set, sees each one as
 * it starts.
 */
class FakeTransport {
  constructor(respond, latency = () => 1) {
    this.respond = respond;
    this.latency = latency;
    this.calls = [];
    this.inflight = 0;
    this.maxInflight = 0;
  }

  send(req, signal) {
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    return new Promise((resolve) => {
      const call = {
        req,
        signal,
        at: Date.now(),
        settled: false,
        resolve: (result) => {
          assert.equal(call.settled, false, 'a transport call was answered twice');
          call.settled = true;
          this.inflight--;
          resolve(result);
        },
      };
      this.calls.push(call);
      if (this.onSend) this.onSend(call);
      if (this.respond) setTimeout(() => call.resolve(this.respond(req, call)), this.latency(call));
    });
  }

  /** Calls not answered yet. */
  get open() {
    return this.calls.filter((c) => !c.settled);
  }
}

/** Lets pending promise callbacks run (the scheduler settles in a `.then`). */
async function flush(times = 5) {
  for (let i = 0; i < times; i++) await Promise.resolve();
}

/** Advances the fake clock in steps until `predicate()` holds; fails after `maxMs` of fake time. */
async function runUntil(clock, predicate, { stepMs = 10, maxMs = 10 * 60_000 } = {}) {
  const end = Date.now() + maxMs;
  while (!predicate()) {
    if (Date.now() >= end) assert.fail(`not reached within ${maxMs} ms of fake time`);
    await clock.tickAsync(stepMs);
  }
}

module.exports = {
  US,
  CUSTOM,
  EU,
  DESIGN_TABLE,
  UPSERT_TABLE,
  READ_TABLE,
  PARAMS,
  OK,
  validBody,
  expectedPath,
  throwsWith,
  seeded,
  withFakeClock,
  FakeTransport,
  flush,
  runUntil,
};
