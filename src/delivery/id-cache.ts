/**
 * External id -> Vitally id, per config node: bounded (least recently used goes first), each
 * entry for a limited time, concurrent lookups of one id coalesced into one call. A collection
 * listed whole is "complete" for the same time: an id it lacks is known not to exist, which
 * lets a sync create new objects without first asking for each of them.
 */
import { idKey } from '../request/relationships';

export const CACHE_ENTRIES = 10_000;
export const CACHE_TTL_MS = 10 * 60_000;

interface Entry {
  id: string;
  expires: number;
}

export class IdCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<string | null>>();
  /** Collections listed whole, and until when that listing holds. */
  private readonly complete = new Map<string, number>();

  constructor(
    readonly maxEntries = CACHE_ENTRIES,
    readonly ttlMs = CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The Vitally id; null when the collection is complete and lacks it; undefined when unknown. */
  get(collection: string, externalId: string): string | null | undefined {
    const key = idKey(collection, externalId);
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && entry.expires > now) {
      // Refresh its place: the least recently used entry goes first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.id;
    }
    if (entry) this.entries.delete(key);
    return this.isComplete(collection) ? null : undefined;
  }

  set(collection: string, externalId: string, id: string): void {
    const key = idKey(collection, externalId);
    this.entries.delete(key);
    this.entries.set(key, { id, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      // An evicted entry makes its collection's listing incomplete.
      this.complete.delete(oldest.slice(0, oldest.indexOf('\n')));
    }
  }

  /** The object is gone (a 404 on its id): forget it, and any claim to know the whole collection. */
  forget(collection: string, externalId: string): void {
    this.entries.delete(idKey(collection, externalId));
    this.complete.delete(collection);
  }

  isComplete(collection: string): boolean {
    const until = this.complete.get(collection);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.complete.delete(collection);
    return false;
  }

  /** Room for `count` more entries without evicting any. */
  hasRoomFor(count: number): boolean {
    return this.entries.size + count <= this.maxEntries;
  }

  /**
   * Every entry of the collection was set by a listing that started at `since` (this cache's
   * clock): the listing holds as long as its oldest entry does, no longer.
   */
  markComplete(collection: string, since: number): void {
    this.complete.set(collection, since + this.ttlMs);
  }

  /** This cache's clock, for markComplete. */
  time(): number {
    return this.now();
  }

  /** Runs `lookup` once for concurrent askers of one id; its answer (an id) enters the cache. */
  coalesce(collection: string, externalId: string, lookup: () => Promise<string | null>): Promise<string | null> {
    const key = idKey(collection, externalId);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = lookup().then(
        (id) => {
          this.inflight.delete(key);
          if (id !== null) this.set(collection, externalId, id);
          return id;
        },
        (err) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, pending);
    }
    return pending;
  }
}
