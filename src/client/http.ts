/**
 * The HTTP side: one axios instance per config node on keep-alive agents (direct, or through
 * the proxy the environment names), the auth header for each API, and the refusal to send a
 * key anywhere but the configured Vitally host. Every call has a total deadline and a bounded
 * response, and every outcome comes back as a result: `send` never rejects.
 */
import http from 'http';
import axios, { AxiosInstance } from 'axios';
import { Hosts, apiOfUrl } from '../core/hosts';
import { HttpResult, PlannedRequest, Transport } from '../core/types';
import { Agents } from './agents';
import { startDeadline } from './deadline';

export interface Credentials {
  apiKey?: string;
  analyticsToken?: string;
}

/** The largest response body a call buffers; a larger one fails the call. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** How much of a body an error text quotes. */
export const ERROR_TEXT_CHARS = 500;

const TOO_LARGE = `response too large: more than ${MAX_RESPONSE_BYTES / (1024 * 1024)} MB`;
const ABORTED = 'aborted: the node was stopped while the request was in flight';

/** REST: Basic base64(key + ":"), or the ready-made "Basic ..." value as given. */
export function restAuthorization(apiKey: string): string {
  const key = apiKey.trim();
  return /^basic\s/i.test(key) ? key : `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}

/** Analytics: the token is handed out already encoded and is sent as-is. */
export function analyticsAuthorization(token: string): string {
  const t = token.trim();
  return /^basic\s/i.test(t) ? t : `Basic ${t}`;
}

/** At most `max` characters of `text`, then an ellipsis and the full length. */
export function clipText(text: string, max = ERROR_TEXT_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
  return `${text.slice(0, end)}… (${text.length} characters)`;
}

function printable(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // a cycle or a BigInt: fall back to String()
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The error text of a Vitally response body: `error`, then `message`, then the raw text,
 * clipped to about ERROR_TEXT_CHARS characters (a 320 KB HTML error page stays a short line).
 */
export function errorText(body: unknown): string {
  try {
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const text = b.error ?? b.message;
      if (text !== undefined) return clipText(typeof text === 'string' ? text : printable(text));
      return clipText(printable(body));
    }
    return body === undefined || body === '' ? '' : clipText(typeof body === 'string' ? body : printable(body));
  } catch {
    return '(an unreadable error body)';
  }
}

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data === '' ? undefined : data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** The headers a request carries besides Authorization: what the preview shows, exactly. */
export function requestHeaders(req: PlannedRequest): Record<string, string> {
  const headers: Record<string, string> = { ...req.headers, Accept: 'application/json' };
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  return headers;
}

function oneLine(text: string, max = 300): string {
  return clipText(text.replace(/\s+/g, ' ').trim(), max);
}

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : printable(err);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(2))} s`;
}

/** A result for a call that never left this process: the caller must not retry it. */
function localFailure(error: string): HttpResult {
  return { headers: {}, body: undefined, error, local: true };
}

function networkFailure(error: string): HttpResult {
  return { headers: {}, body: undefined, error };
}

/** Response headers as a plain object of their own (no `__proto__` key, nothing inherited). */
function plainHeaders(headers: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!headers || typeof headers !== 'object') return out;
  for (const [name, value] of Object.entries(headers)) {
    if (name === '__proto__' || typeof value === 'function') continue;
    out[name] = value;
  }
  return out;
}

interface Prepared {
  url: string;
  headers: Record<string, string>;
  data?: string;
  agent: http.Agent;
  /** Where the connection goes, for error texts: the host, or the proxy. */
  target: string;
  proxy?: string;
}

export class VitallyClient implements Transport {
  private readonly axios: AxiosInstance;
  private readonly agents: Agents;
  private readonly auth: { rest?: string; analytics?: string };
  /** Checked once: a credential a header cannot carry fails every call as a local error. */
  private readonly authValid: { rest: boolean; analytics: boolean };

  /**
   * `timeoutMs` is each call's total deadline, connect to last byte. HTTPS_PROXY, HTTP_PROXY,
   * NO_PROXY (either case) are read here, once.
   */
  constructor(
    readonly hosts: Hosts,
    credentials: Credentials,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    this.auth = {
      rest: credentials.apiKey ? restAuthorization(credentials.apiKey) : undefined,
      analytics: credentials.analyticsToken ? analyticsAuthorization(credentials.analyticsToken) : undefined,
    };
    this.authValid = {
      rest: !this.auth.rest || validHeaderValue(this.auth.rest),
      analytics: !this.auth.analytics || validHeaderValue(this.auth.analytics),
    };
    const origins = [hosts.restBase, hosts.analyticsBase].filter((b): b is string => !!b).map((b) => new URL(b).origin);
    this.agents = new Agents(origins, maxSockets, timeoutMs);
    this.axios = axios.create({
      // The deadline is ours (startDeadline): axios's timeout is an idle timer a trickle defeats.
      timeout: 0,
      // A redirect could carry the Authorization header to another host.
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      validateStatus: () => true,
      responseType: 'text',
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      // The agents carry the proxy, if any; axios's own proxy support must not also apply.
      proxy: false,
    });
  }

