/** What a route answers; the server adds headers, latency and logging. */
export interface Reply {
  status: number;
  /** JSON-serialisable body; absent for 204. */
  body?: unknown;
}

/** Thrown by routes and validators; the server turns it into `{ "error": message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

export const ok = (body: unknown): Reply => ({ status: 200, body });

/** A request body as the routes see it: a parsed JSON object. */
export type Body = Record<string, unknown>;

/** REST writes take one JSON object; an absent body counts as `{}` so validation can name the missing field. */
export function asObject(body: unknown): Body {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
  return body as Body;
}
