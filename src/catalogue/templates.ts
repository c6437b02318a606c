/**
 * The endpoint templates: every Vitally write the destination node offers, as data.
 * This is the one source of truth; the runtime builds requests from it and the editor
 * reads it through GET /vitally/endpoints.
 */

import { Api, Method } from '../core/types';

export type { Api, Method };

/** A required-field rule: one of `fields` must be present (and of `kind` when given). */
export interface Requirement {
  fields: string[];
  kind?: 'array' | 'nonEmptyArray' | 'score';
}

export interface Template {
  id: string;
  label: string;
  group: string;
  api: Api;
  method: Method;
  /** REST: under the REST base; Analytics: under the Analytics base (single-message endpoint). */
  path: string;
  required: Requirement[];
  irreversible: boolean;
  description: string;
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
}

function rest(
  id: string,
  label: string,
  group: string,
  method: Method,
  path: string,
  required: Requirement[],
  description: string,
  extra: Partial<Template> = {},
): Template {
  return {
    id,
    label,
    group,
    api: 'rest',
    method,
    path,
    required,
    description,
    irreversible: method === 'DELETE',
    ordered: method !== 'POST' || /\{[^}]+\}/.test(path),
    ...extra,
  };
}

function analytics(id: string, label: string, type: string, required: Requirement[], description: string): Template {
  return {
    id,
    label,
    group: 'Analytics',
    api: 'analytics',
    method: 'POST',
    path: `/${type}`,
    required,
    description,
    irreversible: false,
    ordered: false,
    analyticsType: type,
  };
}

const req = (...fields: string[]): Requirement[] => fields.map((f) => ({ fields: [f] }));
const oneOf = (...fields: string[]): Requirement => ({ fields });

