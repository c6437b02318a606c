/**
 * The endpoint templates: every Vitally write and read the destination node offers, as data.
 * This is the one source of truth; the runtime builds requests from it, the editor reads it
 * through GET /vitally/endpoints, and the docs' template table is generated from it.
 */
import { Api, Method } from '../core/types';

export type { Api, Method };

/** A required-field rule: one of `fields` must be present (and of `kind` when given). */
export interface Requirement {
  fields: string[];
  kind?: 'array' | 'nonEmptyArray' | 'score' | 'object';
}

/** What a template does: send a record, create-or-update one by its externalId, or read. */
export type TemplateKind = 'write' | 'upsert' | 'read';

/** The collection a relationship field points into. */
export type Collection = 'organizations' | 'accounts' | 'users';

export interface ReadSpec {
  /** `one`: the answer is one object, and 404 means "not found" (null). `many`: a list. */
  returns: 'one' | 'many';
  /** Record fields sent as query parameters. */
  query: string[];
  /** Exactly one of these groups must be given (a group is one field, or fields that go together). */
  exactlyOne?: string[][];
  /** Fields that must be given. */
  needs?: string[];
  /** Optional path parameters narrowing a list to one parent: `/accounts/{accountId}/users`. */
  parents?: ('accountId' | 'organizationId')[];
  /** The list pages with a `next` cursor. */
  paged?: boolean;
}

export interface UpsertSpec {
  /** The collection path under the REST base, with placeholders. */
  collection: string;
  /** `path`: the API addresses the object by externalId (PUT /x/{externalId}); `search`: find it first. */
  find: 'path' | 'search';
}

export interface Template {
  id: string;
  label: string;
  group: string;
  kind: TemplateKind;
  api: Api;
  method: Method;
  /** REST: under the REST base; Analytics: under the Analytics base (single-message endpoint). */
  path: string;
  required: Requirement[];
  irreversible: boolean;
  description: string;
  /**
   * An example record that passes the required fields: the dialog's starting sample. Records it
   * refers to (acct-1, user-1, org-1) are in the sandbox's demo workspace that `npm start` loads,
   * so a preview or Send test there finds them; records it creates are new (…-1001).
   */
  sample: unknown;
  /** Example values of the path parameters, as mustache templates that render against `sample`. */
  sampleParams?: Record<string, string>;
  /** Analytics message `type` for /batch. */
  analyticsType?: string;
  /**
   * Requests to the same URL keep arrival order (updates, deletes, a conversation's messages,
   * a meeting's transcript). Creates of independent objects run concurrently.
   */
  ordered: boolean;
  /** A path parameter taken from the record itself rather than from a typedInput. */
  recordIdParam?: string;
  /** Names users commonly send instead of a required field, to name in the error. */
  aliases?: Record<string, string[]>;
  /** Body fields that hold Vitally ids of other objects; resolved from external ids on request. */
  relationships?: Record<string, Collection>;
  /** A create whose answer should be remembered by externalId (organizations, accounts, users). */
  creates?: Collection;
  /** A POST with an externalId already in use updates that object (documented by Vitally). */
  upsertsByExternalId?: boolean;
  read?: ReadSpec;
  upsert?: UpsertSpec;
}

const ORG_REF: Record<string, Collection> = { organizationId: 'organizations' };
const PARENT_REFS: Record<string, Collection> = { accountId: 'accounts', organizationId: 'organizations' };
const USER_REFS: Record<string, Collection> = { accountIds: 'accounts', organizationIds: 'organizations' };
const INSTANCE_REFS: Record<string, Collection> = { customerId: 'accounts', organizationId: 'organizations' };

function rest(
  id: string,
  label: string,
  group: string,
  method: Method,
  path: string,
  required: Requirement[],
  description: string,
  sample: unknown,
  extra: Partial<Template> = {},
): Template {
  return {
    id,
    label,
    group,
    kind: 'write',
    api: 'rest',
    method,
    path,
    required,
    description,
    sample,
    irreversible: method === 'DELETE',
    ordered: method !== 'POST' || /\{[^}]+\}/.test(path),
    ...extra,
  };
}

