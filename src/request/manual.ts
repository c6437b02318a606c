/**
 * Manual mode: any endpoint, from a method, a mustache URL template and extra headers. The
 * URL, once rendered, must stay under the base of the API it targets, or the other API's
 * credential (or the key itself) could go where the flow's author did not mean it to.
 */
import { ConfigError, RecordError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { Api, Method, PlannedRequest } from '../core/types';
import { excludeAttributes } from './body';
import { renderIds, renderShape } from './mustache';

export interface ManualSettings {
  method: Method;
  url: string;
  headers: Record<string, string>;
}

const MANUAL_METHODS: Method[] = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * Headers the node sets or that frame the message (a value here could smuggle a second
 * request or change the body's length), and method overrides, which could get a DELETE past
 * the delete guard.
 */
const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** Validates manual mode's settings once, when the node starts. */
export function parseManualSettings(
  method: string | undefined,
  url: string | undefined,
  headers: string | undefined,
): ManualSettings {
  const m = (method || 'POST').toUpperCase() as Method;
  if (!MANUAL_METHODS.includes(m))
    throw new ConfigError(`manual method must be GET, POST, PUT or DELETE, not ${method}`);
  if (!url || !url.trim()) throw new ConfigError('manual mode needs a URL');
  const parsed: Record<string, string> = {};
  for (const pair of (headers || '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)) {
    if (/[\r\n\0]/.test(pair)) throw new ConfigError('a manual header may not contain line breaks');
    const colon = pair.indexOf(':');
    const name = colon > 0 ? pair.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(name)) throw new ConfigError(`header "${pair}" is not name:value`);
    if (FORBIDDEN_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('proxy-')) {
      throw new ConfigError(`header ${name} is set by the node or the connection and cannot be given in manual mode`);
    }
    parsed[name] = pair.slice(colon + 1).trim();
  }
  return { method: m, url: url.trim(), headers: parsed };
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/** A relative path naming the Analytics API's own base path: `/analytics/v1/batch`. */
const ANALYTICS_PATH = /^\/?analytics\/v1(?=\/|$|\?)/;

/** Relative URLs are under the REST base, except those spelling out the Analytics base path. */
function toUrl(text: string, hosts: Hosts): URL {
  try {
    if (ABSOLUTE.test(text)) return new URL(text);
    if (hosts.analyticsBase && ANALYTICS_PATH.test(text))
      return new URL(hosts.analyticsBase + text.replace(ANALYTICS_PATH, ''));
    return new URL(hosts.restBase + (text.startsWith('/') ? '' : '/') + text);
  } catch {
    throw new RecordError(`URL "${text}" is not valid`);
  }
}

/** The API whose base a URL lies under, if any. */
function baseOf(url: URL, hosts: Hosts): Api | undefined {
  const under = (base: string | undefined) => {
    if (!base) return false;
    const b = new URL(base);
    return url.origin === b.origin && (url.pathname === b.pathname || url.pathname.startsWith(`${b.pathname}/`));
  };
  if (url.username || url.password) return undefined;
  if (under(hosts.analyticsBase)) return 'analytics';
  if (under(hosts.restBase)) return 'rest';
  return undefined;
}

/** Decodes percent-escapes until nothing changes, so `%252e` cannot hide a dot. */
function fullyDecoded(text: string): string {
  let current = text;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw new RecordError(`URL path "${text}" has a malformed percent-escape`);
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function checkPath(rendered: string): void {
  // The URL parser drops tabs and line breaks anywhere and spaces at the ends: a `..` could hide behind them.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(rendered) || rendered !== rendered.trim()) {
    throw new RecordError(
      `URL ${JSON.stringify(rendered)} has a control character or surrounding space: a parameter is not an id`,
    );
  }
  if (rendered.includes('#')) throw new RecordError(`URL "${rendered}" has a fragment (#): a parameter is not an id`);
  if (rendered.includes('\\')) throw new RecordError(`URL "${rendered}" has a backslash: a parameter is not an id`);
  const path = rendered.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('?')[0];
  const decoded = fullyDecoded(path);
  if (decoded.includes('\\'))
    throw new RecordError(`URL "${rendered}" has an encoded backslash: a parameter is not an id`);
  if (/\/\/|\/$|(^|\/)\.{1,2}(\/|$)/.test(decoded)) {
    throw new RecordError(`URL "${rendered}" has an empty or dot path segment: a parameter is missing or not an id`);
  }
}

/**
 * The API a URL template targets before data fills it in: its own base when the template
 * pins the host (or is a path under the REST base), else the API whose base path it spells out.
 */
function intendedApi(shape: string, hostFromData: boolean, hosts: Hosts): Api | undefined {
  if (!hostFromData) return baseOf(toUrl(shape, hosts), hosts);
  if (hosts.analyticsBase && shape.includes(new URL(hosts.analyticsBase).pathname)) return 'analytics';
  if (shape.includes(new URL(hosts.restBase).pathname)) return 'rest';
  return undefined;
}

/** The API a manual node's URL template targets, and so the credential it needs (REST when the data decides). */
export function manualApi(m: ManualSettings, hosts: Hosts): Api {
  // A template that starts with a value may take its host from the data: its path decides then.
  return intendedApi(renderShape(m.url), /^\{\{/.test(m.url), hosts) ?? 'rest';
}

/**
 * The request a manual node sends for one record. The URL's shape with placeholders decides
 * which API it targets; the rendered URL must stay under that API's base.
 */
export function planManualRecord(
  m: ManualSettings,
  hosts: Hosts,
  view: unknown,
  body: unknown,
  exclude: string[][],
): PlannedRequest {
  const rendered = renderIds(m.url, view, 'URL', encodeURIComponent);
  checkPath(rendered);
  const parsed = toUrl(rendered, hosts);
  const api = baseOf(parsed, hosts);
  if (!api) {
    const where = new URL(hosts.restBase);
    const onHost =
      parsed.origin === where.origin || (hosts.analyticsBase && parsed.origin === new URL(hosts.analyticsBase).origin);
    throw new RecordError(
      !onHost
        ? `URL ${parsed.origin} is not the configured Vitally host; the API key is only sent there`
        : parsed.username || parsed.password
          ? `URL ${parsed.origin} carries credentials: the node sends its own`
          : `URL ${parsed.pathname} is outside the REST API (${where.pathname}) and the Analytics API`,
    );
  }
  const shape = renderShape(m.url);
  const intended = intendedApi(shape, !ABSOLUTE.test(shape) && ABSOLUTE.test(rendered), hosts);
  if (intended && intended !== api) {
    throw new RecordError(`URL "${rendered}" leaves the ${intended === 'rest' ? 'REST' : 'Analytics'} API it targets`);
  }
  const url = parsed.href;
  const headers = Object.keys(m.headers).length ? m.headers : undefined;
  if (m.method === 'GET' || m.method === 'DELETE') {
    return { method: m.method, url, api, headers, orderKey: m.method === 'DELETE' ? url : undefined };
  }
  const orderKey = m.method === 'POST' ? undefined : url;
  return { method: m.method, url, api, headers, orderKey, body: excludeAttributes(body, exclude) };
}

/** Manual batching: one call to the group's URL carrying the records as a JSON array. */
export function planManualBatch(parts: PlannedRequest[]): PlannedRequest {
  const { method, url, api, headers, orderKey } = parts[0];
  return { method, url, api, headers, orderKey, body: parts.map((p) => p.body) };
}
