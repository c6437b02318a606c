/**
 * An exact sliding-window rate budget: no `limit` requests in any `windowMs` span.
 *
 * A request holds a slot from the moment it starts until `windowMs` after its response
 * arrived. The server counts a request when it arrives, which is before the response is
 * back, so timing the window from the response keeps us inside the server's window
 * whatever the latency, at the cost of the latency itself (under 1% at Vitally's 60 s).
 *
 * The limiter package's RateLimiter and TokenBucket refill continuously or per fixed
 * interval; both can start more than `limit` requests in some window, which a strict
 * sliding window answers with 429s.
 */

import { Pause, RateBudget, Slot, Take } from './rate-budget';

/** Slack for the server's millisecond clock and rounding. */
const MARGIN_MS = 2;
/** The most units one request is believed to cost the server. */
const MAX_COST = 10;

export class SlidingWindow implements RateBudget {
  /** Ring buffer of response times still in the window; grows on demand up to `limit`. */
  private ends: Float64Array;
  private head = 0;
  private size = 0;
  private inflight = 0;
  /** The server's view when it is stricter than ours: `remaining` more starts until `until`. */
  private gate?: { until: number; remaining: number };
  private pausedUntil = 0;
  /** The latest server-imposed hold, with its cause, for the status (performance.now() clock). */
  private hold?: { until: number; cause: string };

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!(limit >= 1) || !(windowMs > 0)) throw new RangeError('rate limit and window must be positive');
    this.ends = new Float64Array(Math.min(Math.ceil(limit), 1024));
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs - MARGIN_MS;
    while (this.size > 0 && this.ends[this.head] <= cutoff) {
      this.head = (this.head + 1) % this.ends.length;
      this.size--;
    }
  }

  /** Slots free right now by our own count. */
  available(now: number): number {
    this.prune(now);
    return this.limit - this.inflight - this.size;
  }

  /** Milliseconds until a request may start: 0 now, Infinity until a response frees a slot. */
  delay(now: number): number {
    let wait = 0;
    if (this.available(now) <= 0) {
      wait = this.size > 0 ? this.ends[this.head] + this.windowMs + MARGIN_MS - now : Infinity;
    }
    if (this.gate) {
      if (now >= this.gate.until) this.gate = { until: Infinity, remaining: Math.max(this.gate.remaining, 1) };
      if (this.gate.remaining <= 0) wait = Math.max(wait, this.gate.until - now);
    }
    return Math.max(wait, this.pausedUntil - now, 0);
  }

  /** Server-side throttling state, e.g. for status: ms until the server allows more. */
  throttledFor(now: number): number {
    const d = this.delay(now);
    return Number.isFinite(d) ? d : 0;
  }

  start(): void {
    this.inflight++;
    if (this.gate) this.gate.remaining--;
  }

  take(now: number): Take {
    const waitMs = this.delay(now);
    if (waitMs > 0) return { waitMs };
    this.start();
    return { slot: undefined };
  }

  release(_slot: Slot, now: number): void {
    this.finish(now);
  }

  cancel(): void {
    this.inflight--;
    if (this.gate) this.gate.remaining++;
  }

  /** A started request is over; `now` is when its response (or failure) arrived. */
  finish(now: number): void {
    this.inflight--;
    this.prune(now);
    if (this.size === this.ends.length) this.grow();
    this.ends[(this.head + this.size) % this.ends.length] = now;
    this.size++;
  }

  private grow(): void {
    const bigger = new Float64Array(Math.min(this.ends.length * 2, Math.ceil(this.limit) + 1));
    for (let i = 0; i < this.size; i++) bigger[i] = this.ends[(this.head + i) % this.ends.length];
    this.ends = bigger;
    this.head = 0;
  }

  /**
   * Adopts the server's count when it is stricter than ours (another client on the key, a
   * lower server limit, writes that cost the server more than one unit). Requests still in
   * flight may not have been counted yet, so they are taken off what the server says is left,
   * at what a request costs the server.
   */
  observe(now: number, remaining: number | undefined, resetMs: number | undefined, serverLimit?: number): void {
    if (remaining === undefined) {
      // No information (a network error): do not hold a probe gate open forever.
      if (this.gate && this.gate.until === Infinity) this.gate = undefined;
      return;
    }
    const requestsLeft = Math.floor(remaining / this.costPerRequest(now, remaining, serverLimit));
    if (requestsLeft >= this.available(now)) {
      this.gate = undefined;
      return;
    }
    this.gate = { until: now + (resetMs ?? this.windowMs), remaining: requestsLeft - this.inflight };
    if (this.gate.remaining <= 0) this.hold = { until: this.gate.until, cause: `RateLimit-Remaining ${remaining}` };
  }

  /**
   * Units one request costs the server: what it says is used of its limit, over the requests
   * this window holds. More than 1 when the server counts writes heavier than we do (or others
   * use the key too, when slowing down is right as well).
   */
  private costPerRequest(now: number, remaining: number, serverLimit: number | undefined): number {
    if (serverLimit === undefined || serverLimit <= remaining) return 1;
    this.prune(now);
    const ours = this.size + this.inflight;
    return Math.min(MAX_COST, Math.max(1, (serverLimit - remaining) / Math.max(1, ours)));
  }

  /** Start nothing until `t`: a pause never shortens one already in force. */
  pauseUntil(t: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, t);
  }

  /** The server refused a request (429): nothing until the pause ends, then one probe. */
  pause(now: number, ms: number, cause: string): void {
    const until = now + ms;
    if (until <= this.pausedUntil) return;
    this.pauseUntil(until);
    this.gate = { until, remaining: 0 };
    this.hold = { until, cause };
  }

  pauseInfo(now: number): Pause | undefined {
    const gateHold = this.gate && this.gate.remaining <= 0 && this.gate.until > now ? this.gate.until : 0;
    const until = Math.max(this.pausedUntil, gateHold);
    if (until <= now) return undefined;
    const cause = this.hold && this.hold.until >= until ? this.hold.cause : 'no requests left';
    return { until: Date.now() + (until - now), cause };
  }
}
