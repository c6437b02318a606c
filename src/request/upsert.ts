/**
 * Create-or-update by externalId, as requests: the update (PUT by Vitally id, or by externalId
 * where the API addresses the object so), the create (POST), and for custom object instances
 * the search that finds the object first. The engine decides which to send.
 */
import { Template } from '../catalogue';
import { RecordError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { PlannedRequest } from '../core/types';
import { EvaluatedRecord, fillPath, writeBody } from './plan';
import { idKey } from './relationships';
import { encodeSegment } from './segment';

export interface Upsert {
  /** The collection under the REST base, e.g. `accounts` or `customObjects/<id>/instances`: a cache namespace. */
  collection: string;
  externalId: string;
  /** True when PUT /{collection}/{externalId} reaches the object without knowing its Vitally id. */
  addressableByExternalId: boolean;
  body: Record<string, unknown>;
}

export function planUpsert(t: Template, ev: EvaluatedRecord, exclude: string[][]): Upsert {
  const spec = t.upsert!;
  const body = writeBody(t, ev, exclude);
  const externalId = body.externalId;
  if (typeof externalId !== 'string' && !(typeof externalId === 'number' && Number.isFinite(externalId))) {
    throw new RecordError('externalId must be a string or a number for a create-or-update');
  }
  return {
    collection: fillPath(t, spec.collection, ev).replace(/^\//, ''),
    externalId: String(externalId),
    addressableByExternalId: spec.find === 'path',
    body,
  };
}

/** The ordering key of everything sent for one upserted object. */
export function upsertKey(u: Upsert): string {
  return idKey(u.collection, u.externalId);
}

/** PUT to the object by its Vitally id, or by its externalId where the API allows it. */
export function upsertUpdate(hosts: Hosts, u: Upsert, id: string): PlannedRequest {
  const url = `${hosts.restBase}/${u.collection}/${encodeSegment('id', id)}`;
  return { method: 'PUT', url, api: 'rest', body: u.body, orderKey: url };
}

export function upsertCreate(hosts: Hosts, u: Upsert): PlannedRequest {
  return { method: 'POST', url: `${hosts.restBase}/${u.collection}`, api: 'rest', body: u.body };
}

/** For objects the API cannot address by externalId: find it. Answers a bare array. */
export function upsertSearch(hosts: Hosts, u: Upsert): PlannedRequest {
  const query = new URLSearchParams({ externalId: u.externalId });
  return { method: 'GET', url: `${hosts.restBase}/${u.collection}/search?${query}`, api: 'rest' };
}
