export type CredentialKind = 'rest' | 'analytics';

export interface LoggedRequest {
  /** Date.now() when the request was taken in. */
  time: number;
  method: string;
  /** Path with query string. */
  path: string;
  status: number | 'dropped';
  /** The parsed JSON request body, when there was a valid one. */
  body?: unknown;
  /** Which credential authenticated the request; null when none did. */
  key: CredentialKind | null;
}

export interface Counters {
  total: number;
  byStatus: Record<string, number>;
  dropped: number;
}

/**
 * The latest `limit` requests in a ring buffer (so 100k requests cost no more than
 * `limit` entries), plus totals that only reset() clears. Entries never hold headers,
 * so keys cannot leak through the log.
 */
export class RequestLog {
  private ring: LoggedRequest[] = [];
  private nextSlot = 0;
  private counts: Counters = { total: 0, byStatus: {}, dropped: 0 };
  private accepted: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly recordAccepted: boolean,
  ) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError('logLimit must be a non-negative integer');
  }

  add(entry: LoggedRequest): void {
    this.counts.total++;
    if (entry.status === 'dropped') this.counts.dropped++;
    else this.counts.byStatus[entry.status] = (this.counts.byStatus[entry.status] ?? 0) + 1;
    if (this.limit === 0) return;
    if (this.ring.length < this.limit) this.ring.push(entry);
    else this.ring[this.nextSlot] = entry;
    this.nextSlot = (this.nextSlot + 1) % this.limit;
  }

  /** Notes a request counted by the rate window (only when recording was asked for). */
  noteAccepted(time: number): void {
    if (this.recordAccepted) this.accepted.push(time);
  }

  /** Oldest first. */
  get entries(): LoggedRequest[] {
    if (this.ring.length < this.limit) return this.ring.slice();
    return this.ring.slice(this.nextSlot).concat(this.ring.slice(0, this.nextSlot));
  }

  /** The newest `n` entries, newest first. */
  latest(n: number): LoggedRequest[] {
    return this.entries.slice(-n).reverse();
  }

  get counters(): Counters {
    return { ...this.counts, byStatus: { ...this.counts.byStatus } };
  }

  get acceptedTimes(): number[] {
    return this.accepted.slice();
  }

  reset(): void {
    this.ring = [];
    this.nextSlot = 0;
    this.counts = { total: 0, byStatus: {}, dropped: 0 };
    this.accepted = [];
  }
}
