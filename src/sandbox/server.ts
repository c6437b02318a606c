/**
 * The HTTP pipeline for one request: auth, the rate window, injected faults,
 * routing, rate-limit headers, latency and the request log. Control routes and
 * the page bypass all of it (no auth, no window, not logged): they are the
 * sandbox's own, not Vitally's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAnalyticsAuth, checkRestAuth } from './auth';
import type { FaultPlan } from './faults';
import { rateLimitHeaders, SlidingWindow } from './rate-window';
import { HttpError, Reply } from './reply';
import type { CredentialKind, LoggedRequest, RequestLog } from './request-log';

export interface Engine {
  apiKey: string;
  /** The exact REST header for apiKey, so the common case is one string comparison. */
  restHeader: string;
  analyticsToken: string;
  windows: Record<CredentialKind, SlidingWindow>;
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

/** A parsed body: `value` when the text was empty or valid JSON, `invalid` when it was not. */
interface ParsedBody {
  value?: unknown;
  invalid?: boolean;
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
      if (size > MAX_BODY_BYTES) return send(res, { status: 413, body: { error: 'Request body too large' } });
      handle(engine, req, res, size === 0 ? {} : parseJson(Buffer.concat(chunks).toString('utf8')));
    });
  };
}

function parseJson(text: string): ParsedBody {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { invalid: true };
  }
}

function handle(engine: Engine, req: IncomingMessage, res: ServerResponse, body: ParsedBody): void {
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  const q = url.indexOf('?');
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const segments = decodeSegments(q < 0 ? url : url.slice(0, q));
  if (!segments) return send(res, { status: 400, body: { error: 'Malformed path' } });

  if (segments[0] === 'resources') {
    return handleApi(engine, req, res, 'rest', body, (b) => engine.rest(method, segments.slice(1), query, b));
  }
  if (segments[0] === 'analytics' && segments[1] === 'v1') {
    return handleApi(engine, req, res, 'analytics', body, (b) => engine.analytics(method, segments.slice(2), b));
  }
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
  const entry: LoggedRequest = {
    time: now,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    status: 0,
    body: body.value,
    key: null,
  };
  const delay = engine.faults.delay();
  const finish = (reply: Reply, headers: Record<string, string> = {}) => {
    entry.status = reply.status;
    engine.log.add(entry);
    later(delay, () => send(res, reply, headers));
  };

  try {
    const auth = req.headers.authorization;
    if (kind === 'rest') checkRestAuth(auth, engine.apiKey, engine.restHeader);
    else checkAnalyticsAuth(auth, engine.analyticsToken);
  } catch (err) {
    return finish(errorReply(err)); // unauthenticated: no key to count against, so no RateLimit headers
  }
  entry.key = kind;
  const window = engine.windows[kind];

  // A 429, real or injected, is not counted: the request was refused, not served.
  if (!window.hasRoom(now))
    return finish({ status: 429, body: { error: 'Too many requests' } }, rateLimitHeaders(window, now));
  const fault = engine.faults.next();
  if (fault === 429) {
    return finish(
      { status: 429, body: { error: 'Too many requests' } },
      { ...rateLimitHeaders(window, now), 'Retry-After': '1' },
    );
  }
  window.tryRecord(now);
  engine.log.noteAccepted(now);
  const headers = rateLimitHeaders(window, now);

  if (fault === 'drop') {
    entry.status = 'dropped';
    engine.log.add(entry);
    return later(delay, () => req.socket.destroy());
  }
  if (fault !== undefined) return finish({ status: fault, body: { error: `Injected fault: ${fault}` } }, headers);
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
