/** Which failures are worth another attempt, and how long to wait before it. */

import { RetryPolicy } from '../core/types';

/** 429, 408 and 5xx may succeed later; other statuses are final. No status = network error. */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * Capped exponential backoff with jitter (half fixed, half random, so retries of a burst
 * spread out without ever collapsing to zero), never shorter than the server asked.
 */
export function retryDelay(
  attempt: number,
  serverWaitMs: number | undefined,
  policy: RetryPolicy,
  random = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const backoff = exp / 2 + random() * (exp / 2);
  return Math.min(policy.maxDelayMs, Math.max(backoff, serverWaitMs ?? 0));
}
