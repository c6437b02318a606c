/**
 * A destination node's path from planned requests to settled records: batching (when it
 * applies), dry-run or dispatch, one report per call for output 2, and each record's result
 * for its message's tracker.
 */
import { Hosts } from '../core/hosts';
import { errorText } from '../client/http';
import { Batching } from '../request/destination';
import { PlannedRequest } from '../core/types';
import { Batcher } from './batcher';
import { CLOSED_ERROR, Dispatcher, Outcome, Owner } from './dispatcher';
import { MessageTracker, RecordResult } from './message-tracker';

export interface Part<M = unknown> {
  request: PlannedRequest;
  tracker: MessageTracker<M>;
  index: number;
}

export interface Call<M = unknown> {
  request: PlannedRequest;
  parts: Part<M>[];
  /** Absent in a dry run. */
  outcome?: Outcome;
}

export interface DeliveryOptions<M> {
  dispatcher: Dispatcher;
  owner: Owner;
  hosts: Hosts;
  batching?: Batching;
  dryRun: boolean;
  /** Output 2: called once per call, after it ended (or was rendered, in a dry run). */
  report(call: Call<M>): void;
}

function fieldValue(body: unknown, path: string): string {
  let v: unknown = body;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A failed call's reason, as each of its records reports it. */
export function failureReason(outcome: Outcome): string {
  if (outcome.status === undefined) return outcome.error || 'no response';
  const text = errorText(outcome.body);
  return `HTTP ${outcome.status}${text ? `: ${text}` : ''}`;
}

export class Delivery<M = unknown> {
  private readonly batcher?: Batcher<Part<M>>;

  constructor(private readonly opts: DeliveryOptions<M>) {
    const b = opts.batching;
    if (b)
      this.batcher = new Batcher(b.size, b.timeoutMs, (parts) =>
        this.send(
          b.combine(
            opts.hosts,
            parts.map((p) => p.request),
          ),
          parts,
        ),
      );
  }

  /** Records waiting in open batches. */
  get batched(): number {
    return this.batcher?.pending ?? 0;
  }

  submit(part: Part<M>): void {
    const b = this.opts.batching;
    if (!this.batcher || !b) {
      this.send(part.request, [part]);
      return;
    }
    const route = `${part.request.method} ${part.request.url}`;
    this.batcher.add(b.groupField ? `${route}\n${fieldValue(part.request.body, b.groupField)}` : route, part);
  }

  /** Stops taking work: records in open batches and queued calls end as failures. */
  stop(): void {
    for (const part of this.batcher?.drain() ?? []) part.tracker.settle({ index: part.index, error: CLOSED_ERROR });
    this.opts.dispatcher.cancel(this.opts.owner);
  }

  private send(request: PlannedRequest, parts: Part<M>[]): void {
    if (this.opts.dryRun) {
      this.opts.report({ request, parts });
      for (const p of parts) p.tracker.settle({ index: p.index });
      return;
    }
    this.opts.dispatcher.submit(this.opts.owner, request, (outcome) => {
      // A call cancelled before its first attempt was never made: nothing to report on output 2.
      if (outcome.attempts > 0) this.opts.report({ request, parts, outcome });
      const error = outcome.ok ? undefined : failureReason(outcome);
      const body = outcome.body as Record<string, unknown> | undefined;
      const id = parts.length === 1 && body && typeof body.id === 'string' ? body.id : undefined;
      for (const p of parts) {
        const result: RecordResult = { index: p.index };
        if (outcome.status !== undefined) result.statusCode = outcome.status;
        if (id !== undefined) result.id = id;
        if (error !== undefined) result.error = error;
        p.tracker.settle(result);
      }
    });
  }
}

type Message = Record<string, unknown>;

/** Output 2's message for one call: the originating message's properties when it had one. */
export function responseMessage(call: Call<Message>): Message {
  const first = call.parts[0].tracker;
  const base = call.parts.every((p) => p.tracker === first) ? { ...first.msg } : {};
  const { request, outcome } = call;
  const out: Message = {
    ...base,
    payload: outcome?.body,
    statusCode: outcome?.status,
    headers: outcome?.headers,
    request: { method: request.method, url: request.url, body: request.body },
    records: call.parts.length,
    attempts: outcome?.attempts ?? 0,
  };
  if (!outcome) out.dryRun = true;
  if (outcome?.error) out.error = outcome.error;
  return out;
}
