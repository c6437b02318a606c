/**
 * Vitally's REST API (`/resources/...`) as vitally-api.md documents it: which
 * fields each write requires, how path ids resolve, which resources upsert on
 * externalId and what DELETE does. Written from the API notes alone, never from
 * the node's own catalogue, so the two can disagree and a wrong path or field shows.
 */
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

/** The custom object definition every sandbox starts with, so instance templates work out of the box. */
export const SEEDED_CUSTOM_OBJECT_ID = '6f1c2a9e-4b7d-4c3a-9e58-5b0d7a1c2f30';
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

const KEY_FIELDS: Record<string, string> = { meetingTranscripts: 'meetingId' };

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

  list(coll: Collection, query: URLSearchParams): Reply {
    const archived = query.get('archived') === 'true';
    const filter =
      this.spec.deletion === 'archive' ? (o: StoredObject) => Boolean(o.archivedAt) === archived : undefined;
    return ok(coll.page({ ...pageParams(query), filter }));
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
        throw badRequest(`messages[${i}].externalId ${key} is already used by another message`);
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

/** Creating a definition opens its instance collection. */
class CustomObjects extends Resource {
  protected save(coll: Collection, existing: StoredObject | undefined, body: Body): StoredObject {
    const definition = super.save(coll, existing, body);
    this.store.ensure(instancesOf(definition.id));
    return definition;
  }
}

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
function search(coll: Collection, query: URLSearchParams, matchers: Record<string, Matcher>): StoredObject[] {
  const given = Object.keys(matchers).filter((f) => query.has(f));
  if (given.length !== 1) throw badRequest(`exactly one of ${Object.keys(matchers).join(', ')} is required`);
  const [field] = given;
  const q = query.get(field)!;
  return coll.values().filter((o) => matchers[field](o, q));
}

export class RestApi {
  private readonly router = new Router();
  private readonly resources = new Map<string, Resource>();

  constructor(private readonly store: Store) {
    const classes: Record<string, typeof Resource> = { conversations: Conversations, customObjects: CustomObjects };
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
        ok(search(this.instances(params), query, INSTANCE_SEARCH)),
      );
    for (const [name, resource] of this.resources) this.mount(`/${name}`, resource, () => this.coll(name));
    this.mount('/customObjects/:coId/instances', new Resource(store, INSTANCES), (p) => this.instances(p));
  }

  handle(method: string, segments: string[], query: URLSearchParams, body: unknown): Reply {
    return this.router.dispatch(method, segments, query, body);
  }

  /** Fresh collections holding the seeded custom object definition plus `data` (stored as given, unvalidated). */
  seed(data: SeedData = {}): void {
    for (const name of this.resources.keys()) this.store.ensure(name, KEY_FIELDS[name]);
    const definitions = [SEEDED_CUSTOM_OBJECT, ...(data.customObjects ?? [])];
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
}
