/**
 * What the scheduler needs of a rate budget, whether it lives in this process (SlidingWindow)
 * or in Redis, shared by several Node-RED instances (RedisRateWindow).
 */

/** A taken request slot, handed back when the request ends. */
export type Slot = unknown;

export type Take = { slot: Slot } | { waitMs: number };

/** A hold the server imposed (a 429, or no requests left until a reset). */
export interface Pause {
  /** Epoch ms. */
  until: number;
  cause: string;
}

export interface RateBudget {
  readonly limit: number;
  readonly windowMs: number;
  /** A slot now, or how long to wait before asking again. A shared budget answers asynchronously. */
  take(now: number): Take | Promise<Take>;
  /** The request's response (or failure) arrived at `now`: the slot counts until `now + windowMs`. */
  release(slot: Slot, now: number): void;
  /** The request was never sent (a local error): the slot never counted. */
  cancel(slot: Slot): void;
  /** The server's count, when it reports one: adopted when it is stricter than ours. */
  observe(now: number, remaining: number | undefined, resetMs: number | undefined, serverLimit?: number): void;
  /** The server asked for a pause (a 429): start nothing for `ms`, then one probe request. */
  pause(now: number, ms: number, cause: string): void;
  /** The server-imposed hold in force, for the status and Test connection. */
  pauseInfo(now: number): Pause | undefined;
  /** ms until the budget lets a request start (0 when it would now), for the status. */
  throttledFor(now: number): number;
  /** What is wrong with the budget itself (a shared store that cannot be reached). */
  problem?(): string | undefined;
}
