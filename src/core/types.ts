/** The shapes that cross layers: a request ready to send, and what came back. */

export type Api = 'rest' | 'analytics';
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A Node-RED message, as far as these nodes care. */
export type Message = Record<string, unknown> & { payload?: unknown };

/** Why a call is made, as output 2 reports it. */
export type Purpose = 'write' | 'read' | 'lookup';

export interface PlannedRequest {
  method: Method;
  /** Absolute URL on the configured Vitally host. */
  url: string;
  api: Api;
  body?: unknown;
  /** Extra headers (manual mode); never Authorization. */
  headers?: Record<string, string>;
  /** Requests sharing a key are sent one at a time, in arrival order. */
  orderKey?: string;
}

export interface HttpResult {
  /** Absent when no response arrived (network error, timeout, abort) or nothing was sent. */
  status?: number;
  headers: Record<string, unknown>;
  body: unknown;
  /** The network or local error, when there is no status. */
  error?: string;
  /**
   * The request never left this process (an unserialisable body, a missing credential, a URL
   * off the configured host, an invalid header or proxy setting): never retried, no budget spent.
   */
  local?: boolean;
  /** Sent, but another attempt would fail the same way (a response over the size limit). */
  final?: boolean;
}

export interface Transport {
  /** Never rejects: failures come back as a result without a status. */
  send(req: PlannedRequest, signal?: AbortSignal): Promise<HttpResult>;
}

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Cap on any single wait, ms. */
  maxDelayMs: number;
  /** First backoff step, ms. */
  baseDelayMs: number;
}

/** A template as GET /vitally/endpoints serves it: what the runtime plans with, and the editor shows. */
export interface EditorTemplate {
  id: string;
  label: string;
  group: string;
  kind: string;
  api: string;
  method: string;
  path: string;
  params: string[];
  /** Params that may stay empty (a list's parent). */
  optionalParams: string[];
  required: string[];
  irreversible: boolean;
  batchable: boolean;
  /** A read that answers a list (maxRecords applies). */
  many: boolean;
  /** A read that pages through a list (split applies). */
  paged: boolean;
  /** Body fields that hold relationship ids (relationshipIds applies when there are any). */
  relationships: string[];
  description: string;
  sample: unknown;
  sampleParams: Record<string, string>;
}
