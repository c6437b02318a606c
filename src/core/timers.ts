/** Node runs a timer longer than 2^31 - 1 ms (about 24.8 days) at once: no wait is ever set past it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wait as a timer takes it: whole ms, at least 1, at most MAX_TIMER_MS. */
export function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(Number.isFinite(ms) ? ms : MAX_TIMER_MS)));
}
