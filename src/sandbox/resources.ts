/**
 * Vitally's REST API (`/resources/...`) as vitally-api.md documents it: which
 * fields each write requires, how path ids resolve, which resources upsert on
 * externalId and what DELETE does. Written from the API notes alone, never from
 * the node's own catalogue, so the two can disagree and a wrong path or field shows.
 */
import { randomUUID } from 'node:crypto';
import { SEEDED_CUSTOM_OBJECT_ID } from './demo';
import { accountScope, memberOf, NESTED_UNDER_PARENTS, NestedResource, organizationScope, Scope } from './relations';
import { Collection, SortBy, Store, StoredObject } from './store';
import { Params, RouteInput, Router } from './router';
import { asObject, badRequest, Body, notFound, ok, Reply } from './reply';
import { isPlainObject, objectItem, present, Rules, validate } from './validation';

/** How a path id finds an object: Vitally id, also externalId, or externalId only with `?source=` (notes, tasks). */
type Lookup = 'idOrExternalId' | 'externalIdWithSource' | 'id';
/** DELETE: hard delete answering the object, archive (sets archivedAt), or users' scheduled delete (204). */
type Deletion = 'remove' | 'archive' | 'scheduled';
type Op = 'list' | 'get' | 'create' | 'update' | 'delete';

interface ResourceSpec {
  noun: string;
  rules: Rules;
  lookup: Lookup;
  /** Documented as unique on externalId: a POST with a known externalId updates that object. */
  upsert?: boolean;
  deletion?: Deletion;
  ops?: Op[];
}

export type SeedData = Record<string, Body[]>;

export { SEEDED_CUSTOM_OBJECT_ID };
/** The custom object definition every sandbox starts with, so instance templates work out of the box. */
const SEEDED_CUSTOM_OBJECT = {
  id: SEEDED_CUSTOM_OBJECT_ID,
  name: 'subscriptions',
  label: 'Subscriptions',
  writeMode: 'writable',
  customFields: [],
};

const ACCOUNT_OR_ORG_REFS = { accountId: 'accounts', organizationId: 'organizations' };

/** Conversation participant: `{ type: admin | user, id }`. */
const PARTICIPANT: Rules = { required: ['type', 'id'], enums: { type: ['admin', 'user'] } };
const MESSAGE: Rules = {
  required: ['externalId', 'message', 'from', 'to'],
  items: { to: objectItem(PARTICIPANT) },
  check: (b, p) => {
    if (present(b.from)) objectItem(PARTICIPANT)(b.from, `${p}from`);
  },
  dates: ['timestamp'],
};

const MEETING_IDENTITIES = ['userId', 'vitallyUserId', 'email'];
const MEETING_PARTICIPANT: Rules = {
  required: ['type'],
  oneOf: [MEETING_IDENTITIES],
  enums: { type: ['organizer', 'attendee'], responseStatus: ['needsAction', 'accepted', 'tentative', 'declined'] },
  check: (b, p) => {
    if (MEETING_IDENTITIES.filter((f) => present(b[f])).length > 1)
      throw badRequest(`${p}participant needs exactly one of ${MEETING_IDENTITIES.join(', ')}`);
  },
};
const MONOLOGUE: Rules = {
  required: ['speaker', 'sentences'],
  items: { sentences: objectItem({ required: ['text'] }) },
  check: (b, p) => objectItem({ required: ['externalId'] })(b.speaker, `${p}speaker`),
};

