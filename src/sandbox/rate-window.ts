/**
 * A strict sliding window: at most `limit` events in any span of `windowMs`.
 * An event at time t occupies the window until t + windowMs. Timestamps sit in a
 * ring buffer that grows on demand (a huge limit costs nothing up front), so
 * recording and expiring are O(1) amortised. Time is always passed in, which keeps
 * the window pure and testable with any clock.
 */
export class SlidingWindow {
  private times = new Float64Array(16);
  private head = 0; // index of the oldest timestamp
  private size = 0;

  constructor(
    private limitValue: number,
    private windowMsValue: number,
  ) {
    checkRateLimit(limitValue, windowMsValue);
  }

  get limit(): number {
    return this.limitValue;
  }

  get windowMs(): number {
    return this.windowMsValue;
  }

  /** True when an event at `now` would fit. */
  hasRoom(now: number): boolean {
    this.expire(now);
    return this.size < this.limitValue;
  }

  /** Counts an event at `now`; false (and nothing counted) when the window is full. */
  tryRecord(now: number): boolean {
    if (!this.hasRoom(now)) return false;
    if (this.size === this.times.length) this.grow();
    this.times[(this.head + this.size) % this.times.length] = now;
    this.size++;
    return true;
  }

  remaining(now: number): number {
    this.expire(now);
    return this.limitValue - this.size;
  }

  /** Whole seconds, rounded up, until the oldest event leaves the window; 0 when empty. */
  resetSeconds(now: number): number {
    this.expire(now);
    if (this.size === 0) return 0;
    return Math.ceil((this.times[this.head] + this.windowMsValue - now) / 1000);
  }

  /** New limits; the most recent events still count, so a change cannot open a burst. */
  reconfigure(limit: number, windowMs: number): void {
    checkRateLimit(limit, windowMs);
    const kept = this.ordered().slice(-limit);
    this.limitValue = limit;
    this.windowMsValue = windowMs;
    this.clear();
    for (const t of kept) this.tryRecord(t);
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMsValue;
    while (this.size > 0 && this.times[this.head] <= cutoff) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
  }

  private ordered(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.times[(this.head + i) % this.times.length]);
    return out;
  }

  private grow(): void {
    const next = new Float64Array(this.times.length * 2);
    next.set(this.ordered());
    this.times = next;
    this.head = 0;
  }
}

function checkRateLimit(limit: number, windowMs: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rateLimit must be a positive integer');
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('windowMs must be a positive number');
}

/** `RateLimit-*` header values as Vitally documents them (Reset in seconds from now). */
export function rateLimitHeaders(window: SlidingWindow, now: number): Record<string, string> {
  return {
    'RateLimit-Limit': `${window.limit}, ${window.limit};window=${window.windowMs / 1000}`,
    'RateLimit-Remaining': String(window.remaining(now)),
    'RateLimit-Reset': String(window.resetSeconds(now)),
  };
}