function analytics(
  id: string,
  label: string,
  type: string,
  required: Requirement[],
  description: string,
  sample: Record<string, unknown>,
): Template {
  return {
    id,
    label,
    group: 'Analytics',
    kind: 'write',
    api: 'analytics',
    method: 'POST',
    path: `/${type}`,
    required,
    description,
    sample,
    irreversible: false,
    ordered: false,
    analyticsType: type,
  };
}

function upsert(
  id: string,
  label: string,
  group: string,
  spec: UpsertSpec,
  required: Requirement[],
  description: string,
  sample: unknown,
  extra: Partial<Template> = {},
): Template {
  const byPath = spec.find === 'path';
  return {
    id,
    label,
    group,
    kind: 'upsert',
    api: 'rest',
    method: byPath ? 'PUT' : 'POST',
    path: byPath ? `${spec.collection}/{externalId}` : spec.collection,
    required,
    description,
    sample,
    irreversible: false,
    // Records with one externalId are ordered by the engine, whatever the path.
    ordered: false,
    upsert: spec,
    ...extra,
  };
}

function read(
  id: string,
  label: string,
  path: string,
  spec: ReadSpec,
  description: string,
  sample: unknown,
  extra: Partial<Template> = {},
): Template {
  return {
    id,
    label,
    group: 'Read',
    kind: 'read',
    api: 'rest',
    method: 'GET',
    path,
    required: [],
    description,
    sample,
    irreversible: false,
    ordered: false,
    read: spec,
    ...extra,
  };
}

const req = (...fields: string[]): Requirement[] => fields.map((f) => ({ fields: [f] }));
const oneOf = (...fields: string[]): Requirement => ({ fields });
const object = (field: string): Requirement => ({ fields: [field], kind: 'object' });

const LIST_QUERY = ['limit', 'sortBy'];
const BOTH_PARENTS: ReadSpec['parents'] = ['accountId', 'organizationId'];

function list(id: string, noun: string, path: string, extra: Partial<ReadSpec> = {}, extraDoc = ''): Template {
  return read(
    id,
    `List ${noun}`,
    path,
    { returns: 'many', query: LIST_QUERY, paged: true, parents: BOTH_PARENTS, ...extra },
    `Lists ${noun.toLowerCase()}, newest first, following Vitally's pages up to Max records.` +
      `${extra.parents === undefined ? ' Give an account or an organization to list only theirs.' : ''}${extraDoc}` +
      ' The record may set limit (page size, at most 100) and sortBy (updatedAt or createdAt).',
    { limit: 100, sortBy: 'createdAt' },
  );
}