const SPECS = {
  organizations: {
    noun: 'organization',
    lookup: 'idOrExternalId',
    upsert: true,
    deletion: 'remove',
    rules: { required: ['externalId', 'name'] },
  },
  accounts: {
    noun: 'account',
    lookup: 'idOrExternalId',
    deletion: 'remove',
    rules: { required: ['externalId', 'name'], refs: { organizationId: 'organizations' } },
  },
  users: {
    noun: 'user',
    lookup: 'idOrExternalId',
    deletion: 'scheduled',
    rules: {
      required: ['externalId'],
      oneOf: [['accountIds', 'organizationIds']],
      arrays: ['accountIds', 'organizationIds'],
      refs: { accountIds: 'accounts', organizationIds: 'organizations' },
    },
  },
  conversations: {
    noun: 'conversation',
    lookup: 'id',
    deletion: 'remove',
    rules: { required: ['subject', 'messages'], items: { messages: objectItem(MESSAGE) } },
  },
  messages: { noun: 'message', lookup: 'idOrExternalId', deletion: 'remove', ops: ['get', 'delete'], rules: MESSAGE },
  notes: {
    noun: 'note',
    lookup: 'externalIdWithSource',
    upsert: true,
    deletion: 'archive',
    rules: {
      required: ['note', 'noteDate'],
      oneOf: [['accountId', 'organizationId']],
      dates: ['noteDate'],
      arrays: ['tags'],
      refs: ACCOUNT_OR_ORG_REFS,
    },
  },
  tasks: {
    noun: 'task',
    lookup: 'externalIdWithSource',
    upsert: true,
    deletion: 'archive',
    rules: {
      required: ['name'],
      oneOf: [['accountId', 'organizationId']],
      dates: ['dueDate', 'completedAt'],
      arrays: ['tags'],
      refs: ACCOUNT_OR_ORG_REFS,
    },
  },
  npsResponses: {
    noun: 'NPS response',
    lookup: 'idOrExternalId',
    upsert: true,
    deletion: 'remove',
    rules: {
      required: ['userId', 'score', 'respondedAt'],
      dates: ['respondedAt'],
      refs: { userId: 'users' },
      check: (b: Body) => {
        if (present(b.score) && !(Number.isInteger(b.score) && (b.score as number) >= 0 && (b.score as number) <= 10)) {
          throw badRequest('score must be an integer from 0 to 10');
        }
      },
    },
  },
  projects: {
    noun: 'project',
    lookup: 'id',
    deletion: 'archive',
    rules: {
      required: ['templateId'],
      oneOf: [['accountId', 'organizationId']],
      dates: ['targetStartDate', 'targetCompletionDate'],
      refs: ACCOUNT_OR_ORG_REFS,
    },
  },
  meetings: {
    noun: 'meeting',
    lookup: 'idOrExternalId',
    deletion: 'archive',
    rules: {
      required: ['title', 'participants'],
      nonEmptyArrays: ['participants'],
      items: { participants: objectItem(MEETING_PARTICIPANT) },
      dates: ['startDateTime', 'endDateTime'],
    },
  },
  meetingTranscripts: {
    noun: 'meeting transcript',
    lookup: 'id',
    ops: ['list', 'get'],
    rules: { required: ['transcript'], items: { transcript: objectItem(MONOLOGUE) } },
  },
  customObjects: {
    noun: 'custom object',
    lookup: 'id',
    ops: ['list', 'get', 'create', 'update'],
    rules: {
      required: ['name', 'label', 'writeMode'],
      enums: { writeMode: ['writable', 'writableByAll', 'readonly'] },
      arrays: ['customFields'],
    },
  },
  // Read-only: defined in Vitally's UI, listed through the API.
  admins: { noun: 'admin', lookup: 'id', ops: ['list'], rules: {} },
  projectTemplates: { noun: 'project template', lookup: 'id', ops: ['list'], rules: {} },
} satisfies Record<string, ResourceSpec>;

const INSTANCES: ResourceSpec = {
  noun: 'custom object instance',
  lookup: 'id',
  deletion: 'remove',
  // Vitally has no single-instance GET: instances are found through /search.
  ops: ['list', 'create', 'update', 'delete'],
  rules: {
    required: ['name'],
    oneOf: [['customerId', 'organizationId']],
    refs: { customerId: 'accounts', organizationId: 'organizations' },
  },
};

const KEY_FIELDS: Record<string, string> = { meetingTranscripts: 'meetingId', admins: 'email' };

/** Custom traits (GET /customFields), seeded only: Vitally has no API to create them. */
const CUSTOM_FIELDS = 'customFields';
const CUSTOM_FIELD_MODELS = [
  'users',
  'accounts',
  'organizations',
  'customObjects',
  'tasks',
  'notes',
  'projects',
  'conversations',
  'team',
];
const ACCOUNT_STATUSES = ['active', 'churned', 'activeOrChurned'];

