/**
 * Read templates, as requests: the first page's URL with the record's query fields, the next
 * page's URL from Vitally's `next` cursor, and what an answer holds.
 */
import { MAX_PAGE, Template } from '../catalogue';
import { RecordError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { PlannedRequest } from '../core/types';
import { shortJson } from './body';
import { EvaluatedRecord, fillPath } from './plan';

export interface PlannedRead {
  request: PlannedRequest;
  /** Objects wanted in all (0: all there are). */
  limit: number;
}

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

function queryValue(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  throw new RecordError(`${name}: ${shortJson(value)} cannot be sent as a query parameter`);
}

/** The list's path: under the one parent given (`/accounts/{accountId}/users`), or the template's own. */
function readPath(t: Template, ev: EvaluatedRecord): string {
  const parents = (t.read!.parents ?? []).filter((p) => given(ev.params[p]));
  if (parents.length > 1) throw new RecordError(`give an account or an organization to list under, not both`);
  const own = fillPath(t, t.path, ev);
  if (!parents.length) return own;
  const parent = parents[0] === 'accountId' ? '/accounts/{accountId}' : '/organizations/{organizationId}';
  return fillPath(t, parent, ev) + own;
}

/**
 * The first request of a read. Non-object records (an inject's timestamp) mean "no query";
 * `maxRecords` caps lists (0: no cap), and the page size never asks for more than that.
 */
export function planRead(t: Template, hosts: Hosts, ev: EvaluatedRecord, maxRecords: number): PlannedRead {
  const spec = t.read!;
  const record =
    ev.body && typeof ev.body === 'object' && !Array.isArray(ev.body) ? (ev.body as Record<string, unknown>) : {};
  const query = new URLSearchParams();
  for (const name of spec.query) if (given(record[name])) query.set(name, queryValue(name, record[name]));
  if (spec.exactlyOne) {
    const groups = spec.exactlyOne.filter((g) => g.some((f) => given(record[f])));
    const names = spec.exactlyOne.map((g) => g.join(' + ')).join(', ');
    if (groups.length !== 1)
      throw new RecordError(
        `give exactly one of ${names}${groups.length ? `, not ${groups.map((g) => g.join(' + ')).join(' and ')}` : ''}`,
      );
    const missing = groups[0].filter((f) => !given(record[f]));
    if (missing.length) throw new RecordError(`${missing.join(', ')} is required with ${groups[0].join(' + ')}`);
  }
  for (const name of spec.needs ?? []) if (!given(record[name])) throw new RecordError(`${name} is required`);
  let limit = 0;
  if (spec.paged) {
    limit = maxRecords;
    const asked = query.has('limit') ? Number(query.get('limit')) : MAX_PAGE;
    if (!Number.isInteger(asked) || asked < 1 || asked > MAX_PAGE)
      throw new RecordError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
    query.set('limit', String(limit > 0 ? Math.min(asked, limit) : asked));
  } else if (spec.returns === 'many') {
    limit = maxRecords;
  }
  const search = query.toString();
  return {
    request: { method: 'GET', url: `${hosts.restBase}${readPath(t, ev)}${search ? `?${search}` : ''}`, api: 'rest' },
    limit,
  };
}

/** The request for the page after `url`, from Vitally's `next` cursor; fewer objects when fewer are still wanted. */
export function nextPage(request: PlannedRequest, cursor: string, stillWanted: number): PlannedRequest {
  const url = new URL(request.url);
  url.searchParams.set('from', cursor);
  const size = Number(url.searchParams.get('limit'));
  if (stillWanted > 0 && size > stillWanted) url.searchParams.set('limit', String(stillWanted));
  return { ...request, url: url.href };
}

export interface ReadAnswer {
  /** `one`: the object, or null when there is none. */
  item?: unknown;
  /** `many`: this answer's objects. */
  items?: unknown[];
  /** The cursor of the next page, when there is one. */
  next?: string;
}

/**
 * What a successful (or 404) answer holds: an object, a bare array, `{ results }`, or a page
 * `{ results, next }`. Undefined when the answer is none of these (the caller reports it).
 */
export function readAnswer(t: Template, status: number, body: unknown): ReadAnswer | undefined {
  const one = t.read?.returns === 'one';
  if (status === 404 && (one || t.read?.exactlyOne)) return one ? { item: null } : { items: [] };
  if (status < 200 || status >= 300) return undefined;
  if (one) return body && typeof body === 'object' && !Array.isArray(body) ? { item: body } : undefined;
  if (Array.isArray(body)) return { items: body };
  if (body && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results)) {
    const { results, next } = body as { results: unknown[]; next?: unknown };
    return typeof next === 'string' && next !== '' ? { items: results, next } : { items: results };
  }
  return undefined;
}
