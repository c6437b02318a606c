/**
 * One call's abort signal: the caller's signal and the call's total deadline combined, and
 * which of the two fired first. Written out rather than with AbortSignal.any so that the
 * timer and the listener on the caller's signal (one signal serves many calls at once) are
 * both gone as soon as the call settles, whichever way it settles.
 */

export type AbortCause = 'deadline' | 'caller';

export interface Deadline {
  readonly signal: AbortSignal;
  /** What aborted the call, once something has. */
  readonly cause: AbortCause | undefined;
  /** Clear the timer and the listener; call it in a `finally`. Safe to call twice. */
  dispose(): void;
}

import { MAX_TIMER_MS } from '../core/timers';

/** A deadline of `timeoutMs` from now; none when it is not a positive finite number. */
export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let cause: AbortCause | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (why: AbortCause, reason: unknown): void => {
    if (cause !== undefined) return;
    cause = why;
    controller.abort(reason);
  };
  const onCallerAbort = (): void => stop('caller', outer?.reason);
  const dispose = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    outer?.removeEventListener('abort', onCallerAbort);
  };
  if (outer?.aborted) {
    stop('caller', outer.reason);
  } else {
    outer?.addEventListener('abort', onCallerAbort, { once: true });
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      timer = setTimeout(
        () => {
          timer = undefined;
          stop('deadline', new Error(`deadline of ${timeoutMs} ms passed`));
        },
        Math.min(timeoutMs, MAX_TIMER_MS),
      );
    }
  }
  return {
    signal: controller.signal,
    get cause() {
      return cause;
    },
    dispose,
  };
}