  hasCredential(api: 'rest' | 'analytics'): boolean {
    return this.auth[api] !== undefined;
  }

  async send(req: PlannedRequest, signal?: AbortSignal): Promise<HttpResult> {
    try {
      return await this.sendOnce(req, signal);
    } catch (err) {
      // Nothing in sendOnce is meant to throw; if something does, it is still a result.
      return networkFailure(`network error: ${oneLine(messageOf(err))}`);
    }
  }

  close(): void {
    this.agents.destroy();
  }

  private async sendOnce(req: PlannedRequest, signal?: AbortSignal): Promise<HttpResult> {
    const prepared = this.prepare(req);
    if (typeof prepared === 'string') return localFailure(prepared);
    if (signal?.aborted) return localFailure(ABORTED);
    const deadline = startDeadline(this.timeoutMs, signal);
    try {
      const res = await this.axios.request({
        method: req.method,
        url: prepared.url,
        headers: prepared.headers,
        data: prepared.data,
        signal: deadline.signal,
        httpAgent: prepared.agent,
        httpsAgent: prepared.agent,
      });
      return { status: res.status, headers: plainHeaders(res.headers), body: parseBody(res.data) };
    } catch (err) {
      if (deadline.cause === 'deadline') {
        return networkFailure(
          `timeout: no complete response within ${seconds(this.timeoutMs)} (the deadline runs from connect to last byte)`,
        );
      }
      if (deadline.cause === 'caller') return networkFailure(ABORTED);
      const error = describeNetworkError(err, prepared.target, prepared.proxy);
      // Another attempt would download the same 10 MB again.
      return error === TOO_LARGE ? { ...networkFailure(error), final: true } : networkFailure(error);
    } finally {
      deadline.dispose();
    }
  }

  /** Everything that can fail before a byte is sent; a string is why this call cannot be made. */
  private prepare(req: PlannedRequest): Prepared | string {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return `refused: ${JSON.stringify(oneLine(String(req.url), 200))} is not a valid URL`;
    }
    if (apiOfUrl(url, this.hosts) === undefined) {
      return `refused: ${url.origin} is not the configured Vitally host`;
    }
    const authorization = req.api === 'rest' || req.api === 'analytics' ? this.auth[req.api] : undefined;
    if (!authorization) {
      const which = req.api === 'rest' ? 'REST API key' : 'Analytics API token';
      return `no ${which} in the Vitally config node`;
    }
    if (!this.authValid[req.api]) {
      const which = req.api === 'rest' ? 'REST API key' : 'Analytics API token';
      return `the ${which} in the Vitally config node holds characters a header cannot carry`;
    }
    const route = this.agents.route(url.origin);
    if (route.error !== undefined) return route.error;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(requestHeaders(req))) {
      if (name.toLowerCase() !== 'authorization') headers[name] = value;
    }
    headers.Authorization = authorization;
    // The node's own headers are constants; only a manual node's extra headers need checking.
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      try {
        http.validateHeaderName(name);
        http.validateHeaderValue(name, value);
      } catch (err) {
        const code = (err as { code?: string }).code;
        return `refused: the header ${JSON.stringify(oneLine(name, 100))} is not valid${code ? ` (${code})` : ''}`;
      }
    }
    let data: string | undefined;
    if (req.body !== undefined) {
      try {
        data = JSON.stringify(req.body);
      } catch (err) {
        return `body cannot be serialised as JSON: ${oneLine(messageOf(err))}`;
      }
      if (data === undefined) return `body cannot be serialised as JSON: a ${typeof req.body} is not JSON`;
    }
    return { url: url.href, headers, data, agent: route.agent, target: url.host, proxy: route.proxy };
  }
}

/** Whether a header can carry `value`. */
function validHeaderValue(value: string): boolean {
  try {
    http.validateHeaderValue('Authorization', value);
    return true;
  } catch {
    return false;
  }
}

/** A failed call without a response, in words; the prefix names the kind of failure. */
function describeNetworkError(err: unknown, target: string, proxy?: string): string {
  if (axios.isCancel(err)) return 'aborted: the request was cancelled';
  const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : '';
  const message = oneLine(messageOf(err));
  const via = proxy ? ` (through the proxy ${proxy})` : '';
  if (/^maxContentLength size of \d+ exceeded/.test(message)) return TOO_LARGE;
  if (code === 'ECONNREFUSED') return `connection refused: ${proxy ? `the proxy ${proxy}` : target} (ECONNREFUSED)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `unknown host: ${message}${via}`;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return `timeout: ${message}${via}`;
  const tunnel = /^Bad response: (\d+)$/.exec(message);
  if (proxy && tunnel) return `proxy error: the proxy ${proxy} refused the tunnel to ${target} (HTTP ${tunnel[1]})`;
  return `network error: ${code ? `${code} ` : ''}${message}${via}`.trim();
}
