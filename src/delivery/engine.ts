/**
 * A destination node's work, without Node-RED: each input message's records are evaluated,
 * planned, their external ids resolved, and sent through the config node's shared scheduler
 * (writes only rendered in a dry run), then reported: output 2 per call, output 1 per message
 * (or per page of a list), and done(err) when a record failed. The node file only wires it up.
 */
import { Template } from '../catalogue';
import { ConfigError, RecordError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { Message, PlannedRequest, Purpose } from '../core/types';
import { excludeAttributes } from '../request/body';
import { Destination } from '../request/destination';
import { planManualRecord } from '../request/manual';
import { EvaluatedRecord, planTemplateRecord } from '../request/plan';
import { PlannedRead, planRead } from '../request/read';
import { Reference, collectReferences, idKey, notFound, withVitallyIds } from '../request/relationships';
import { Upsert, planUpsert, upsertKey } from '../request/upsert';
import { Batcher } from './batcher';
import { IdCache } from './id-cache';
import { KeyLock } from './key-lock';
import { Done, MessageTracker, RecordResult, Send, TrackerListener } from './message-tracker';
import { ApiCall, failureReason } from './outcomes';
import { runRead } from './reads';
import { Call, Resolver } from './resolver';
import { CLOSED_ERROR, CallbackJob, Job, Outcome, Scheduler, Tenant } from './scheduler';
import { runUpsert } from './upserts';

/** Evaluates the node's typedInputs and body for one record (Node-RED's half, injected). */
export interface RecordEvaluator {
  /** The message a record's properties are evaluated against. */
  context(msg: Message, record: unknown, many: boolean): Message;
  evaluate(ctx: Message): EvaluatedRecord | Promise<EvaluatedRecord>;
}

export interface EngineHooks {
  /** Output 2: once per call, after it ended (or was rendered, in a dry run). */
  call(call: ApiCall): void;
  /** Counts changed: the status may want refreshing. */
  changed(): void;
}

/** What the engine shares with the other destination nodes of its config node. */
export interface Workspace {
  hosts: Hosts;
  ids: IdCache;
  resolver: Resolver;
  upsertLock: KeyLock;
  /** Absent for a preview from the dialog's settings alone (nothing can be sent). */
  scheduler?: Scheduler;
}

type Prepared =
  | { index: number; kind: 'write'; request: PlannedRequest }
  | { index: number; kind: 'upsert'; upsert: Upsert }
  | { index: number; kind: 'read'; read: PlannedRead };

interface Evaluated {
  index: number;
  ev: EvaluatedRecord;
  ctx: Message;
}

interface PendingRecord {
  tracker: MessageTracker<Message>;
  index: number;
}

/** What the editor's sample panel shows for one request. */
export interface PreviewCall {
  request: PlannedRequest;
  purpose: Purpose;
  /** How many records it carries. */
  records: number;
  /** Lookups and reads that were sent: their answer. */
  statusCode?: number;
  response?: unknown;
}

export interface EngineCounts {
  queued: number;
  inflight: number;
  sent: number;
  failed: number;
  /** The one reason every record of the last failed message failed for, when there was one. */
  lastCause?: string;
}

const STOPPING = 'not delivered: the node is stopping';

function fieldValue(body: unknown, path: string): string {
  let v: unknown = body;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const errorText = (err: unknown) => (err as Error)?.message ?? String(err);

/** One write call (one record, or an Analytics batch) that the scheduler settles. */
class WriteCall extends Job {
  constructor(
    private readonly engine: DestinationEngine,
    request: PlannedRequest,
    /** The record, when the call carries one. */
    readonly tracker?: MessageTracker<Message>,
    readonly index = 0,
    batch?: PendingRecord[],
  ) {
    super(request, engine.tenant);
    if (batch) this.batch = batch;
  }

  /** The records of a batch (set only for one, to keep single writes small). */
  declare readonly batch?: PendingRecord[];

  get request(): PlannedRequest {
    return this.req;
  }

  get records(): number {
    return this.batch ? this.batch.length : 1;
  }

  /** The message its records came from, when they all came from one. */
  get source(): Message | undefined {
    if (!this.batch) return this.tracker!.msg;
    const first = this.batch[0].tracker;
    return this.batch.every((p) => p.tracker === first) ? first.msg : undefined;
  }

  settle(result: Omit<RecordResult, 'index'>): void {
    if (!this.batch) this.tracker!.settle({ index: this.index, ...result });
    else for (const p of this.batch) p.tracker.settle({ index: p.index, ...result });
  }

  settled(outcome: Outcome): void {
    this.engine.writeSettled(this, outcome);
  }
}

export class DestinationEngine implements TrackerListener<Message> {
  readonly tenant: Tenant;
  private readonly batcher?: Batcher<PendingRecord & { request: PlannedRequest }>;
  private readonly open = new Set<MessageTracker<Message>>();
  private openRecords = 0;
  private submitted: Promise<void> = Promise.resolve();
  /** Messages whose preparing went asynchronous and that are not submitted yet: later ones queue behind them. */
  private preparing = 0;
  private closing = false;
  private whenAllSettled?: () => void;
  private readonly stopped: MessageTracker<Message>[] = [];
  private sent = 0;
  private failed = 0;
  private lastCause?: string;

  constructor(
    private readonly workspace: Workspace,
    private readonly dest: Destination,
    private readonly evaluator: RecordEvaluator,
    private readonly hooks: EngineHooks,
    private readonly maxQueue = 0,
  ) {
    this.tenant = new Tenant(dest.retry, () => hooks.changed());
    const b = dest.batching;
    if (b) {
      this.batcher = new Batcher(b.size, b.timeoutMs, (parts) => {
        const request = b.combine(
          workspace.hosts,
          parts.map((p) => p.request),
        );
        this.sendWrite(new WriteCall(this, request, undefined, 0, parts));
      });
    }
  }

  get endpoint(): string {
    return this.dest.endpoint;
  }

  get dryRun(): boolean {
    return this.dest.dryRun;
  }

  counts(): EngineCounts {
    const inflight = this.tenant.inflight;
    return {
      queued: this.tenant.pending - inflight + (this.batcher?.pending ?? 0),
      inflight,
      sent: this.sent,
      failed: this.failed,
      lastCause: this.lastCause,
    };
  }

  /**
   * Takes one input message with Node-RED's send (outputs 1 and 2) and done for it: output 1
   * and done hear of it once every record has settled.
   */
  receive(msg: Message, send: Send<Message>, done: Done): void {
    const many = Array.isArray(msg.payload);
    const records: unknown[] = many ? (msg.payload as unknown[]) : [msg.payload];
    const tracker = new MessageTracker(msg, records.length, this, send, done);
    if (this.closing) tracker.failAll(STOPPING);
    else if (this.maxQueue > 0 && this.openRecords + records.length > this.maxQueue) {
      tracker.failAll(
        `queue full: ${this.openRecords} records are waiting and nodeMessageBufferMaxLength is ${this.maxQueue}`,
      );
    } else if (records.length > 0) {
      this.open.add(tracker);
      this.openRecords += records.length;
      // Preparing (evaluation, lookups) may overlap; submitting keeps arrival order.
      const prepared = this.prepare(msg, records, many, tracker);
      if (!(prepared instanceof Promise) && this.preparing === 0) {
        try {
          this.submit(prepared, tracker, msg);
        } catch (err) {
          tracker.failAll(errorText(err));
        }
      } else {
        this.preparing++;
        this.submitted = this.submitted
          .then(() => prepared)
          .then((items) => this.submit(items, tracker, msg))
          .catch((err) => tracker.failAll(errorText(err)))
          .finally(() => this.preparing--);
      }
    }
    tracker.start();
  }

  /**
   * Stops taking work: records not sent yet fail, requests in flight get until `deadlineMs`
   * before they are aborted. Resolves with the messages that ended with undelivered records.
   */
  async stop(deadlineMs: number): Promise<MessageTracker<Message>[]> {
    this.closing = true;
    for (const part of this.batcher?.drain() ?? []) part.tracker.settle({ index: part.index, error: CLOSED_ERROR });
    this.workspace.scheduler?.cancel(this.tenant);
    const abort = setTimeout(() => this.tenant.abort.abort(), deadlineMs);
    const force = setTimeout(() => {
      // Whatever still waits on work outside this node (a lookup another node started) ends now.
      for (const t of Array.from(this.open)) t.failAll(CLOSED_ERROR);
    }, deadlineMs + 500);
    if (this.open.size > 0) await new Promise<void>((resolve) => (this.whenAllSettled = resolve));
    await this.tenant.whenIdle();
    clearTimeout(abort);
    clearTimeout(force);
    return this.stopped.filter((t) => t.undelivered > 0);
  }

  /** The requests the node would send for these records: lookups sent, writes only rendered. */
  async preview(records: unknown[]): Promise<PreviewCall[]> {
    const calls: PreviewCall[] = [];
    const seen = (request: PlannedRequest, purpose: Purpose, records: number, outcome?: Outcome) =>
      calls.push({
        request,
        purpose,
        records,
        ...(outcome ? { statusCode: outcome.status, response: outcome.body } : {}),
      });
    const msg: Message = { payload: records };
    const tracker = new MessageTracker<Message>(msg, records.length, {
      endpoint: this.endpoint,
      dryRun: true,
      settled() {},
    });
    const call: Call = async (request, purpose) => {
      const outcome = purpose === 'write' ? undefined : await this.send(request);
      seen(request, purpose, 1, outcome);
      return outcome;
    };
    const items = await this.prepare(msg, records, true, tracker, call);
    const problem = tracker.summary().results.find((r) => r && r.error !== undefined);
    if (problem) throw new RecordError(`record ${problem.index + 1}: ${problem.error}`);
    const writes = items.flatMap((i) => (i.kind === 'write' ? [i.request] : []));
    const b = this.dest.batching;
    for (const group of this.batches(writes))
      seen(b ? b.combine(this.workspace.hosts, group) : group[0], 'write', group.length);
    for (const item of items) {
      // Reads change nothing: the sample panel shows their first answer.
      if (item.kind === 'read') await call(item.read.request, 'read');
      if (item.kind === 'upsert') await runUpsert(item.upsert, this.upsertContext(call, true));
    }
    return calls;
  }

  /** Groups requests as the batcher would: per route (and group field), in arrival order, by size. */
  private batches(requests: PlannedRequest[]): PlannedRequest[][] {
    const b = this.dest.batching;
    if (!b) return requests.map((r) => [r]);
    const groups = new Map<string, PlannedRequest[][]>();
    for (const r of requests) {
      const key = this.batchKey(r);
      const list = groups.get(key) ?? [];
      if (!list.length || list[list.length - 1].length >= b.size) list.push([]);
      list[list.length - 1].push(r);
      groups.set(key, list);
    }
    return Array.from(groups.values()).flat();
  }

  /** Sends one request through the shared scheduler (a lookup or a read even in a dry run). */
  private send(request: PlannedRequest): Promise<Outcome> {
    const scheduler = this.workspace.scheduler;
    if (!scheduler) {
      return Promise.resolve({
        ok: false,
        attempts: 0,
        unanswered: 0,
        headers: {},
        body: undefined,
        local: true,
        error: 'deploy the Vitally config node first: looking ids up needs its key',
      });
    }
    return new Promise((resolve) => scheduler.submit(new CallbackJob(request, this.tenant, resolve)));
  }

  /** A call on behalf of one message's record, reported on output 2; a dry run's writes are only rendered. */
  private callFor(source: Message): Call {
    return async (request, purpose) => {
      if (this.dest.dryRun && purpose === 'write') {
        this.hooks.call({ request, purpose, records: 1, source });
        return undefined;
      }
      const outcome = await this.send(request);
      if (outcome.attempts > 0) this.hooks.call({ request, purpose, records: 1, source, outcome });
      return outcome;
    };
  }

  /**
   * Evaluates and plans a message's records. Synchronous when every property evaluates at once
   * and nothing has to be looked up (the common case, which then costs no promise at all).
   */
  private prepare(
    msg: Message,
    records: unknown[],
    many: boolean,
    tracker: MessageTracker<Message>,
    call?: Call,
  ): Prepared[] | Promise<Prepared[]> {
    const evaluated: Evaluated[] = [];
    for (let index = 0; index < records.length; index++) {
      const ev = this.evaluate(msg, records, many, index, tracker);
      if (ev instanceof Promise) return this.prepareRest(ev, msg, records, many, tracker, evaluated, index, call);
      if (ev) evaluated.push(ev);
    }
    return this.lookupAndPlan(evaluated, tracker, call);
  }

  /** The rest of `prepare` once one record's properties turned out to be asynchronous. */
  private async prepareRest(
    pending: Promise<Evaluated | undefined>,
    msg: Message,
    records: unknown[],
    many: boolean,
    tracker: MessageTracker<Message>,
    evaluated: Evaluated[],
    from: number,
    call: Call | undefined,
  ): Promise<Prepared[]> {
    const first = await pending;
    if (first) evaluated.push(first);
    for (let index = from + 1; index < records.length; index++) {
      const ev = await this.evaluate(msg, records, many, index, tracker);
      if (ev) evaluated.push(ev);
    }
    return this.lookupAndPlan(evaluated, tracker, call);
  }

  /** One record's typedInputs and body; undefined (the record settled as failed) when they cannot be evaluated. */
  private evaluate(
    msg: Message,
    records: unknown[],
    many: boolean,
    index: number,
    tracker: MessageTracker<Message>,
  ): Evaluated | undefined | Promise<Evaluated | undefined> {
    const fail = (err: unknown) => {
      tracker.settle({ index, error: errorText(err) });
      return undefined;
    };
    try {
      const ctx = this.evaluator.context(msg, records[index], many);
      const ev = this.evaluator.evaluate(ctx);
      return ev instanceof Promise ? ev.then((e) => ({ index, ev: e, ctx }), fail) : { index, ev, ctx };
    } catch (err) {
      return fail(err);
    }
  }

  /** Plans the evaluated records, after resolving their external ids and learning upserted collections. */
  private lookupAndPlan(
    evaluated: Evaluated[],
    tracker: MessageTracker<Message>,
    call: Call | undefined,
  ): Prepared[] | Promise<Prepared[]> {
    const { dest } = this;
    if (!dest.externalIds && dest.kind !== 'upsert') return this.planAll(evaluated, tracker, dest.exclude);
    return this.resolveAndPlan(evaluated, tracker, call ?? this.callFor(tracker.msg));
  }

  private async resolveAndPlan(
    evaluated: Evaluated[],
    tracker: MessageTracker<Message>,
    call: Call,
  ): Promise<Prepared[]> {
    const { dest } = this;
    const t = dest.template!;
    const refs = new Map<number, Reference[]>();
    if (dest.externalIds) {
      for (const e of evaluated) {
        try {
          e.ev = { params: e.ev.params, body: excludeAttributes(e.ev.body, dest.exclude) };
          refs.set(e.index, collectReferences(t, e.ev.body));
        } catch (err) {
          tracker.settle({ index: e.index, error: errorText(err) });
        }
      }
      const answers = await this.workspace.resolver.resolve(Array.from(refs.values()).flat(), call);
      for (const e of evaluated) {
        if (tracker.isSettled(e.index)) continue;
        try {
          e.ev = { params: e.ev.params, body: this.withResolved(t, e.ev.body, refs.get(e.index) ?? [], answers) };
        } catch (err) {
          tracker.settle({ index: e.index, error: errorText(err) });
        }
      }
    }
    const items = this.planAll(evaluated, tracker, dest.externalIds ? [] : dest.exclude);
    await this.learnUpsertCollections(items, call);
    return items;
  }

  private planAll(evaluated: Evaluated[], tracker: MessageTracker<Message>, exclude: string[][]): Prepared[] {
    const items: Prepared[] = [];
    for (const { index, ev, ctx } of evaluated) {
      if (tracker.isSettled(index)) continue;
      try {
        items.push(this.plan(ev, ctx, exclude, index));
      } catch (err) {
        tracker.settle({ index, error: errorText(err) });
      }
    }
    return items;
  }

  private withResolved(t: Template, body: unknown, refs: Reference[], answers: Map<string, string | null | Error>) {
    for (const ref of refs) {
      const answer = answers.get(idKey(ref.collection, ref.externalId));
      if (answer === null) throw new RecordError(notFound(ref));
      if (answer instanceof Error) throw new RecordError(`${ref.field} "${ref.externalId}": ${answer.message}`);
    }
    if (!refs.length) return body;
    return withVitallyIds(t, body as Record<string, unknown>, (collection, externalId) => {
      return answers.get(idKey(collection, externalId)) as string;
    });
  }

  private plan(ev: EvaluatedRecord, ctx: Message, exclude: string[][], index: number): Prepared {
    const { dest, workspace } = this;
    const t = dest.template;
    if (!t) {
      const request = planManualRecord(dest.manual!, workspace.hosts, ctx, ev.body, exclude);
      return request.method === 'GET'
        ? { index, kind: 'read', read: { request, limit: 0 } }
        : { index, kind: 'write', request };
    }
    if (t.kind === 'read') return { index, kind: 'read', read: planRead(t, workspace.hosts, ev, dest.maxRecords) };
    if (t.kind === 'upsert') return { index, kind: 'upsert', upsert: planUpsert(t, ev, exclude) };
    return { index, kind: 'write', request: planTemplateRecord(t, workspace.hosts, ev, exclude) };
  }

  /** A message that upserts many objects the cache does not know lists their collection once instead. */
  private async learnUpsertCollections(items: Prepared[], call: Call): Promise<void> {
    const unknown = new Map<string, number>();
    for (const item of items) {
      if (item.kind !== 'upsert') continue;
      const { collection, externalId } = item.upsert;
      if (this.workspace.ids.get(collection, externalId) === undefined)
        unknown.set(collection, (unknown.get(collection) ?? 0) + 1);
    }
    await Promise.all(Array.from(unknown, ([c, n]) => this.workspace.resolver.learnCollection(c, n, call)));
  }

  private submit(items: Prepared[], tracker: MessageTracker<Message>, msg: Message): void {
    // Only reads and upserts call on a record's behalf: plain writes go to the batcher or scheduler.
    let call: Call | undefined;
    for (const item of items) {
      const { index } = item;
      if (this.closing) {
        tracker.settle({ index, error: STOPPING });
        continue;
      }
      if (item.kind === 'write') {
        this.submitWrite({ tracker, index, request: item.request });
      } else if (item.kind === 'upsert') {
        const ctx = this.upsertContext((call ??= this.callFor(msg)), this.dest.dryRun);
        this.workspace.upsertLock
          .run(upsertKey(item.upsert), () => runUpsert(item.upsert, ctx))
          .then(
            (result) => tracker.settle({ index, ...result }),
            (err) => tracker.settle({ index, error: errorText(err) }),
          );
      } else {
        this.runRead(item.read, tracker, index, (call ??= this.callFor(msg)));
      }
    }
  }

  private upsertContext(call: Call, dryRun: boolean) {
    return { hosts: this.workspace.hosts, ids: this.workspace.ids, call, dryRun };
  }

  private runRead(read: PlannedRead, tracker: MessageTracker<Message>, index: number, call: Call): void {
    const split = this.dest.split;
    let page = 0;
    const onPage = split
      ? (items: unknown[], last: boolean) => {
          if (this.closing) return;
          const parts: Record<string, unknown> = {
            id: `${tracker.msg._msgid ?? 'vitally'}:${index}`,
            index: page,
            type: 'array',
            // The join node concatenates pages when len > 1.
            len: Math.max(2, Number(new URL(read.request.url).searchParams.get('limit')) || 2),
          };
          if (last) parts.count = page + 1;
          page++;
          const vitally = { endpoint: this.dest.endpoint, record: index, page: page - 1, count: items.length };
          tracker.send?.([{ ...tracker.msg, payload: items, parts, vitally }, null]);
        }
      : undefined;
    runRead(this.dest.template, read, call, onPage).then(
      ({ result, value }) => {
        if (!split) tracker.setValue(index, value);
        tracker.settle({ index, ...result });
      },
      (err) => tracker.settle({ index, error: errorText(err) }),
    );
  }

  private submitWrite(part: PendingRecord & { request: PlannedRequest }): void {
    const b = this.dest.batching;
    if (!this.batcher || !b) {
      this.sendWrite(new WriteCall(this, part.request, part.tracker, part.index));
      return;
    }
    this.batcher.add(this.batchKey(part.request), part);
  }

  /** Requests that may share a batch: one route, and one value of the group field when grouping by field. */
  private batchKey(request: PlannedRequest): string {
    const field = this.dest.batching?.groupField;
    return `${request.method} ${request.url}\n${field ? fieldValue(request.body, field) : ''}`;
  }

  private sendWrite(call: WriteCall): void {
    const { request } = call;
    if (this.dest.dryRun) {
      this.hooks.call({ request, purpose: 'write', records: call.records, source: call.source });
      call.settle({});
      return;
    }
    if (!this.workspace.scheduler) throw new ConfigError('no connection');
    this.workspace.scheduler.submit(call);
  }

  /** @internal A write call ended: output 2, then each of its records. */
  writeSettled(call: WriteCall, outcome: Outcome): void {
    const { request } = call;
    // A call cancelled before its first attempt was never made: nothing to report on output 2.
    if (outcome.attempts > 0) {
      this.hooks.call({ request, purpose: 'write', records: call.records, source: call.source, outcome });
    }
    call.settle(this.writeResult(request, outcome, !call.batch));
  }

  /** A write's result for each of its records. */
  private writeResult(request: PlannedRequest, outcome: Outcome, single: boolean): Omit<RecordResult, 'index'> {
    const result: Omit<RecordResult, 'index'> = {};
    if (outcome.status !== undefined) result.statusCode = outcome.status;
    if (request.method === 'DELETE' && outcome.status === 404 && outcome.unanswered > 0) {
      // An earlier attempt got no answer but was applied: the object is gone, as asked.
      result.note = 'already deleted';
      return result;
    }
    if (!outcome.ok) {
      result.error = failureReason(outcome);
      return result;
    }
    const body = outcome.body as Record<string, unknown> | undefined;
    if (!single || !body || typeof body !== 'object') return result;
    if (typeof body.id === 'string') result.id = body.id;
    const t = this.dest.template;
    if (t?.creates && result.id && (typeof body.externalId === 'string' || typeof body.externalId === 'number')) {
      this.workspace.ids.set(t.creates, String(body.externalId), result.id);
    }
    if (t?.upsertsByExternalId && typeof body.createdAt === 'string' && typeof body.updatedAt === 'string') {
      result.action = body.createdAt === body.updatedAt ? 'created' : 'updated';
    }
    return result;
  }

  /** @internal A message's last record settled: output 1 and done. */
  settled(tracker: MessageTracker<Message>): void {
    if (this.open.delete(tracker)) this.openRecords -= tracker.total;
    const summary = tracker.summary();
    this.sent += summary.succeeded;
    this.failed += summary.failed;
    if (summary.failed > 0) this.lastCause = tracker.commonCause();
    else if (summary.succeeded > 0) this.lastCause = undefined;
    this.hooks.changed();
    if (this.closing) {
      this.stopped.push(tracker);
    } else if (!this.dest.split) {
      const msg = tracker.msg;
      msg.vitally = summary;
      if (this.dest.kind === 'read') msg.payload = tracker.many ? tracker.values() : tracker.values()[0];
      tracker.send?.([msg, null]);
    }
    tracker.done?.(tracker.error());
    if (this.open.size === 0 && this.whenAllSettled) {
      this.whenAllSettled();
      this.whenAllSettled = undefined;
    }
  }
}

/** A message the node cannot take at all (its settings are broken): every record fails, once. */
export function refuseMessage(msg: Message, endpoint: string, error: string, send: Send<Message>, done: Done): void {
  const many = Array.isArray(msg.payload);
  const total = many ? (msg.payload as unknown[]).length : 1;
  const listener: TrackerListener<Message> = {
    endpoint,
    dryRun: false,
    settled(t) {
      msg.vitally = t.summary();
      send([msg, null]);
      done(t.error());
    },
  };
  const tracker = new MessageTracker(msg, total, listener);
  tracker.failAll(error);
  tracker.start();
}