const instancesOf = (customObjectId: string): string => `customObjects/${customObjectId}/instances`;

/** `limit` (1..100, default 100: larger is a 400, not clamped), `from`, `sortBy`. */
function pageParams(query: URLSearchParams): { limit: number; from?: string; sortBy: SortBy } {
  const rawLimit = query.get('limit') ?? '100';
  const limit = Number(rawLimit);
  if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 100) throw badRequest('limit must be an integer from 1 to 100');
  const sortBy = query.get('sortBy') ?? 'updatedAt';
  if (sortBy !== 'updatedAt' && sortBy !== 'createdAt') throw badRequest('sortBy must be updatedAt or createdAt');
  return { limit, from: query.get('from') ?? undefined, sortBy };
}

/** Traits merge on write; a trait set to null is removed (vitally-api.md §2.0). */
function mergeTraits(old: unknown, patch: unknown): Body | undefined {
  if (!isPlainObject(patch)) return isPlainObject(old) ? old : undefined;
  const merged: Body = { ...(isPlainObject(old) ? old : {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/** Handlers for one resource; subclasses add what a resource does beyond storing its fields. */
class Resource {
  constructor(
    protected readonly store: Store,
    readonly spec: ResourceSpec,
  ) {}

  /** A page of `coll`, of the objects `scope` keeps (all when absent) and the list's own filters keep. */
  list(coll: Collection, query: URLSearchParams, scope?: (o: StoredObject) => boolean): Reply {
    const page = pageParams(query);
    const filters = [scope, this.filter(query)].filter((f) => f !== undefined);
    const filter = filters.length ? (o: StoredObject) => filters.every((f) => f(o)) : undefined;
    return ok(coll.page({ ...page, filter }));
  }

  /** The list's own query filters: archived objects are listed only with `archived=true`. */
  protected filter(query: URLSearchParams): ((o: StoredObject) => boolean) | undefined {
    const archived = query.get('archived') === 'true';
    return this.spec.deletion === 'archive' ? (o) => Boolean(o.archivedAt) === archived : undefined;
  }

  get(coll: Collection, id: string, query: URLSearchParams): Reply {
    return ok(this.view(this.find(coll, id, query)));
  }

  create(coll: Collection, body: unknown): Reply {
    const fields = asObject(body);
    const existing = this.spec.upsert ? coll.getByKey(fields.externalId) : undefined;
    return ok(this.view(this.write(coll, existing, fields, true)));
  }

  update(coll: Collection, id: string, query: URLSearchParams, body: unknown): Reply {
    const existing = this.find(coll, id, query);
    return ok(this.view(this.write(coll, existing, asObject(body), false)));
  }

  delete(coll: Collection, id: string, query: URLSearchParams): Reply {
    const obj = this.find(coll, id, query);
    if (this.spec.deletion === 'archive')
      return ok(coll.replace(obj.id, { ...obj, archivedAt: new Date().toISOString() }));
    coll.remove(obj.id);
    return this.spec.deletion === 'scheduled' ? { status: 204 } : ok(obj);
  }

  find(coll: Collection, id: string, query: URLSearchParams): StoredObject {
    const { lookup, noun } = this.spec;
    const byKey = lookup === 'idOrExternalId' || (lookup === 'externalIdWithSource' && query.has('source'));
    const obj = coll.getById(id) ?? (byKey ? coll.getByKey(id) : undefined);
    if (!obj) throw notFound(`No ${noun} found with id ${id}`);
    return obj;
  }

  /** Validates, then creates or writes a new version of `existing`. */
  write(coll: Collection, existing: StoredObject | undefined, body: Body, create: boolean): StoredObject {
    validate(this.spec.rules, body, { create, exists: (c, id) => this.store.get(c)?.getById(id) !== undefined });
    return this.save(coll, existing, body);
  }

  protected save(coll: Collection, existing: StoredObject | undefined, body: Body): StoredObject {
    const { id, ...fields } = body; // a client cannot choose or change a Vitally id
    const traits = mergeTraits(existing?.traits, fields.traits);
    const merged = { ...existing, ...fields, ...(traits && { traits }) };
    return existing ? coll.replace(existing.id, merged) : coll.insert(merged);
  }

  /** The object as GET-by-id and writes answer it. */
  protected view(obj: StoredObject): unknown {
    return obj;
  }
}

/** Messages live in their own collection; a conversation's GET and writes include them, its list does not. */
class Conversations extends Resource {
  protected save(coll: Collection, existing: StoredObject | undefined, body: Body): StoredObject {
    const { messages, ...own } = body;
    if (Array.isArray(messages)) this.checkMessageIds(messages as Body[], existing?.id);
    const conversation = super.save(coll, existing, own);
    if (Array.isArray(messages)) {
      // A PUT with messages replaces them.
      for (const m of this.messagesOf(conversation.id)) this.messages.remove(m.id);
      for (const m of messages) addMessage(this.messages, conversation.id, m as Body);
    }
    return conversation;
  }

  protected view(conversation: StoredObject): unknown {
    return { ...conversation, messages: this.messagesOf(conversation.id) };
  }

  /** Checked before anything is written, so a clash cannot leave a conversation half stored. */
  private checkMessageIds(messages: Body[], conversationId: string | undefined): void {
    const seen = new Set<string>();
    messages.forEach((m, i) => {
      const key = String(m.externalId);
      const holder = this.messages.getByKey(key);
      if (seen.has(key) || (holder && holder.conversationId !== conversationId)) {
        throw badRequest(`messages[${i}].externalId ${key} already exists on another message`);
      }
      seen.add(key);
    });
  }

  private get messages(): Collection {
    return this.store.get('messages')!;
  }

  private messagesOf(conversationId: string): StoredObject[] {
    return this.messages.values().filter((m) => m.conversationId === conversationId);
  }
}

/** A message's direction follows its sender (vitally-api.md §7). */
function addMessage(messages: Collection, conversationId: string, m: Body): StoredObject {
  const { id, ...fields } = m;
  const from = fields.from as Body;
  return messages.insert({ ...fields, conversationId, type: from.type === 'admin' ? 'outbound' : 'inbound' });
}

/** An account is churned when it has a `churnedAt`, as a trait (how Vitally sets it) or as a field. */
const isChurned = (a: StoredObject): boolean =>
  present(a.churnedAt) || (isPlainObject(a.traits) && present(a.traits.churnedAt));

/** Lists take `status`: active (default), churned or activeOrChurned. */
class Accounts extends Resource {
  protected filter(query: URLSearchParams): ((o: StoredObject) => boolean) | undefined {
    const status = query.get('status') ?? 'active';
    if (!ACCOUNT_STATUSES.includes(status)) throw badRequest(`status must be one of ${ACCOUNT_STATUSES.join(', ')}`);
    if (status === 'activeOrChurned') return undefined;
    return (o) => isChurned(o) === (status === 'churned');
  }
}

/** Lists take `categoryId`. */
class ProjectTemplates extends Resource {
  protected filter(query: URLSearchParams): ((o: StoredObject) => boolean) | undefined {
    const categoryId = query.get('categoryId');
    return categoryId === null ? undefined : (o) => o.categoryId === categoryId;
  }
}

/** Creating a definition opens its instance collection; its custom fields get an id, a path and a date. */
class CustomObjects extends Resource {
  protected save(coll: Collection, existing: StoredObject | undefined, body: Body): StoredObject {
    const fields = Array.isArray(body.customFields) ? { customFields: body.customFields.map(completeField) } : {};
    const definition = super.save(coll, existing, { ...body, ...fields });
    this.store.ensure(instancesOf(definition.id));
    return definition;
  }
}

/** A custom object's field as written: kept as given, with the id, path and createdAt Vitally would add. */
function completeField(field: unknown): unknown {
  if (!isPlainObject(field)) return field;
  const label = typeof field.label === 'string' ? field.label : '';
  const path = typeof field.name === 'string' && field.name ? field.name : camelCase(label);
  return { id: randomUUID(), path, createdAt: new Date().toISOString(), ...field };
}

function camelCase(label: string): string {
  const words = label.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
}

/** A custom field as GET /customFields answers it: `{ id, label, type, path, createdAt, options? }`. */
function fieldView(field: Body, fallbackCreatedAt: unknown): Body {
  const { id, label, type, path, createdAt, options } = field;
  return {
    id,
    label,
    type,
    path,
    createdAt: createdAt ?? fallbackCreatedAt,
    ...(options !== undefined && { options }),
  };
}

const byLabel = (a: Body, b: Body): number => {
  const [x, y] = [String(a.label ?? ''), String(b.label ?? '')];
  return x < y ? -1 : x > y ? 1 : 0;
};

type Matcher = (o: StoredObject, q: string) => boolean;
const byField =
  (f: string): Matcher =>
  (o, q) =>
    o[f] !== undefined && o[f] !== null && String(o[f]) === q;
const emailOf = (o: StoredObject): string => (typeof o.email === 'string' ? o.email.toLowerCase() : '');
const USER_SEARCH: Record<string, Matcher> = {
  externalId: byField('externalId'),
  email: (o, q) => emailOf(o) === q.toLowerCase(),
  emailSubdomain: (o, q) => emailOf(o).endsWith(`@${q.toLowerCase()}`),
};
const INSTANCE_SEARCH = Object.fromEntries(
  ['id', 'externalId', 'customerId', 'organizationId'].map((f) => [f, byField(f)]),
);

/** GET .../search: exactly one of the matchers' names as a query parameter; answers every match. */
function search(
  coll: Collection,
  query: URLSearchParams,
  matchers: Record<string, Matcher>,
  alternative = '',
): StoredObject[] {
  const given = Object.keys(matchers).filter((f) => query.has(f));
  if (given.length !== 1)
    throw badRequest(`exactly one of ${Object.keys(matchers).join(', ')}${alternative} is required`);
  const [field] = given;
  const q = query.get(field)!;
  return coll.values().filter((o) => matchers[field](o, q));
}

const CUSTOM_FIELD_PAIR = ['customFieldId', 'customFieldValue'];

export class RestApi {
  private readonly router = new Router();
  private readonly resources = new Map<string, Resource>();

  constructor(private readonly store: Store) {
    const classes: Record<string, typeof Resource> = {
      accounts: Accounts,
      conversations: Conversations,
      customObjects: CustomObjects,
      projectTemplates: ProjectTemplates,
    };
    for (const [name, spec] of Object.entries(SPECS) as [string, ResourceSpec][]) {
      this.resources.set(name, new (classes[name] ?? Resource)(store, spec));
    }
    // Specific routes first: the router prefers literal segments anyway, this keeps the list readable.
    this.router
      .add('GET', '/users/search', ({ query }) => ok({ results: search(this.coll('users'), query, USER_SEARCH) }))
      .add('GET', '/conversations/:id/messages', ({ params, query }) => this.conversationMessages(params.id, query))
      .add('POST', '/conversations/:id/messages', ({ params, body }) => this.postMessage(params.id, body))
      .add('GET', '/meetings/:id/transcript', ({ params, query }) => ok(this.transcriptOf(params.id, query)))
      .add('POST', '/meetings/:id/transcript', ({ params, query, body }) => this.setTranscript(params.id, query, body))
      .add('GET', '/customObjects/:coId/instances/search', ({ params, query }) =>
        ok(this.searchInstances(params, query)),
      )
      .add('GET', '/customFields', ({ query }) => ok(this.customFields(query)))
      .add('GET', '/admins/search', ({ query }) => ok(this.adminByEmail(query)))
      .add('GET', '/organizations/:id/accounts', ({ params, query }) =>
        this.resource('accounts').list(this.coll('accounts'), query, this.accountsOf(params.id)),
      );
    for (const parent of ['accounts', 'organizations'] as const) {
      for (const child of NESTED_UNDER_PARENTS) {
        this.router.add('GET', `/${parent}/:id/${child}`, ({ params, query }) =>
          this.nestedList(parent, params.id, child, query),
        );
      }
    }
    for (const [name, resource] of this.resources) this.mount(`/${name}`, resource, () => this.coll(name));
    this.mount('/customObjects/:coId/instances', new Resource(store, INSTANCES), (p) => this.instances(p));
  }

  handle(method: string, segments: string[], query: URLSearchParams, body: unknown): Reply {
    return this.router.dispatch(method, segments, query, body);
  }

  /**
   * Fresh collections holding the seeded custom object definition plus `data` (stored as
   * given, unvalidated). A definition in `data` with the seeded id replaces the default one.
   */
  seed(data: SeedData = {}): void {
    for (const name of this.resources.keys()) this.store.ensure(name, KEY_FIELDS[name]);
    this.store.ensure(CUSTOM_FIELDS);
    const given = data.customObjects ?? [];
    const replacesSeeded = given.some((d) => d.id === SEEDED_CUSTOM_OBJECT_ID);
    const definitions = replacesSeeded ? given : [SEEDED_CUSTOM_OBJECT, ...given];
    for (const d of definitions) this.store.ensure(instancesOf(this.coll('customObjects').insert(d).id));
    for (const [name, objects] of Object.entries(data)) {
      if (name === 'customObjects') continue;
      const coll = this.store.get(name);
      if (!coll) throw new RangeError(`cannot seed unknown resource ${name}`);
      for (const o of objects) coll.insert(o);
    }
  }

  private mount(base: string, resource: Resource, collectionOf: (p: Params) => Collection): void {
    const ops = resource.spec.ops ?? ['list', 'get', 'create', 'update', 'delete'];
    const item = `${base}/:id`;
    const routes: [Op, string, string, (i: RouteInput) => Reply][] = [
      ['list', 'GET', base, ({ params, query }) => resource.list(collectionOf(params), query)],
      ['get', 'GET', item, ({ params, query }) => resource.get(collectionOf(params), params.id, query)],
      ['create', 'POST', base, ({ params, body }) => resource.create(collectionOf(params), body)],
      [
        'update',
        'PUT',
        item,
        ({ params, query, body }) => resource.update(collectionOf(params), params.id, query, body),
      ],
      ['delete', 'DELETE', item, ({ params, query }) => resource.delete(collectionOf(params), params.id, query)],
    ];
    for (const [op, method, path, handler] of routes) if (ops.includes(op)) this.router.add(method, path, handler);
  }

  private coll(name: string): Collection {
    return this.store.get(name)!;
  }

  private resource(name: keyof typeof SPECS): Resource {
    return this.resources.get(name)!;
  }

  private instances(params: Params): Collection {
    const coll = this.store.get(instancesOf(params.coId));
    if (!coll) throw notFound(`No custom object found with id ${params.coId}`);
    return coll;
  }

  private conversationMessages(conversationId: string, query: URLSearchParams): Reply {
    const conversation = this.resource('conversations').find(this.coll('conversations'), conversationId, query);
    return ok(
      this.coll('messages').page({ ...pageParams(query), filter: (m) => m.conversationId === conversation.id }),
    );
  }

  private postMessage(conversationId: string, body: unknown): Reply {
    const conversation = this.resource('conversations').find(
      this.coll('conversations'),
      conversationId,
      new URLSearchParams(),
    );
    const message = asObject(body);
    validate(MESSAGE, message, { create: true });
    return ok(addMessage(this.coll('messages'), conversation.id, message));
  }

  private transcriptOf(meetingId: string, query: URLSearchParams): StoredObject {
    const meeting = this.resource('meetings').find(this.coll('meetings'), meetingId, query);
    const transcript = this.coll('meetingTranscripts').getByKey(meeting.id);
    if (!transcript) throw notFound(`Meeting ${meetingId} has no transcript`);
    return transcript;
  }

  /** Creates or replaces the meeting's one transcript. */
  private setTranscript(meetingId: string, query: URLSearchParams, body: unknown): Reply {
    const meeting = this.resource('meetings').find(this.coll('meetings'), meetingId, query);
    const transcripts = this.coll('meetingTranscripts');
    const fields = { transcript: asObject(body).transcript, meetingId: meeting.id };
    return ok(this.resource('meetingTranscripts').write(transcripts, transcripts.getByKey(meeting.id), fields, true));
  }

  /** The instances of one custom object matching exactly one criterion: a bare array, as in Vitally. */
  private searchInstances(params: Params, query: URLSearchParams): StoredObject[] {
    const coll = this.instances(params);
    const pair = CUSTOM_FIELD_PAIR.filter((f) => query.has(f));
    if (pair.length === 1) throw badRequest('customFieldId and customFieldValue go together');
    if (pair.length === 0) return search(coll, query, INSTANCE_SEARCH, ', or customFieldId with customFieldValue');
    if (Object.keys(INSTANCE_SEARCH).some((f) => query.has(f))) {
      throw badRequest(
        `exactly one of ${Object.keys(INSTANCE_SEARCH).join(', ')}, or customFieldId with customFieldValue is required`,
      );
    }
    const definition = this.coll('customObjects').getById(params.coId)!;
    const fieldId = query.get('customFieldId');
    const field = (Array.isArray(definition.customFields) ? (definition.customFields as Body[]) : []).find(
      (f) => isPlainObject(f) && f.id === fieldId,
    );
    if (!field) throw badRequest(`customFieldId ${fieldId} is not a custom field of custom object ${params.coId}`);
    const value = query.get('customFieldValue');
    return coll.values().filter((o) => {
      const v = isPlainObject(o.traits) ? o.traits[String(field.path)] : undefined;
      return v !== undefined && v !== null && String(v) === value;
    });
  }

  /** GET /customFields[?model=...]: a bare array sorted by label; every model's fields without `model`. */
  private customFields(query: URLSearchParams): Body[] {
    const model = query.get('model');
    if (model !== null && !CUSTOM_FIELD_MODELS.includes(model)) {
      throw badRequest(`model must be one of ${CUSTOM_FIELD_MODELS.join(', ')}`);
    }
    const definitions = this.coll('customObjects').values();
    if (model === 'customObjects') {
      const id = query.get('customObjectId');
      if (!id) throw badRequest('customObjectId is required when model is customObjects');
      const definition = definitions.find((d) => d.id === id);
      if (!definition) throw notFound(`No custom object found with id ${id}`);
      return fieldsOf(definition).sort(byLabel);
    }
    const traits = this.coll(CUSTOM_FIELDS)
      .values()
      .filter((f) => model === null || f.model === model)
      .map((f) => fieldView(f, f.createdAt));
    const objectFields = model === null ? definitions.flatMap(fieldsOf) : [];
    return [...traits, ...objectFields].sort(byLabel);
  }

  /** GET /admins/search?email=: one admin `{ id, name, email, licenseStatus }`, or a 404. */
  private adminByEmail(query: URLSearchParams): Body {
    const email = query.get('email');
    if (!email) throw badRequest('email is required');
    const admin = this.coll('admins')
      .values()
      .find((a) => emailOf(a) === email.toLowerCase());
    if (!admin) throw notFound(`No admin found with email ${email}`);
    const { id, name, email: stored, licenseStatus } = admin;
    return { id, name, email: stored, licenseStatus };
  }

  /** The accounts of an organization (by Vitally id or externalId), for /organizations/:id/accounts. */
  private accountsOf(organizationId: string): (o: StoredObject) => boolean {
    const organization = this.parent('organizations', organizationId);
    return (a) => a.organizationId === organization.id;
  }

  /** GET /accounts/:id/<child> and /organizations/:id/<child>: the child's list, kept to the parent's objects. */
  private nestedList(
    parentKind: 'accounts' | 'organizations',
    parentId: string,
    child: NestedResource,
    query: URLSearchParams,
  ): Reply {
    const parent = this.parent(parentKind, parentId);
    const scope: Scope = parentKind === 'accounts' ? accountScope(parent) : organizationScope(this.store, parent);
    return this.resource(child).list(this.coll(child), query, memberOf(this.store, child, scope));
  }

  /** A parent account or organization by Vitally id or externalId; 404 when unknown. */
  private parent(kind: 'accounts' | 'organizations', id: string): StoredObject {
    return this.resource(kind).find(this.coll(kind), id, new URLSearchParams());
  }
}

/** A custom object definition's fields in the /customFields shape. */
function fieldsOf(definition: StoredObject): Body[] {
  const fields = Array.isArray(definition.customFields) ? definition.customFields : [];
  return fields.filter(isPlainObject).map((f) => fieldView(f, definition.createdAt));
}
