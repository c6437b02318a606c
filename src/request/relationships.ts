/**
 * Relationship fields that hold your own external ids: which ones a record has, the lookup
 * that turns one into a Vitally id, and the body with the Vitally ids put in.
 */
import { Collection, Template } from '../catalogue';
import { RecordError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { PlannedRequest } from '../core/types';
import { shortJson } from './body';
import { encodeSegment } from './segment';

export interface Reference {
  /** Where it is, as an error names it: `organizationId`, `accountIds[1]`. */
  field: string;
  collection: Collection;
  externalId: string;
}

/** One object of a collection by its external id: the key of the id cache, lookups and upserts. */
export function idKey(collection: string, externalId: string): string {
  return `${collection}\n${externalId}`;
}

const NOUN: Record<Collection, string> = { organizations: 'organization', accounts: 'account', users: 'user' };

function externalIdAt(value: unknown, field: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RecordError(`${field}: ${shortJson(value)} is not an external id`);
}

/** Every external id in the record's relationship fields (arrays element by element). */
export function collectReferences(t: Template, body: unknown): Reference[] {
  if (!t.relationships || !body || typeof body !== 'object' || Array.isArray(body)) return [];
  const refs: Reference[] = [];
  for (const [field, collection] of Object.entries(t.relationships)) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) =>
        refs.push({ field: `${field}[${i}]`, collection, externalId: externalIdAt(v, `${field}[${i}]`) }),
      );
    } else {
      refs.push({ field, collection, externalId: externalIdAt(value, field) });
    }
  }
  return refs;
}

/** The body with each relationship field's external ids replaced by `vitallyIdOf`'s answer. */
export function withVitallyIds(
  t: Template,
  body: Record<string, unknown>,
  vitallyIdOf: (collection: Collection, externalId: string) => string,
): Record<string, unknown> {
  const out = { ...body };
  for (const [field, collection] of Object.entries(t.relationships ?? {})) {
    const value = out[field];
    if (value === undefined || value === null) continue;
    out[field] = Array.isArray(value)
      ? value.map((v) => vitallyIdOf(collection, String(v)))
      : vitallyIdOf(collection, String(value));
  }
  return out;
}

/** GET by externalId: organizations and accounts by path; users through search, as design.md says. */
export function lookupRequest(hosts: Hosts, collection: Collection, externalId: string): PlannedRequest {
  if (collection === 'users') {
    return {
      method: 'GET',
      url: `${hosts.restBase}/users/search?${new URLSearchParams({ externalId })}`,
      api: 'rest',
    };
  }
  return {
    method: 'GET',
    url: `${hosts.restBase}/${collection}/${encodeSegment('externalId', externalId)}`,
    api: 'rest',
  };
}

/**
 * What a lookup's answer says: the Vitally id, null when there is no such object, or undefined
 * when the answer says neither (an error the caller reports).
 */
export function lookupAnswer(
  collection: Collection,
  status: number | undefined,
  body: unknown,
): string | null | undefined {
  if (status === 404) return null;
  if (status === undefined || status < 200 || status >= 300 || !body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (collection === 'users') {
    if (!Array.isArray(b.results)) return undefined;
    const first = b.results[0] as Record<string, unknown> | undefined;
    return first && typeof first.id === 'string' ? first.id : null;
  }
  return typeof b.id === 'string' ? b.id : undefined;
}

export function notFound(ref: Reference): string {
  return `${ref.field}: no ${NOUN[ref.collection]} with externalId "${ref.externalId}"`;
}
