/**
 * Record -> request: the pure half of the destination node. Given a record's evaluated
 * path parameters and body, it produces the exact request the runtime will send.
 */
import { randomUUID } from 'crypto';
import { Template, typedParams } from '../catalogue';
import { ConfigError, RecordError } from '../core/errors';
import { Hosts, apiOfUrl } from '../core/hosts';
import { Api, Method, PlannedRequest } from '../core/types';
import { checkRequired, excludeAttributes } from './body';
import { renderUrl } from './mustache';
import { encodeSegment } from './segment';

export interface EvaluatedRecord {
  /** Path parameter values from the node's typedInputs. */
  params: Record<string, unknown>;
  /** The body before exclusions. */
  body: unknown;
}

function analyticsBase(hosts: Hosts): string {
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

export function planTemplateRecord(
  t: Template,
  hosts: Hosts,
  ev: EvaluatedRecord,
  exclude: string[][],
): PlannedRequest {
  const segments: Record<string, string> = {};
  for (const name of typedParams(t)) segments[name] = encodeSegment(name, ev.params[name]);
  if (t.recordIdParam) segments[t.recordIdParam] = encodeSegment(t.recordIdParam, recordId(t, ev.body));
  const path = t.path.replace(/\{([^}]+)\}/g, (_, name: string) => segments[name]);

  if (t.api === 'analytics') {
    const body = excludeAttributes(ev.body, exclude);
    checkRequired(t, body);
    return {
      method: t.method,
      url: analyticsBase(hosts) + path,
      api: 'analytics',
      body: stampAnalytics(body as Record<string, unknown>),
    };
  }
  const url = hosts.restBase + path;
  const orderKey = t.ordered ? url : undefined;
  if (t.method === 'DELETE') return { method: 'DELETE', url, api: 'rest', orderKey };
  const body = excludeAttributes(ev.body, exclude);
  checkRequired(t, body);
  return { method: t.method, url, api: 'rest', body, orderKey };
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

export interface ManualSettings {
  method: Method;
  url: string;
  headers: Record<string, string>;
}

const MANUAL_METHODS: Method[] = ['POST', 'PUT', 'DELETE'];

const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-length']);

/** Validates manual mode's settings once, when the node starts. */
export function parseManualSettings(
  method: string | undefined,
  url: string | undefined,
  headers: string | undefined,
): ManualSettings {
  const m = (method || 'POST').toUpperCase() as Method;
  if (!MANUAL_METHODS.includes(m)) throw new ConfigError(`manual method must be POST, PUT or DELETE, not ${method}`);
  if (!url || !url.trim()) throw new ConfigError('manual mode needs a URL');
  const parsed: Record<string, string> = {};
  for (const pair of (headers || '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)) {
    const colon = pair.indexOf(':');
    const name = colon > 0 ? pair.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name)) throw new ConfigError(`header "${pair}" is not name:value`);
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw new ConfigError(`header ${name} is set by the node and cannot be overridden`);
    parsed[name] = pair.slice(colon + 1).trim();
  }
  return { method: m, url: url.trim(), headers: parsed };
}

/** Path segments that an empty or dot parameter leaves behind: `//`, a trailing `/`, `.` or `..`. */
const HOLLOW_SEGMENT = /\/\/|\/$|(^|\/)\.{1,2}(\/|$)/;

/** Resolves a rendered manual URL: a path under the REST base, or absolute on the Vitally host. */
function resolveManualUrl(rendered: string, hosts: Hosts): { url: string; api: Api } {
  const path = rendered.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0];
  if (HOLLOW_SEGMENT.test(path)) {
    throw new RecordError(`URL "${rendered}" has an empty or dot path segment: a parameter is missing or not an id`);
  }
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:/i.test(rendered)
      ? new URL(rendered)
      : new URL(hosts.restBase + (rendered.startsWith('/') ? '' : '/') + rendered);
  } catch {
    throw new RecordError(`URL "${rendered}" is not valid`);
  }
  const api = apiOfUrl(url, hosts);
  if (!api)
    throw new RecordError(`URL ${url.origin} is not the configured Vitally host; the API key is only sent there`);
  return { url: url.href, api };
}

export function planManualRecord(
  m: ManualSettings,
  hosts: Hosts,
  view: unknown,
  body: unknown,
  exclude: string[][],
): PlannedRequest {
  const { url, api } = resolveManualUrl(renderUrl(m.url, view), hosts);
  const orderKey = m.method === 'POST' ? undefined : url;
  const headers = Object.keys(m.headers).length ? m.headers : undefined;
  if (m.method === 'DELETE') return { method: 'DELETE', url, api, headers, orderKey };
  return { method: m.method, url, api, headers, orderKey, body: excludeAttributes(body, exclude) };
}

/** Manual batching: one call to the group's URL carrying the records as a JSON array. */
export function planManualBatch(parts: PlannedRequest[]): PlannedRequest {
  const { method, url, api, headers, orderKey } = parts[0];
  return { method, url, api, headers, orderKey, body: parts.map((p) => p.body) };
}
