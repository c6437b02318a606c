/**
 * Record -> request for the templates: given a record's evaluated path parameters and body,
 * the exact request the runtime will send.
 */
import { randomUUID } from 'crypto';
import { Template, typedParams } from '../catalogue';
import { RecordError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { PlannedRequest } from '../core/types';
import { checkRequired, excludeAttributes } from './body';
import { encodeSegment } from './segment';

export interface EvaluatedRecord {
  /** Path parameter values from the node's typedInputs. */
  params: Record<string, unknown>;
  /** The body before exclusions. */
  body: unknown;
}

export function analyticsBase(hosts: Hosts): string {
  if (!hosts.analyticsBase) throw new RecordError(hosts.analyticsError || 'no Analytics API host is configured');
  return hosts.analyticsBase;
}

/** Vitally de-duplicates Analytics messages on messageId; both stay fixed across retries. */
function stampAnalytics(body: Record<string, unknown>): Record<string, unknown> {
  if (body.timestamp !== undefined && body.messageId !== undefined) return body;
  return {
    ...body,
    timestamp: body.timestamp ?? new Date().toISOString(),
    messageId: body.messageId ?? randomUUID(),
  };
}

function recordId(t: Template, body: unknown): unknown {
  if (typeof body === 'string' || typeof body === 'number') return body;
  return (body as Record<string, unknown> | null)?.[t.recordIdParam!];
}

const constantUrls = new Map<string, string>();

/**
 * One string per base and fixed path: a queue of 100,000 creates holds one URL, not 100,000
 * copies of it. Bounded, since bases come from configuration.
 */
function constantUrl(base: string, path: string): string {
  const key = base + path;
  const known = constantUrls.get(key);
  if (known !== undefined) return known;
  if (constantUrls.size < 1000) constantUrls.set(key, key);
  return key;
}

/** The path with every typedInput parameter filled in (and, for bulk deletes, the record's id). */
export function fillPath(t: Template, path: string, ev: EvaluatedRecord, extra: Record<string, string> = {}): string {
  const segments: Record<string, string> = { ...extra };
  for (const name of typedParams(t)) {
    if (path.includes(`{${name}}`)) segments[name] = encodeSegment(name, ev.params[name]);
  }
  if (t.recordIdParam) segments[t.recordIdParam] = encodeSegment(t.recordIdParam, recordId(t, ev.body));
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => segments[name]);
}

/** The body a write sends: exclusions applied, required fields checked. */
export function writeBody(t: Template, ev: EvaluatedRecord, exclude: string[][]): Record<string, unknown> {
  const body = excludeAttributes(ev.body, exclude);
  checkRequired(t, body);
  return body as Record<string, unknown>;
}

/** A write template's one request (upserts and reads are planned by their own modules). */
export function planTemplateRecord(
  t: Template,
  hosts: Hosts,
  ev: EvaluatedRecord,
  exclude: string[][],
): PlannedRequest {
  const path = fillPath(t, t.path, ev);
  if (t.api === 'analytics') {
    return {
      method: t.method,
      url: analyticsBase(hosts) + path,
      api: 'analytics',
      body: stampAnalytics(writeBody(t, ev, exclude)),
    };
  }
  const url = path === t.path ? constantUrl(hosts.restBase, path) : hosts.restBase + path;
  // No orderKey property at all when there is none: one field less per queued request.
  const request: PlannedRequest = { method: t.method, url, api: 'rest' };
  if (t.ordered) request.orderKey = url;
  if (t.method !== 'DELETE') request.body = writeBody(t, ev, exclude);
  return request;
}

/** One Analytics /batch call carrying the given single-message requests. */
export function planAnalyticsBatch(t: Template, hosts: Hosts, parts: PlannedRequest[]): PlannedRequest {
  return {
    method: 'POST',
    url: `${analyticsBase(hosts)}/batch`,
    api: 'analytics',
    // The template decides the message type; a record's own `type` field must not turn it into another.
    body: parts.map((p) => ({ ...(p.body as object), type: t.analyticsType })),
  };
}
