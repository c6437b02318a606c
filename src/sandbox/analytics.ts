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

const COMMON = { oneOf: [['timestamp', 'messageId']], dates: ['timestamp'] };
const RULES: Record<AnalyticsType, Rules> = {
  account: { ...COMMON, required: ['accountId'] },
  organization: { ...COMMON, required: ['organizationId'] },
  user: { ...COMMON, required: ['userId'] },
  track: { ...COMMON, required: ['event'], oneOf: [['userId', 'accountId', 'organizationId'], ...COMMON.oneOf] },
  unlink: { ...COMMON, required: ['userId'], oneOf: [['accountId', 'organizationId'], ...COMMON.oneOf] },
  customobjectinstance: { ...COMMON, required: ['externalId'] },
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
    for (const type of ANALYTICS_TYPES) {
      this.router.add('POST', `/${type}`, ({ body }) => this.accept([[type, checkMessage(type, asObject(body), '')]]));
    }
    this.router.add('POST', '/batch', ({ body }) => this.accept(checkBatch(body)));
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

function checkMessage(type: AnalyticsType, message: Body, prefix: string): Body {
  validate(RULES[type], message, { create: true, prefix });
  return message;
}

function checkBatch(body: unknown): [AnalyticsType, Body][] {
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
    return [type as AnalyticsType, checkMessage(type as AnalyticsType, message, prefix)];
  });
}