export const TEMPLATES: readonly Template[] = [
  rest(
    'createOrganization',
    'Create An Organization',
    'Organizations',
    'POST',
    '/organizations',
    req('externalId', 'name'),
    'Creates an organization from externalId, name and optional traits. A POST with an externalId that already exists updates that organization.',
    { externalId: 'org-1001', name: 'Acme Holdings', traits: { region: 'EMEA' } },
    { creates: 'organizations', upsertsByExternalId: true },
  ),
  rest(
    'updateOrganization',
    'Update An Organization',
    'Organizations',
    'PUT',
    '/organizations/{organizationId}',
    [],
    'Updates name and traits (traits merge; a trait set to null is removed). The organization id may be its Vitally id or its externalId.',
    { externalId: 'org-1', traits: { region: 'EMEA' } },
    { sampleParams: { organizationId: '{{payload.externalId}}' } },
  ),
  rest(
    'deleteOrganization',
    'Delete An Organization (irreversible)',
    'Organizations',
    'DELETE',
    '/organizations/{organizationId}',
    [],
    'Permanently deletes the organization and the data that belongs only to it. The id may be its Vitally id or its externalId.',
    { externalId: 'org-1001' },
    { sampleParams: { organizationId: '{{payload.externalId}}' } },
  ),
  upsert(
    'upsertOrganization',
    'Create Or Update An Organization',
    'Organizations',
    { collection: '/organizations', find: 'path' },
    req('externalId', 'name'),
    "Updates the organization with the record's externalId, or creates it when there is none (results[i].action says which). Records with one externalId never create two.",
    { externalId: 'org-1001', name: 'Acme Holdings', traits: { region: 'EMEA' } },
    { creates: 'organizations' },
  ),

  rest(
    'createAccount',
    'Create An Account',
    'Accounts',
    'POST',
    '/accounts',
    req('externalId', 'name'),
    'Creates an account from externalId, name, optional organizationId (a Vitally id) and traits. Vitally documents no upsert here: use Create Or Update An Account for a sync that runs again.',
    { externalId: 'acct-1001', name: 'Acme Europe', traits: { plan: 'enterprise', mrr: 1200 } },
    { relationships: ORG_REF, creates: 'accounts' },
  ),
  rest(
    'updateAccount',
    'Update An Account',
    'Accounts',
    'PUT',
    '/accounts/{accountId}',
    [],
    'Updates name, organizationId (a Vitally id) and traits (traits merge). The account id may be its Vitally id or its externalId.',
    { externalId: 'acct-1', traits: { plan: 'enterprise', mrr: 1500 } },
    { relationships: ORG_REF, sampleParams: { accountId: '{{payload.externalId}}' } },
  ),
  rest(
    'deleteAccount',
    'Delete An Account (irreversible)',
    'Accounts',
    'DELETE',
    '/accounts/{accountId}',
    [],
    'Permanently deletes the account and the data that belongs only to it. The id may be its Vitally id or its externalId.',
    { externalId: 'acct-1001' },
    { sampleParams: { accountId: '{{payload.externalId}}' } },
  ),
  upsert(
    'upsertAccount',
    'Create Or Update An Account',
    'Accounts',
    { collection: '/accounts', find: 'path' },
    req('externalId', 'name'),
    "Updates the account with the record's externalId, or creates it when there is none (results[i].action says which). Records with one externalId never create two.",
    { externalId: 'acct-1001', name: 'Acme Europe', traits: { plan: 'enterprise', mrr: 1200 } },
    { relationships: ORG_REF, creates: 'accounts' },
  ),

  rest(
    'createUser',
    'Create A User',
    'Users',
    'POST',
    '/users',
    [{ fields: ['externalId'] }, { fields: ['accountIds', 'organizationIds'], kind: 'nonEmptyArray' }],
    'Creates a user from externalId and a non-empty accountIds or organizationIds array of Vitally ids, with optional name, email, joinDate and traits.',
    { externalId: 'user-1001', name: 'Ana Lima', email: 'ana@acme.example', accountIds: ['acct-1'] },
    { relationships: USER_REFS, creates: 'users' },
  ),
  rest(
    'updateUser',
    'Update A User',
    'Users',
    'PUT',
    '/users/{userId}',
    [],
    'Updates name, email, accountIds, organizationIds and traits. The user id may be its Vitally id or its externalId.',
    { externalId: 'user-1', name: 'Ana Lima', traits: { role: 'admin' } },
    { relationships: USER_REFS, sampleParams: { userId: '{{payload.externalId}}' } },
  ),
  rest(
    'deleteUser',
    'Delete A User (irreversible)',
    'Users',
    'DELETE',
    '/users/{userId}',
    [],
    'Schedules the user for deletion (Vitally answers 204 and removes it later). The id may be its Vitally id or its externalId.',
    { externalId: 'user-1001' },
    { sampleParams: { userId: '{{payload.externalId}}' } },
  ),
  upsert(
    'upsertUser',
    'Create Or Update A User',
    'Users',
    { collection: '/users', find: 'path' },
    [{ fields: ['externalId'] }, { fields: ['accountIds', 'organizationIds'], kind: 'nonEmptyArray' }],
    'Updates the user with the record\'s externalId, or creates it when there is none (results[i].action says which). accountIds and organizationIds hold Vitally ids, or your own with Relationship ids "external".',
    { externalId: 'user-1001', name: 'Ana Lima', email: 'ana@acme.example', accountIds: ['acct-1'] },
    { relationships: USER_REFS, creates: 'users' },
  ),

  rest(
    'createConversation',
    'Create A Conversation',
    'Conversations and messages',
    'POST',
    '/conversations',
    [{ fields: ['subject'] }, { fields: ['messages'], kind: 'array' }],
    'Records a conversation (nothing is emailed) from subject and a messages array (may be empty), with optional externalId and traits.',
    { externalId: 'conv-1001', subject: 'Renewal questions', messages: [] },
  ),
  rest(
    'createMessage',
    'Create A Message',
    'Conversations and messages',
    'POST',
    '/conversations/{conversationId}/messages',
    req('externalId', 'message', 'from', 'to'),
    'Adds a message to a conversation (Vitally id). from is { type: "admin"|"user", id: <Vitally id> }, to an array of them. Messages of one conversation are sent in arrival order.',
    {
      conversationId: 'a Vitally conversation id',
      externalId: 'msg-1001',
      message: '<p>Thanks, see you Tuesday.</p>',
      from: { type: 'admin', id: 'a Vitally admin id' },
      to: [{ type: 'user', id: 'a Vitally user id' }],
    },
    { sampleParams: { conversationId: '{{payload.conversationId}}' } },
  ),

  rest(
    'createNote',
    'Create A Note',
    'Notes',
    'POST',
    '/notes',
    [...req('note', 'noteDate'), oneOf('accountId', 'organizationId')],
    'Creates a note (HTML in note, ISO date in noteDate) on an account or organization given by Vitally id. Notes are unique on externalId: a POST with an existing externalId updates it.',
    {
      accountId: 'acct-1',
      externalId: 'note-1001',
      note: '<p>Kick-off call went well.</p>',
      noteDate: '2026-12-01T10:00:00Z',
    },
    {
      aliases: { note: ['body', 'content', 'text'], noteDate: ['date', 'createdAt'] },
      relationships: PARENT_REFS,
      upsertsByExternalId: true,
    },
  ),
  rest(
    'updateNote',
    'Update A Note',
    'Notes',
    'PUT',
    '/notes/{noteId}',
    [],
    'Updates a note by Vitally id. tags is replaced, not merged: send the full array.',
    { id: 'a Vitally note id', note: '<p>Kick-off call went well.</p>', tags: ['onboarding'] },
    { relationships: PARENT_REFS, sampleParams: { noteId: '{{payload.id}}' } },
  ),

  rest(
    'createProject',
    'Create A Project from a Template',
    'Projects',
    'POST',
    '/projects',
    [...req('templateId'), oneOf('accountId', 'organizationId')],
    'Creates a project from a project template (templateId, a Vitally id: list them with List Project Templates) on an account or organization given by Vitally id.',
    { templateId: 'a Vitally project template id', accountId: 'acct-1', name: 'Onboarding' },
    { relationships: PARENT_REFS },
  ),
  rest(
    'updateProject',
    'Update A Project',
    'Projects',
    'PUT',
    '/projects/{projectId}',
    [],
    "Updates a project's name, dates, status, category, owner and traits by Vitally id.",
    { id: 'a Vitally project id', name: 'Onboarding (phase 2)' },
    { sampleParams: { projectId: '{{payload.id}}' } },
  ),

  rest(
    'createTask',
    'Create A Task',
    'Tasks',
    'POST',
    '/tasks',
    [...req('name'), oneOf('accountId', 'organizationId')],
    'Creates a task from name on an account or organization given by Vitally id. Tasks are unique on externalId: a POST with an existing externalId updates it.',
    { accountId: 'acct-1', externalId: 'task-1001', name: 'Send the renewal quote', dueDate: '2026-12-15' },
    { aliases: { name: ['title', 'subject'] }, relationships: PARENT_REFS, upsertsByExternalId: true },
  ),
  rest(
    'updateTask',
    'Update A Task',
    'Tasks',
    'PUT',
    '/tasks/{taskId}',
    [],
    'Updates a task by Vitally id; a new accountId moves it.',
    { id: 'a Vitally task id', completedAt: '2026-12-02T09:00:00Z' },
    { relationships: PARENT_REFS, sampleParams: { taskId: '{{payload.id}}' } },
  ),

  rest(
    'createNpsResponse',
    'Create An NPS Response',
    'NPS',
    'POST',
    '/npsResponses',
    [{ fields: ['userId'] }, { fields: ['score'], kind: 'score' }, { fields: ['respondedAt'] }],
    'Records an NPS response: userId (a Vitally user id), score (integer 0-10), respondedAt (ISO date), optional feedback and externalId (unique: a POST with an existing externalId updates it).',
    {
      userId: 'user-1',
      externalId: 'nps-1001',
      score: 9,
      respondedAt: '2026-12-01T10:00:00Z',
      feedback: 'Great support',
    },
    {
      aliases: {
        respondedAt: ['createdAt', 'date', 'timestamp', 'submittedAt'],
        score: ['rating', 'nps'],
        userId: ['user'],
      },
      relationships: { userId: 'users' },
      upsertsByExternalId: true,
    },
  ),

  rest(
    'createMeeting',
    'Create A Meeting',
    'Meetings',
    'POST',
    '/meetings',
    [{ fields: ['title'] }, { fields: ['participants'], kind: 'nonEmptyArray' }],
    'Creates a meeting from title and participants ({ userId | vitallyUserId | email, type: "organizer"|"attendee" }), with optional externalId, start/end times, summary and traits.',
    {
      externalId: 'meet-1001',
      title: 'Quarterly business review',
      participants: [{ email: 'ana@acme.example', type: 'attendee' }],
    },
    { aliases: { title: ['name', 'subject'] } },
  ),
  rest(
    'updateMeeting',
    'Update A Meeting',
    'Meetings',
    'PUT',
    '/meetings/{meetingId}',
    [],
    "Updates a meeting's editable fields. The meeting id may be its Vitally id or its externalId.",
    { externalId: 'meet-1001', summary: 'Agreed on the renewal terms.' },
    { sampleParams: { meetingId: '{{payload.externalId}}' } },
  ),
  rest(
    'setMeetingTranscript',
    "Create/Replace A Meeting's Transcript",
    'Meetings',
    'POST',
    '/meetings/{meetingId}/transcript',
    [{ fields: ['transcript'], kind: 'array' }],
    "Creates or replaces a meeting's whole transcript: transcript is an array of { speaker: { externalId, name?, email? }, sentences: [{ text, startTime, endTime }] }.",
    {
      meetingId: 'meet-1001',
      transcript: [
        {
          speaker: { externalId: 'user-1001', name: 'Ana Lima' },
          sentences: [{ text: 'Hello!', startTime: 0, endTime: 1500 }],
        },
      ],
    },
    { sampleParams: { meetingId: '{{payload.meetingId}}' } },
  ),

  rest(
    'createCustomObjectInstance',
    'Create A Custom Object Instance',
    'Custom objects',
    'POST',
    '/customObjects/{customObjectId}/instances',
    [...req('name'), oneOf('customerId', 'organizationId')],
    "Creates an instance of a custom object (Vitally id: list them with List Custom Objects) from name and customerId (an account's Vitally id) or organizationId.",
    { customObjectId: 'a Vitally custom object id', name: 'Pro plan', externalId: 'sub-1001', customerId: 'acct-1' },
    { ordered: false, relationships: INSTANCE_REFS, sampleParams: { customObjectId: '{{payload.customObjectId}}' } },
  ),
  rest(
    'updateCustomObjectInstance',
    'Update A Custom Object Instance',
    'Custom objects',
    'PUT',
    '/customObjects/{customObjectId}/instances/{instanceId}',
    [],
    "Updates an instance's name, externalId, customerId, organizationId and traits by Vitally ids.",
    { customObjectId: 'a Vitally custom object id', id: 'a Vitally instance id', name: 'Pro plan (annual)' },
    {
      relationships: INSTANCE_REFS,
      sampleParams: { customObjectId: '{{payload.customObjectId}}', instanceId: '{{payload.id}}' },
    },
  ),
  rest(
    'deleteCustomObjectInstance',
    'Delete A Custom Object Instance (irreversible)',
    'Custom objects',
    'DELETE',
    '/customObjects/{customObjectId}/instances/{instanceId}',
    [],
    'Deletes one instance of a custom object by Vitally ids.',
    { customObjectId: 'a Vitally custom object id', id: 'a Vitally instance id' },
    { sampleParams: { customObjectId: '{{payload.customObjectId}}', instanceId: '{{payload.id}}' } },
  ),
  rest(
    'deleteCustomObjectInstances',
    'Delete Custom Object Instances, bulk (irreversible)',
    'Custom objects',
    'DELETE',
    '/customObjects/{customObjectId}/instances/{id}',
    [],
    "Deletes many instances: one DELETE per record, each record naming an instance's Vitally id (its id field, or the record itself as a string). Vitally has no bulk delete endpoint.",
    { id: 'a Vitally instance id' },
    { recordIdParam: 'id', sampleParams: { customObjectId: 'a Vitally custom object id' } },
  ),
  upsert(
    'upsertCustomObjectInstance',
    'Create Or Update A Custom Object Instance',
    'Custom objects',
    { collection: '/customObjects/{customObjectId}/instances', find: 'search' },
    [...req('externalId', 'name'), oneOf('customerId', 'organizationId')],
    "Finds the instance with the record's externalId (one search call) and updates it, or creates it when there is none (results[i].action says which). For bulk upserts by your own ids, Analytics: Upsert Custom Object Instance is cheaper.",
    { customObjectId: 'a Vitally custom object id', externalId: 'sub-1001', name: 'Pro plan', customerId: 'acct-1' },
    { relationships: INSTANCE_REFS, sampleParams: { customObjectId: '{{payload.customObjectId}}' } },
  ),

  analytics(
    'analyticsAccount',
    'Analytics: Identify Account',
    'account',
    req('accountId'),
    'Creates or updates an account keyed on your own accountId, with name and traits. Batches up to 100 per call.',
    { accountId: 'acct-1001', traits: { name: 'Acme Europe', plan: 'enterprise' } },
  ),
  analytics(
    'analyticsOrganization',
    'Analytics: Identify Organization',
    'organization',
    req('organizationId'),
    'Creates or updates an organization keyed on your own organizationId, with name and traits. Batches up to 100 per call.',
    { organizationId: 'org-1001', traits: { name: 'Acme Holdings' } },
  ),
  analytics(
    'analyticsUser',
    'Analytics: Identify User',
    'user',
    [...req('userId'), object('traits'), oneOf('accountId', 'organizationId')],
    'Creates or updates a user keyed on your own userId, with traits (may be {}) and accountId or organizationId (your ids). Batches up to 100 per call.',
    { userId: 'user-1001', accountId: 'acct-1001', traits: { name: 'Ana Lima', email: 'ana@acme.example' } },
  ),
  analytics(
    'analyticsTrack',
    'Analytics: Track Event',
    'track',
    [...req('event'), object('properties'), oneOf('userId', 'accountId', 'organizationId')],
    'Tracks an event for a user, an account or an organization (your ids), with properties (may be {}). Batches up to 100 per call.',
    { userId: 'user-1001', event: 'report_exported', properties: { format: 'csv' } },
  ),
  analytics(
    'analyticsUnlink',
    'Analytics: Unlink User',
    'unlink',
    [...req('userId'), oneOf('accountId', 'organizationId')],
    'Removes a user (your id) from an account or organization (your ids). Batches up to 100 per call.',
    { userId: 'user-1001', accountId: 'acct-1001' },
  ),
  analytics(
    'analyticsCustomObjectInstance',
    'Analytics: Upsert Custom Object Instance',
    'customobjectinstance',
    [...req('externalId', 'customObjectId'), object('traits'), oneOf('accountId', 'organizationId')],
    'Creates or updates a custom object instance keyed on its externalId, with customObjectId, traits (may be {}) and accountId or organizationId (your ids). Batches up to 100 per call.',
    {
      externalId: 'sub-1001',
      customObjectId: 'a Vitally custom object id',
      accountId: 'acct-1001',
      traits: { name: 'Pro plan' },
    },
  ),

  read(
    'getOrganization',
    'Get An Organization',
    '/organizations/{organizationId}',
    { returns: 'one', query: [] },
    'Reads one organization by its Vitally id or externalId. Not found is not a failure: msg.payload is null.',
    { externalId: 'org-1' },
    { sampleParams: { organizationId: '{{payload.externalId}}' } },
  ),
  read(
    'getAccount',
    'Get An Account',
    '/accounts/{accountId}',
    { returns: 'one', query: [] },
    'Reads one account by its Vitally id or externalId. Not found is not a failure: msg.payload is null.',
    { externalId: 'acct-1' },
    { sampleParams: { accountId: '{{payload.externalId}}' } },
  ),
  read(
    'getUser',
    'Get A User',
    '/users/{userId}',
    { returns: 'one', query: [] },
    'Reads one user by its Vitally id or externalId. Not found is not a failure: msg.payload is null.',
    { externalId: 'user-1' },
    { sampleParams: { userId: '{{payload.externalId}}' } },
  ),
  read(
    'findUsers',
    'Find Users',
    '/users/search',
    {
      returns: 'many',
      query: ['externalId', 'email', 'emailSubdomain'],
      exactlyOne: [['externalId'], ['email'], ['emailSubdomain']],
    },
    "Finds users by exactly one of externalId, email or emailSubdomain (the record's field). msg.payload is the array of matches, [] when none.",
    { email: 'ana@acme.example' },
  ),
  read(
    'findCustomObjectInstances',
    'Find Custom Object Instances',
    '/customObjects/{customObjectId}/instances/search',
    {
      returns: 'many',
      query: ['id', 'externalId', 'customerId', 'organizationId', 'customFieldId', 'customFieldValue'],
      exactlyOne: [['id'], ['externalId'], ['customerId'], ['organizationId'], ['customFieldId', 'customFieldValue']],
    },
    'Finds instances of a custom object by exactly one of id, externalId, customerId, organizationId, or customFieldId with customFieldValue. msg.payload is the array of matches.',
    { customObjectId: 'a Vitally custom object id', externalId: 'sub-1001' },
    { sampleParams: { customObjectId: '{{payload.customObjectId}}' } },
  ),
  read(
    'findAdmin',
    'Find An Admin By Email',
    '/admins/search',
    { returns: 'one', query: ['email'], needs: ['email'] },
    "Finds the admin (a Vitally user of your team) with the record's email: msg.payload is { id, name, email, licenseStatus }, or null when there is none.",
    { email: 'ana@acme.example' },
  ),
  list('listOrganizations', 'Organizations', '/organizations', { parents: [] }),
  list(
    'listAccounts',
    'Accounts',
    '/accounts',
    { query: [...LIST_QUERY, 'status'], parents: ['organizationId'] },
    ' Give an organization to list only its accounts. status may be active (default), churned or activeOrChurned.',
  ),
  list('listUsers', 'Users', '/users'),
  list('listNotes', 'Notes', '/notes'),
  list('listTasks', 'Tasks', '/tasks'),
  list('listProjects', 'Projects', '/projects'),
  list('listMeetings', 'Meetings', '/meetings'),
  list('listConversations', 'Conversations', '/conversations'),
  list('listNpsResponses', 'NPS Responses', '/npsResponses'),
  read(
    'listCustomObjects',
    'List Custom Objects',
    '/customObjects',
    { returns: 'many', query: [], paged: true },
    'Lists the custom objects of the workspace with their ids: the id a custom object instance template needs.',
    {},
  ),
  read(
    'listCustomObjectInstances',
    'List Custom Object Instances',
    '/customObjects/{customObjectId}/instances',
    { returns: 'many', query: ['limit'], paged: true },
    "Lists the instances of one custom object, following Vitally's pages up to Max records.",
    { customObjectId: 'a Vitally custom object id' },
    { sampleParams: { customObjectId: '{{payload.customObjectId}}' } },
  ),
  read(
    'listCustomFields',
    'List Custom Traits',
    '/customFields',
    { returns: 'many', query: ['model', 'customObjectId'] },
    'Lists custom traits (their labels, types and paths such as vitally.custom.plan); model may be users, accounts, organizations, customObjects (with customObjectId), tasks, notes, projects, conversations or team.',
    { model: 'accounts' },
  ),
  read(
    'listProjectTemplates',
    'List Project Templates',
    '/projectTemplates',
    { returns: 'many', query: ['categoryId'], paged: true },
    'Lists project templates with their ids: the templateId Create A Project from a Template needs.',
    {},
  ),
];
