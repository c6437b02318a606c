/**
 * The sandbox's server-side rate limit: a strict sliding window of units. At most
 * `limit` units in any span of `windowMs`; a request of cost c recorded at time t
 * occupies c units until t + windowMs. Named apart from the node's own client-side
 * window in src/delivery, which it must never be mistaken for.
 *
 * Timestamps and costs sit in ring buffers that grow on demand (a huge limit costs
 * nothing up front), so recording and expiring are O(1) amortised. Time is always
 * passed in, which keeps the window pure and testable with any clock.
 */
export class ServerRateWindow {
  private times = new Float64Array(16);
  private costs = new Float64Array(16);
  private head = 0; // index of the oldest event
  private size = 0; // events held
  private used = 0; // units held: the sum of their costs

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

  /** True when an event of `cost` units at `now` would fit. */
  hasRoom(now: number, cost = 1): boolean {
    this.expire(now);
    return this.used + cost <= this.limitValue;
  }

  /** Counts an event of `cost` units at `now`; false (and nothing counted) when it does not fit. */
  tryRecord(now: number, cost = 1): boolean {
    checkCost(cost);
    if (!this.hasRoom(now, cost)) return false;
    if (this.size === this.times.length) this.grow();
    const slot = (this.head + this.size) % this.times.length;
    this.times[slot] = now;
    this.costs[slot] = cost;
    this.size++;
    this.used += cost;
    return true;
  }

  /** Units left in the window at `now`. */
  remaining(now: number): number {
    this.expire(now);
    return this.limitValue - this.used;
  }

  /** Whole seconds, rounded up, until the oldest event leaves the window; 0 when empty. */
  resetSeconds(now: number): number {
    this.expire(now);
    if (this.size === 0) return 0;
    return Math.ceil((this.times[this.head] + this.windowMsValue - now) / 1000);
  }

  /**
   * Whole seconds, rounded up, until an event of `cost` units would fit: 0 when it fits
   * now, otherwise the time until enough of the oldest events have left. A cost above
   * the limit never fits; it answers one whole window.
   */
  secondsUntilRoom(now: number, cost = 1): number {
    this.expire(now);
    if (this.used + cost <= this.limitValue) return 0;
    if (cost > this.limitValue) return Math.ceil(this.windowMsValue / 1000);
    let freed = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head + i) % this.times.length;
      freed += this.costs[slot];
      if (this.used - freed + cost <= this.limitValue) {
        return Math.ceil((this.times[slot] + this.windowMsValue - now) / 1000);
      }
    }
    return Math.ceil(this.windowMsValue / 1000); // unreachable: freeing everything leaves room
  }

  /** New limits; the most recent events that fit still count, so a change cannot open a burst. */
  reconfigure(limit: number, windowMs: number): void {
    checkRateLimit(limit, windowMs);
    const events = this.ordered();
    let units = 0;
    let first = events.length;
    while (first > 0 && units + events[first - 1].cost <= limit) units += events[--first].cost;
    this.limitValue = limit;
    this.windowMsValue = windowMs;
    this.clear();
    for (const e of events.slice(first)) this.tryRecord(e.time, e.cost);
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.used = 0;
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMsValue;
    while (this.size > 0 && this.times[this.head] <= cutoff) {
      this.used -= this.costs[this.head];
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
  }

  private ordered(): { time: number; cost: number }[] {
    const out: { time: number; cost: number }[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head + i) % this.times.length;
      out.push({ time: this.times[slot], cost: this.costs[slot] });
    }
    return out;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const costs = new Float64Array(this.costs.length * 2);
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head + i) % this.times.length;
      times[i] = this.times[slot];
      costs[i] = this.costs[slot];
    }
    this.times = times;
    this.costs = costs;
    this.head = 0;
  }
}

function checkRateLimit(limit: number, windowMs: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rateLimit must be a positive integer');
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('windowMs must be a positive number');
}

function checkCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < 1) throw new RangeError('cost must be a positive integer');
}

/** `RateLimit-*` header values as Vitally documents them (Reset in seconds from now). */
export function rateLimitHeaders(window: ServerRateWindow, now: number): Record<string, string> {
  return {
    'RateLimit-Limit': `${window.limit}, ${window.limit};window=${window.windowMs / 1000}`,
    'RateLimit-Remaining': String(window.remaining(now)),
    'RateLimit-Reset': String(window.resetSeconds(now)),
  };
}
