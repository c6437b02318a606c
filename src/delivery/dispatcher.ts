/**
 * The scheduler shared by every destination node on one config node: one queue, one rate
 * budget, at most `concurrency` requests in flight, requests to one object in arrival order,
 * retries with backoff. Every submitted request ends in exactly one `done` call.
 */
import { setMaxListeners } from 'events';
import { performance } from 'perf_hooks';
import { HttpResult, PlannedRequest, RetryPolicy, Transport } from '../core/types';
import { Queue } from './queue';
import { readRateInfo } from './rate-headers';
import { isRetryable, retryDelay } from './retry';
import { SlidingWindow } from './sliding-window';

export interface Outcome extends HttpResult {
  ok: boolean;
  attempts: number;
}

/** A destination node's share of the dispatcher: its own counts, retries and shutdown. */
export class Owner {
  /** Submitted and not yet done. */
  pending = 0;
  inflight = 0;
  closing = false;
  readonly abort = new AbortController();
  private idle?: () => void;

  constructor(
    readonly policy: RetryPolicy,
    readonly onChange: () => void = () => {},
  ) {
    // Every request in flight listens on this one signal; more than 10 is normal here.
    setMaxListeners(0, this.abort.signal);
  }

  /** Resolves once none of this owner's requests is in flight. */
  whenIdle(): Promise<void> {
    return this.inflight === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          this.idle = resolve;
        });
  }

  /** @internal */
  settledOne(): void {
    if (this.inflight === 0 && this.idle) {
      this.idle();
      this.idle = undefined;
    }
    this.onChange();
  }
}

interface Job {
  req: PlannedRequest;
  owner: Owner;
  attempts: number;
  done: (outcome: Outcome) => void;
  retryTimer?: NodeJS.Timeout;
}

const SHARED_BUDGET_POLL_MS = 50;

export const CLOSED_ERROR = 'not delivered: the node was stopped (redeploy or shutdown) before it was sent';

export class Dispatcher {
  private readonly ready = new Queue<Job>();
  /** Per order key, the jobs waiting behind the one that holds the key. */
  private readonly lines = new Map<string, Queue<Job>>();
  private readonly retrying = new Set<Job>();
  private inflight = 0;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Infinity;

  constructor(
    private readonly transport: Transport,
    readonly window: SlidingWindow,
    private readonly concurrency: number,
    private readonly now: () => number = () => performance.now(),
    /** A done callback that throws is a bug upstream; it must not stall the queue. */
    private readonly onCallbackError: (err: unknown) => void = (err) => {
      throw err;
    },
  ) {}

  get inflightCount(): number {
    return this.inflight;
  }

  /** Requests queued (not in flight) for every owner: for status. */
  get queued(): number {
    let n = this.ready.length + this.retrying.size;
    for (const line of this.lines.values()) n += line.length;
    return n;
  }

  /** ms until the rate budget lets the next request start (0 when it is not the limit). */
  throttledFor(): number {
    return this.ready.length > 0 ? this.window.throttledFor(this.now()) : 0;
  }

  submit(owner: Owner, req: PlannedRequest, done: (outcome: Outcome) => void): void {
    const job: Job = { req, owner, attempts: 0, done };
    owner.pending++;
    const key = req.orderKey;
    if (key !== undefined) {
      const line = this.lines.get(key);
      if (line) {
        line.push(job);
        return;
      }
      this.lines.set(key, new Queue());
    }
    this.ready.push(job);
    this.pump();
  }

  /**
   * Stops an owner: its requests not yet started end now as failures; in-flight ones finish
   * (or are aborted by the caller through `owner.abort`) without retries. Returns how many ended.
   */
  cancel(owner: Owner): number {
    owner.closing = true;
    const mine = (j: Job) => j.owner === owner;
    const holders = this.ready.extract(mine);
    for (const job of this.retrying) {
      if (!mine(job)) continue;
      clearTimeout(job.retryTimer);
      this.retrying.delete(job);
      holders.push(job);
    }
    const waiting: Job[] = [];
    for (const line of this.lines.values()) waiting.push(...line.extract(mine));
    const closed: HttpResult = { headers: {}, body: undefined, error: CLOSED_ERROR };
    // Jobs waiting in a line do not hold their key; the holders pass it on to other owners' jobs.
    for (const job of waiting) this.finish(job, closed, false, false);
    for (const job of holders) this.finish(job, closed, false);
    this.pump();
    if (this.ready.length === 0) this.clearWake();
    return waiting.length + holders.length;
  }

  /** The config node is closing: no timer may outlive it. */
  close(): void {
    this.clearWake();
    for (const job of this.retrying) clearTimeout(job.retryTimer);
  }

  private clearWake(): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = Infinity;
  }

  private pump(): void {
    while (this.inflight < this.concurrency && this.ready.length > 0) {
      const now = this.now();
      const wait = this.window.delay(now);
      if (wait > 0) {
        // Infinite: every slot is in flight. When the budget is shared with another config
        // node, the response that frees one may arrive there, so look again shortly.
        this.wake(now + (Number.isFinite(wait) ? wait : SHARED_BUDGET_POLL_MS));
        return;
      }
      this.start(this.ready.shift()!);
    }
  }

  private wake(at: number): void {
    if (this.wakeTimer && at >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Infinity;
        this.pump();
      },
      Math.max(1, Math.ceil(at - this.now())),
    );
  }

  private start(job: Job): void {
    this.inflight++;
    job.owner.inflight++;
    job.attempts++;
    this.window.start();
    job.owner.onChange();
    this.transport.send(job.req, job.owner.abort.signal).then((res) => this.settle(job, res));
  }

  private settle(job: Job, res: HttpResult): void {
    const now = this.now();
    this.inflight--;
    job.owner.inflight--;
    this.window.finish(now);
    const rate = readRateInfo(res.headers);
    this.window.observe(now, rate.remaining, rate.resetMs);
    let serverWait = rate.retryAfterMs;
    if (res.status === 429) {
      // Reset only says when the window frees a slot; it explains a 429 only when none remain.
      const windowWait = rate.remaining === undefined || rate.remaining <= 0 ? (rate.resetMs ?? 0) : 0;
      serverWait = Math.max(rate.retryAfterMs ?? 0, windowWait, 1000);
      this.window.pauseUntil(now + serverWait);
    }
    const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
    if (!ok && isRetryable(res.status) && job.attempts <= job.owner.policy.retries && !job.owner.closing) {
      this.retrying.add(job);
      job.retryTimer = setTimeout(
        () => {
          this.retrying.delete(job);
          this.ready.unshift(job);
          this.pump();
        },
        retryDelay(job.attempts, serverWait, job.owner.policy),
      );
      job.owner.settledOne();
    } else {
      this.finish(job, res, ok);
    }
    this.pump();
  }

  private finish(job: Job, res: HttpResult, ok: boolean, holdsKey = true): void {
    const key = job.req.orderKey;
    if (holdsKey && key !== undefined) {
      const next = this.lines.get(key)?.shift();
      if (next) this.ready.push(next);
      else this.lines.delete(key);
    }
    job.owner.pending--;
    try {
      job.done({ ...res, ok, attempts: job.attempts });
    } catch (err) {
      this.onCallbackError(err);
    }
    job.owner.settledOne();
  }
}
