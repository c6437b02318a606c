/**
 * Your own ids -> Vitally ids, through the config node's cache: one lookup per id not known
 * yet (concurrent askers share it), or, when a message names many unknown objects of one
 * collection, one listing of the whole collection (100 objects a call) that also tells which
 * external ids do not exist, so a first sync can create without asking about each object.
 */
import { Collection } from '../catalogue';
import { Hosts } from '../core/hosts';
import { PlannedRequest, Purpose } from '../core/types';
import { Reference, idKey, lookupAnswer, lookupRequest } from '../request/relationships';
import { IdCache } from './id-cache';
import { Outcome } from './scheduler';
import { failureReason } from './outcomes';

/** Sends one request on behalf of a record (output 2 sees it); undefined when a dry run did not send it. */
export type Call = (request: PlannedRequest, purpose: Purpose) => Promise<Outcome | undefined>;

/** A message naming at least this many unknown objects of a collection lists the collection instead. */
export const LISTING_THRESHOLD = 20;
/** A listing may cost at most one call per this many objects wanted, so it never costs more than it saves. */
const OBJECTS_PER_LISTING_CALL = 10;
const PAGE = 100;

/** Collections that can be listed whole, and the query that lists every object (churned accounts too). */
function listingQuery(collection: string): string | undefined {
  if (collection === 'accounts') return `limit=${PAGE}&sortBy=createdAt&status=activeOrChurned`;
  if (/^(organizations|users|customObjects\/[^/]+\/instances)$/.test(collection))
    return `limit=${PAGE}&sortBy=createdAt`;
  return undefined;
}

export class Resolver {
  private readonly listings = new Map<string, Promise<void>>();
  /** Pages a listing was allowed and ran out of, per collection, so a smaller need does not list again. */
  private readonly exhausted = new Map<string, number>();

  constructor(
    private readonly hosts: Hosts,
    private readonly ids: IdCache,
  ) {}

  /** Lists a collection whole into the cache when `wanted` unknown objects justify it. */
  async learnCollection(collection: string, wanted: number, call: Call): Promise<void> {
    const query = listingQuery(collection);
    if (!query || wanted < LISTING_THRESHOLD || this.ids.isComplete(collection)) return;
    const maxPages = Math.max(2, Math.ceil(wanted / OBJECTS_PER_LISTING_CALL));
    if ((this.exhausted.get(collection) ?? 0) >= maxPages) return;
    let listing = this.listings.get(collection);
    if (!listing) {
      listing = this.list(collection, query, maxPages, call).finally(() => this.listings.delete(collection));
      this.listings.set(collection, listing);
    }
    await listing;
  }

  private async list(collection: string, query: string, maxPages: number, call: Call): Promise<void> {
    const started = this.ids.time();
    let url = `${this.hosts.restBase}/${collection}?${query}`;
    for (let page = 0; page < maxPages; page++) {
      const outcome = await call({ method: 'GET', url, api: 'rest' }, 'lookup');
      const body = outcome?.body as { results?: unknown; next?: unknown } | undefined;
      // A listing the cache cannot hold whole proves nothing about what is missing.
      if (!outcome?.ok || !body || !Array.isArray(body.results) || !this.ids.hasRoomFor(body.results.length)) return;
      for (const item of body.results as Record<string, unknown>[]) {
        if (
          item &&
          typeof item.id === 'string' &&
          (typeof item.externalId === 'string' || typeof item.externalId === 'number')
        ) {
          this.ids.set(collection, String(item.externalId), item.id);
        }
      }
      if (typeof body.next !== 'string' || body.next === '') {
        this.ids.markComplete(collection, started);
        this.exhausted.delete(collection);
        return;
      }
      const next = new URL(url);
      next.searchParams.set('from', body.next);
      url = next.href;
    }
    this.exhausted.set(collection, maxPages);
  }

  /**
   * For each reference's `collection\nexternalId`: the Vitally id, null when there is no such
   * object, or the error that stopped the lookup.
   */
  async resolve(refs: Reference[], call: Call): Promise<Map<string, string | null | Error>> {
    const distinct = new Map<string, Reference>();
    for (const ref of refs) {
      const key = idKey(ref.collection, ref.externalId);
      if (!distinct.has(key)) distinct.set(key, ref);
    }
    const unknown = new Map<Collection, number>();
    for (const ref of distinct.values()) {
      if (this.ids.get(ref.collection, ref.externalId) === undefined) {
        unknown.set(ref.collection, (unknown.get(ref.collection) ?? 0) + 1);
      }
    }
    await Promise.all(Array.from(unknown, ([collection, count]) => this.learnCollection(collection, count, call)));
    const answers = new Map<string, string | null | Error>();
    await Promise.all(
      Array.from(distinct, async ([key, ref]) => {
        answers.set(key, await this.resolveOne(ref, call));
      }),
    );
    return answers;
  }

  private async resolveOne(ref: Reference, call: Call): Promise<string | null | Error> {
    const known = this.ids.get(ref.collection, ref.externalId);
    if (known !== undefined) return known;
    try {
      return await this.ids.coalesce(ref.collection, ref.externalId, async () => {
        const outcome = await call(lookupRequest(this.hosts, ref.collection, ref.externalId), 'lookup');
        const id = outcome ? lookupAnswer(ref.collection, outcome.status, outcome.body) : undefined;
        if (id === undefined) throw new Error(`lookup failed: ${outcome ? failureReason(outcome) : 'not sent'}`);
        return id;
      });
    } catch (err) {
      return err as Error;
    }
  }
}
