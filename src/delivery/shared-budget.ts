/**
 * The rate budget for `budget: redis`: the window in Redis decides how many requests every
 * Node-RED process on the key may start; this process's own window still follows the server's
 * headers (a stricter count, the probe after a pause) as the local budget does. A pause the
 * server imposes is shared through Redis, so every process waits it out.
 */
import { Pause, RateBudget, Slot, Take } from './rate-budget';
import { RedisRateWindow } from './redis-window';
import { SlidingWindow } from './sliding-window';

export class SharedBudget implements RateBudget {
  private readonly own: SlidingWindow;
  /** The shared pause as Redis last reported it. */
  private sharedPause?: Pause;

  constructor(
    private readonly redis: RedisRateWindow,
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.own = new SlidingWindow(limit, windowMs);
  }

  async take(now: number): Promise<Take> {
    const waitMs = this.own.delay(now);
    if (waitMs > 0) return { waitMs };
    const grant = await this.redis.take();
    if ('slot' in grant) {
      this.own.start();
      this.sharedPause = undefined;
      return { slot: grant.slot };
    }
    this.sharedPause = grant.reason === 'paused' ? { until: Date.now() + grant.waitMs, cause: grant.cause } : undefined;
    return { waitMs: grant.waitMs };
  }

  release(slot: Slot, now: number): void {
    this.own.finish(now);
    void this.redis.finish(slot as string);
  }

  cancel(slot: Slot): void {
    this.own.cancel();
    void this.redis.cancel(slot as string);
  }

  observe(now: number, remaining: number | undefined, resetMs: number | undefined, serverLimit?: number): void {
    this.own.observe(now, remaining, resetMs, serverLimit);
    // None left for the key: every process must wait for the reset, not only this one.
    if (remaining !== undefined && remaining <= 0 && resetMs)
      void this.redis.pauseUntil(resetMs, `RateLimit-Remaining ${remaining}`);
  }

  pause(now: number, ms: number, cause: string): void {
    this.own.pause(now, ms, cause);
    void this.redis.pauseUntil(ms, cause);
  }

  pauseInfo(now: number): Pause | undefined {
    const own = this.own.pauseInfo(now);
    const shared = this.sharedPause && this.sharedPause.until > Date.now() ? this.sharedPause : undefined;
    if (!own) return shared;
    return shared && shared.until > own.until ? shared : own;
  }

  throttledFor(now: number): number {
    const shared = this.sharedPause ? Math.max(0, this.sharedPause.until - Date.now()) : 0;
    return Math.max(this.own.throttledFor(now), shared);
  }

  problem(): string | undefined {
    return this.redis.isHealthy() ? undefined : (this.redis.lastError ?? 'Redis unreachable');
  }

  close(): Promise<void> {
    return this.redis.close();
  }
}
