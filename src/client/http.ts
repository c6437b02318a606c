/**
 * The HTTP side: one axios instance per config node on keep-alive agents, the auth header
 * for each API, and the refusal to send a key anywhere but the configured Vitally host.
 */
import http from 'http';
import https from 'https';
import axios, { AxiosInstance } from 'axios';
import { Hosts, apiOfUrl } from '../core/hosts';
import { HttpResult, PlannedRequest, Transport } from '../core/types';

export interface Credentials {
  apiKey?: string;
  analyticsToken?: string;
}

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

/** The error text of a Vitally response body: `error`, then `message`, then the raw text. */
export function errorText(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const text = b.error ?? b.message;
    if (text !== undefined) return typeof text === 'string' ? text : JSON.stringify(text);
    return JSON.stringify(body);
  }
  return body === undefined || body === '' ? '' : String(body);
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

export class VitallyClient implements Transport {
  private readonly axios: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly auth: { rest?: string; analytics?: string };

  constructor(
    readonly hosts: Hosts,
    credentials: Credentials,
    timeoutMs: number,
    maxSockets: number,
  ) {
    this.auth = {
      rest: credentials.apiKey ? restAuthorization(credentials.apiKey) : undefined,
      analytics: credentials.analyticsToken ? analyticsAuthorization(credentials.analyticsToken) : undefined,
    };
    const agentOptions = { keepAlive: true, maxSockets };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
    this.axios = axios.create({
      timeout: timeoutMs,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // A redirect could carry the Authorization header to another host.
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      proxy: false,
    });
  }

  hasCredential(api: 'rest' | 'analytics'): boolean {
    return this.auth[api] !== undefined;
  }

  async send(req: PlannedRequest, signal?: AbortSignal): Promise<HttpResult> {
    const api = apiOfUrl(new URL(req.url), this.hosts);
    if (api === undefined) {
      return {
        headers: {},
        body: undefined,
        error: `refused: ${new URL(req.url).origin} is not the configured Vitally host`,
      };
    }
    const authorization = this.auth[req.api];
    if (!authorization) {
      const which = req.api === 'rest' ? 'REST API key' : 'Analytics API token';
      return { headers: {}, body: undefined, error: `no ${which} in the Vitally config node` };
    }
    const headers = { ...requestHeaders(req), Authorization: authorization };
    try {
      const res = await this.axios.request({
        method: req.method,
        url: req.url,
        headers,
        data: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
      return { status: res.status, headers: { ...res.headers }, body: parseBody(res.data) };
    } catch (err) {
      return { headers: {}, body: undefined, error: describeNetworkError(err) };
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function describeNetworkError(err: unknown): string {
  if (axios.isCancel(err)) return 'aborted: the node was stopped while the request was in flight';
  const e = err as { code?: string; message?: string };
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return `timeout: no response in time (${e.message})`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `unknown host: ${e.message}`;
  return `network error: ${e.code ? `${e.code} ` : ''}${e.message ?? String(err)}`.trim();
}
