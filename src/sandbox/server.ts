/**
 * The HTTP pipeline for one request: auth, the rate window, injected faults,
 * routing, rate-limit headers, latency and the request log. Every response of the
 * two APIs carries the RateLimit headers of the credential's window, a 401 included
 * (the window of the API it was addressed to; a 401 is never counted). Control
 * routes and the page bypass all of it (no auth, no window, not logged): they are
 * the sandbox's own, not Vitally's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAnalyticsAuth, checkRestAuth } from './auth';
import type { FaultPlan } from './faults';
import { rateLimitHeaders, ServerRateWindow } from './rate-window';
import { badRequest, HttpError, Reply } from './reply';
import type { CredentialKind, LoggedRequest, RequestLog } from './request-log';

export interface Engine {
  apiKey: string;
  /** The exact REST header for apiKey, so the common case is one string comparison. */
  restHeader: string;
  analyticsToken: string;
  windows: Record<CredentialKind, ServerRateWindow>;
  /** Units a request costs in its window: 1 for a read, the write cost for any other method. */
  costOf(method: string): number;
  faults: FaultPlan;
  log: RequestLog;
  /** Vitally's APIs; `segments` are the decoded path segments below each base path. */
  rest(method: string, segments: string[], query: URLSearchParams, body: unknown): Reply;
  analytics(method: string, segments: string[], body: unknown): Reply;
  control(method: string, segments: string[], query: URLSearchParams, body: unknown): Reply;
  page(): string;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

/** A parsed body: `value` when the text was empty or valid JSON, `invalid` when it was not, `tooLarge` beyond the cap. */
interface ParsedBody {
  value?: unknown;
  invalid?: boolean;
  tooLarge?: boolean;
}

export function createRequestListener(engine: Engine): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = size > MAX_BODY_BYTES ? { tooLarge: true } : size === 0 ? {} : parseJson(Buffer.concat(chunks));
      handle(engine, req, res, body);
    });
  };
}

function parseJson(bytes: Buffer): ParsedBody {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { invalid: true };
  }
}

/** Which API a raw path is addressed to, by its prefix; undefined for the sandbox's own routes. */
function apiOf(pathname: string): CredentialKind | undefined {
  if (pathname === '/resources' || pathname.startsWith('/resources/')) return 'rest';
  if (pathname.startsWith('/analytics/v1/') || pathname === '/analytics/v1') return 'analytics';
  return undefined;
}

function handle(engine: Engine, req: IncomingMessage, res: ServerResponse, body: ParsedBody): void {
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const segments = decodeSegments(pathname);
  const api = apiOf(pathname);

  if (api) {
    // A malformed path or an oversized body is still answered by the API, headers and all.
    const below = api === 'rest' ? 1 : 2;
    return handleApi(engine, req, res, api, body, (b) => {
      if (!segments) throw badRequest('Malformed path');
      return api === 'rest'
        ? engine.rest(method, segments.slice(below), query, b)
        : engine.analytics(method, segments.slice(below), b);
    });
  }
  if (body.tooLarge) return send(res, tooLarge());
  if (!segments) return send(res, { status: 400, body: { error: 'Malformed path' } });
  if (segments[0] === '_sandbox') {
    return send(
      res,
      body.invalid ? malformed() : run(() => engine.control(method, segments.slice(1), query, body.value)),
    );
  }
  if (method === 'GET' && segments.length === 1 && segments[0] === '') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    return void res.end(engine.page());
  }
  send(res, { status: 404, body: { error: 'Not found' } });
}

function handleApi(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  kind: CredentialKind,
  body: ParsedBody,
  route: (body: unknown) => Reply,
): void {
  const now = Date.now();
  const method = req.method ?? 'GET';
  const entry: LoggedRequest = {
    time: now,
    method,
    path: req.url ?? '/',
    status: 0,
    body: body.value,
    key: null,
  };
  const delay = engine.faults.delay();
  const window = engine.windows[kind];
  const finish = (reply: Reply, headers: Record<string, string>) => {
    entry.status = reply.status;
    engine.log.add(entry);
    later(delay, () => send(res, reply, headers));
  };

  try {
    const auth = req.headers.authorization;
    if (kind === 'rest') checkRestAuth(auth, engine.apiKey, engine.restHeader);
    else checkAnalyticsAuth(auth, engine.analyticsToken);
  } catch (err) {
    // Not counted (no key to count against), but the headers say where the API's window stands.
    return finish(errorReply(err), rateLimitHeaders(window, now));
  }
  entry.key = kind;
  const cost = engine.costOf(method);

  // A 429, real or injected, is not counted: the request was refused, not served.
  if (!window.hasRoom(now, cost)) {
    // Reset and Retry-After agree: the whole seconds until this request would fit.
    const wait = String(window.secondsUntilRoom(now, cost));
    return finish(tooMany(), { ...rateLimitHeaders(window, now), 'RateLimit-Reset': wait, 'Retry-After': wait });
  }
  const fault = engine.faults.next();
  if (fault === 429) {
    // An injected 429 stands for a refusal lasting one second, and both headers say so.
    return finish(tooMany(), { ...rateLimitHeaders(window, now), 'RateLimit-Reset': '1', 'Retry-After': '1' });
  }
  window.tryRecord(now, cost);
  engine.log.noteAccepted(now);
  const headers = rateLimitHeaders(window, now);

  if (fault === 'drop') {
    entry.status = 'dropped';
    engine.log.add(entry);
    return later(delay, () => req.socket.destroy());
  }
  if (fault !== undefined) return finish({ status: fault, body: { error: `Injected fault: ${fault}` } }, headers);
  if (body.tooLarge) return finish(tooLarge(), headers);
  if (body.invalid) return finish(malformed(), headers);
  finish(
    run(() => route(body.value)),
    headers,
  );
}

/** Runs a route, turning thrown errors into error replies. */
function run(route: () => Reply): Reply {
  try {
    return route();
  } catch (err) {
    return errorReply(err);
  }
}

function errorReply(err: unknown): Reply {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
  if (err instanceof RangeError) return { status: 400, body: { error: err.message } };
  return { status: 500, body: { error: `Sandbox error: ${(err as Error).message}` } };
}

const malformed = (): Reply => ({ status: 400, body: { error: 'Request body is not valid JSON' } });
const tooLarge = (): Reply => ({ status: 413, body: { error: 'Request body too large' } });
const tooMany = (): Reply => ({ status: 429, body: { error: 'Too many requests' } });

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function later(ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  // Unref'd so a pending delay never holds the process open after close().
  setTimeout(fn, ms).unref();
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    return void res.end();
  }
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}
