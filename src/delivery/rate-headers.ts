/** Reads the server's rate-limit state from response headers. */

export interface RateInfo {
  /** The server's limit for the window, in its units. */
  limit?: number;
  remaining?: number;
  /** ms from now until the window has room again. */
  resetMs?: number;
  /** ms from now the server asked us to wait (Retry-After). */
  retryAfterMs?: number;
}

type Headers = Record<string, unknown>;

function header(headers: Headers, name: string): string | undefined {
  // Node lower-cases incoming header names; other sources may not.
  const v = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  if (v === undefined || v === null) return undefined;
  return String(Array.isArray(v) ? v[0] : v);
}

/**
 * The leading number of a value such as "1000, 1000;window=60". Anything else (garbage, a
 * negative number, a number hiding inside text) is ignored, never read as a wait.
 */
function number(v: string | undefined): number | undefined {
  const m = v?.match(/^\s*(\d+(\.\d+)?)\s*(?:[,;]|$)/);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

/** Reset values are seconds from now; large ones are epoch seconds or milliseconds. */
export function resetToMs(value: number, nowEpochMs: number): number {
  if (value > 1e12) return Math.max(0, value - nowEpochMs);
  if (value > 1e9) return Math.max(0, value * 1000 - nowEpochMs);
  return Math.max(0, value * 1000);
}

export function retryAfterToMs(v: string, nowEpochMs: number): number | undefined {
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) {
    const ms = Number(v) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!/[a-z]/i.test(v)) return undefined;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

export function readRateInfo(headers: Headers | undefined, nowEpochMs = Date.now()): RateInfo {
  if (!headers) return {};
  const limit = number(header(headers, 'ratelimit-limit') ?? header(headers, 'x-ratelimit-limit'));
  const remaining = number(header(headers, 'ratelimit-remaining') ?? header(headers, 'x-ratelimit-remaining'));
  const reset = number(header(headers, 'ratelimit-reset') ?? header(headers, 'x-ratelimit-reset'));
  const retryAfter = header(headers, 'retry-after');
  return {
    limit,
    remaining,
    resetMs: reset === undefined ? undefined : resetToMs(reset, nowEpochMs),
    retryAfterMs: retryAfter === undefined ? undefined : retryAfterToMs(retryAfter, nowEpochMs),
  };
}
