/**
 * Create-or-update by externalId, as calls: an update of the object the cache (or the API's
 * addressing by externalId, or a search) finds, else a create. New objects cost at most two
 * calls and existing ones one where the API addresses objects by externalId; with the cache
 * warm or the collection listed, either costs one.
 */
import { Hosts } from '../core/hosts';
import { Upsert, upsertCreate, upsertSearch, upsertUpdate } from '../request/upsert';
import { IdCache } from './id-cache';
import { RecordResult } from './message-tracker';
import { failureReason } from './outcomes';
import { Call } from './resolver';
import { Outcome } from './scheduler';

export type UpsertResult = Omit<RecordResult, 'index'>;

interface Context {
  hosts: Hosts;
  ids: IdCache;
  call: Call;
  /** Writes are only rendered: a GET (which changes nothing) decides between update and create. */
  dryRun?: boolean;
}

const idOf = (outcome: Outcome) => {
  const body = outcome.body as { id?: unknown } | undefined;
  return body && typeof body.id === 'string' ? body.id : undefined;
};

function done(outcome: Outcome | undefined, action: 'created' | 'updated', u: Upsert, ids: IdCache): UpsertResult {
  if (!outcome) return { action };
  const id = idOf(outcome);
  if (id) ids.set(u.collection, u.externalId, id);
  return { statusCode: outcome.status, id, action };
}

const failed = (outcome: Outcome): UpsertResult => ({ statusCode: outcome.status, error: failureReason(outcome) });

/**
 * Finds the object and updates it: undefined when it does not exist, else the result. `known`
 * is the cache's answer (an id, or undefined when the cache does not know).
 */
async function update(u: Upsert, ctx: Context, known: string | undefined): Promise<UpsertResult | undefined> {
  let id = known;
  if (id === undefined && u.addressableByExternalId && ctx.dryRun) {
    const found = await ctx.call(
      { method: 'GET', url: upsertUpdate(ctx.hosts, u, u.externalId).url, api: 'rest' },
      'lookup',
    );
    if (found?.status === 404) return undefined;
    if (found && !found.ok) return failed(found);
    id = found ? idOf(found) : undefined;
  }
  if (id === undefined && !u.addressableByExternalId) {
    const search = await ctx.call(upsertSearch(ctx.hosts, u), 'lookup');
    if (!search) return undefined;
    if (!search.ok) return failed(search);
    const first = Array.isArray(search.body) ? (search.body[0] as { id?: unknown } | undefined) : undefined;
    if (!first) return undefined;
    if (typeof first.id !== 'string')
      return { statusCode: search.status, error: 'the search answered an object without an id' };
    id = first.id;
  }
  const outcome = await ctx.call(upsertUpdate(ctx.hosts, u, id ?? u.externalId), 'write');
  if (!outcome || outcome.ok) return done(outcome, 'updated', u, ctx.ids);
  if (outcome.status === 404) {
    // Gone since the cache learned it, or never there.
    ctx.ids.forget(u.collection, u.externalId);
    return undefined;
  }
  return failed(outcome);
}

export async function runUpsert(u: Upsert, ctx: Context): Promise<UpsertResult> {
  const known = ctx.ids.get(u.collection, u.externalId);
  if (known !== null) {
    const updated = await update(u, ctx, known);
    if (updated) return updated;
  }
  const created = await ctx.call(upsertCreate(ctx.hosts, u), 'write');
  if (!created || created.ok) return done(created, 'created', u, ctx.ids);
  const status = created.status;
  if (status !== undefined && status >= 400 && status < 500 && ![401, 403, 429].includes(status)) {
    // An earlier attempt may have created it (a timeout), or another writer did since the
    // cache listed the collection: the object may exist now, so update it once more.
    const updated = await update(u, ctx, undefined);
    // An unanswered attempt of this create made the object: it was created, not found.
    if (updated && !updated.error) return created.unanswered > 0 ? { ...updated, action: 'created' } : updated;
  }
  return failed(created);
}