export const TEMPLATES: readonly Template[] = [
  rest(
    'createOrganization',
    'Create An Organization',
    'Organizations',
    'POST',
    '/organizations',
    req('externalId', 'name'),
    'Creates an organization from externalId, name and optional traits. A POST with an externalId that already exists updates that organization.',
  ),
  rest(
    'updateOrganization',
    'Update An Organization',
    'Organizations',
    'PUT',
    '/organizations/{organizationId}',
    [],
    'Updates name and traits (traits merge; a trait set to null is removed). The organization id may be its Vitally id or its externalId.',
  ),
  rest(
    'deleteOrganization',
    'Delete An Organization (irreversible)',
    'Organizations',
    'DELETE',
    '/organizations/{organizationId}',
    [],
    'Permanently deletes the organization and the data that belongs only to it. The id may be its Vitally id or its externalId.',
  ),

  rest(
    'createAccount',
    'Create An Account',
    'Accounts',
    'POST',
    '/accounts',
    req('externalId', 'name'),
    'Creates an account from externalId, name, optional organizationId (a Vitally id) and traits. Vitally does not document an upsert here: use Update An Account for existing accounts.',
  ),
  rest(
    'updateAccount',
    'Update An Account',
    'Accounts',
    'PUT',
    '/accounts/{accountId}',
    [],
    'Updates name, organizationId (a Vitally id) and traits (traits merge). The account id may be its Vitally id or its externalId.',
  ),
  rest(
    'deleteAccount',
    'Delete An Account (irreversible)',
    'Accounts',
    'DELETE',
    '/accounts/{accountId}',
    [],
    'Permanently deletes the account and the data that belongs only to it. The id may be its Vitally id or its externalId.',
  ),

  rest(
    'createUser',
    'Create A User',
    'Users',
    'POST',
    '/users',
    [{ fields: ['externalId'] }, { fields: ['accountIds', 'organizationIds'], kind: 'nonEmptyArray' }],
    'Creates a user from externalId and a non-empty accountIds or organizationIds array of Vitally ids, with optional name, email, joinDate and traits.',
  ),
  rest(
    'updateUser',
    'Update A User',
    'Users',
    'PUT',
    '/users/{userId}',
    [],
    'Updates name, email, accountIds, organizationIds and traits. The user id may be its Vitally id or its externalId.',
  ),
  rest(
    'deleteUser',
    'Delete A User (irreversible)',
    'Users',
    'DELETE',
    '/users/{userId}',
    [],
    'Schedules the user for deletion (Vitally answers 204 and removes it later). The id may be its Vitally id or its externalId.',
  ),

  rest(
    'createConversation',
    'Create A Conversation',
    'Conversations and messages',
    'POST',
    '/conversations',
    [{ fields: ['subject'] }, { fields: ['messages'], kind: 'array' }],
    'Records a conversation (nothing is emailed) from subject and a messages array (may be empty), with optional externalId and traits.',
  ),
  rest(
    'createMessage',
    'Create A Message',
    'Conversations and messages',
    'POST',
    '/conversations/{conversationId}/messages',
    req('externalId', 'message', 'from', 'to'),
    'Adds a message to a conversation (Vitally id). from is { type: "admin"|"user", id: <Vitally id> }, to an array of them. Messages of one conversation are sent in arrival order.',
  ),

  rest(
    'createNote',
    'Create A Note',
    'Notes',
    'POST',
    '/notes',
    [...req('note', 'noteDate'), oneOf('accountId', 'organizationId')],
    'Creates a note (HTML in note, ISO date in noteDate) on an account or organization given by Vitally id. Notes are unique on externalId: a POST with an existing externalId updates it.',
    { aliases: { note: ['body', 'content', 'text'], noteDate: ['date', 'createdAt'] } },
  ),
  rest(
    'updateNote',
    'Update A Note',
    'Notes',
    'PUT',
    '/notes/{noteId}',
    [],
    'Updates a note by Vitally id. tags is replaced, not merged: send the full array.',
  ),

  rest(
    'createProject',
    'Create A Project from a Template',
    'Projects',
    'POST',
    '/projects',
    [...req('templateId'), oneOf('accountId', 'organizationId')],
    'Creates a project from a project template (templateId, a Vitally id) on an account or organization given by Vitally id.',
  ),
  rest(
    'updateProject',
    'Update A Project',
    'Projects',
    'PUT',
    '/projects/{projectId}',
    [],
    "Updates a project's name, dates, status, category, owner and traits by Vitally id.",
  ),

  rest(
    'createTask',
    'Create A Task',
    'Tasks',
    'POST',
    '/tasks',
    [...req('name'), oneOf('accountId', 'organizationId')],
    'Creates a task from name on an account or organization given by Vitally id. Tasks are unique on externalId: a POST with an existing externalId updates it.',
    { aliases: { name: ['title', 'subject'] } },
  ),
  rest(
    'updateTask',
    'Update A Task',
    'Tasks',
    'PUT',
    '/tasks/{taskId}',
    [],
    'Updates a task by Vitally id; a new accountId moves it.',
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
      aliases: {
        respondedAt: ['createdAt', 'date', 'timestamp', 'submittedAt'],
        score: ['rating', 'nps'],
        userId: ['user'],
      },
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
  ),
  rest(
    'setMeetingTranscript',
    "Create/Replace A Meeting's Transcript",
    'Meetings',
    'POST',
    '/meetings/{meetingId}/transcript',
    [{ fields: ['transcript'], kind: 'array' }],
    "Creates or replaces a meeting's whole transcript: transcript is an array of { speaker: { externalId, name?, email? }, sentences: [{ text, startTime, endTime }] }.",
  ),

  rest(
    'createCustomObjectInstance',
    'Create A Custom Object Instance',
    'Custom objects',
    'POST',
    '/customObjects/{customObjectId}/instances',
    [...req('name'), oneOf('customerId', 'organizationId')],
    "Creates an instance of a custom object (Vitally id) from name and customerId (an account's Vitally id) or organizationId. For an upsert on externalId use Analytics: Upsert Custom Object Instance.",
    { ordered: false },
  ),
  rest(
    'updateCustomObjectInstance',
    'Update A Custom Object Instance',
    'Custom objects',
    'PUT',
    '/customObjects/{customObjectId}/instances/{instanceId}',
    [],
    "Updates an instance's name, externalId, customerId, organizationId and traits by Vitally ids.",
  ),
  rest(
    'deleteCustomObjectInstance',
    'Delete A Custom Object Instance (irreversible)',
    'Custom objects',
    'DELETE',
    '/customObjects/{customObjectId}/instances/{instanceId}',
    [],
    'Deletes one instance of a custom object by Vitally ids.',
  ),
  rest(
    'deleteCustomObjectInstances',
    'Delete Custom Object Instances, bulk (irreversible)',
    'Custom objects',
    'DELETE',
    '/customObjects/{customObjectId}/instances/{id}',
    [],
    "Deletes many instances: one DELETE per record, each record naming an instance's Vitally id (its id field, or the record itself as a string). Vitally has no bulk delete endpoint.",
    { recordIdParam: 'id' },
  ),

  analytics(
    'analyticsAccount',
    'Analytics: Identify Account',
    'account',
    req('accountId'),
    'Creates or updates an account keyed on your own accountId, with name and traits. Batches up to 100 per call.',
  ),
  analytics(
    'analyticsOrganization',
    'Analytics: Identify Organization',
    'organization',
    req('organizationId'),
    'Creates or updates an organization keyed on your own organizationId, with name and traits. Batches up to 100 per call.',
  ),
  analytics(
    'analyticsUser',
    'Analytics: Identify User',
    'user',
    req('userId'),
    'Creates or updates a user keyed on your own userId, with accountId/organizationId (your ids) and traits. Batches up to 100 per call.',
  ),
  analytics(
    'analyticsTrack',
    'Analytics: Track Event',
    'track',
    [...req('event'), oneOf('userId', 'accountId')],
    'Tracks an event for a user or account (your ids), with properties. Batches up to 100 per call.',
  ),
  analytics(
    'analyticsUnlink',
    'Analytics: Unlink User',
    'unlink',
    [...req('userId'), oneOf('accountId', 'organizationId')],
    'Removes a user (your id) from an account or organization (your ids). Batches up to 100 per call.',
  ),
  analytics(
    'analyticsCustomObjectInstance',
    'Analytics: Upsert Custom Object Instance',
    'customobjectinstance',
    req('externalId'),
    'Creates or updates a custom object instance keyed on its externalId. Batches up to 100 per call.',
  ),
];
