/**
 * The scheduler shared by every destination node on one config node: one queue, one rate
 * budget, at most `concurrency` requests in flight, requests to one object in arrival order,
 * retries with backoff. Every submitted request ends in exactly one `done` call.
 */
import { setMaxListeners } from 'events';
import { performance } from 'perf_hooks';
import { HttpResult, PlannedRequest, RetryPolicy, Transport } from '../core/types';
import { Queue } from './queue';
import { timerDelay } from '../core/timers';
import { RateBudget, Slot } from './rate-budget';
import { readRateInfo } from './rate-headers';
import { isRetryable, retryDelay } from './retry';

export interface Outcome extends HttpResult {
  ok: boolean;
  /** Attempts that reached the network (0 when the request never left this process). */
  attempts: number;
  /** Earlier attempts that got no answer (timeout, dropped connection): the server may have applied one. */
  unanswered: number;
}

/** A destination node's share of the scheduler: its own counts, retries and shutdown. */
export class Tenant {
  /** Submitted and not yet done. */
  pending = 0;
  inflight = 0;
  closing = false;
  readonly abort = new AbortController();
  private readonly idle: (() => void)[] = [];

  constructor(
    readonly policy: RetryPolicy,
    readonly onChange: () => void = () => {},
  ) {
    // Every request in flight listens on this one signal; more than 10 is normal here.
    setMaxListeners(0, this.abort.signal);
  }

  /** Resolves once none of this tenant's requests is in flight. */
  whenIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  /** @internal */
  changed(): void {
    if (this.inflight === 0) for (const resolve of this.idle.splice(0)) resolve();
    this.onChange();
  }
}

/**
 * A request in the scheduler: what to send, for whom, and who hears, once, how it ended.
 * Callers that queue many subclass it, so a queued request is one object, not an object and
 * a closure.
 */
export abstract class Job {
  attempts = 0;
  /** Attempts that got no answer so far. */
  unanswered = 0;
  // Declared, not initialised: most jobs never set them, and an unused field still costs memory.
  declare retryTimer?: NodeJS.Timeout;
  /** When the budget could first not be asked (a shared budget that is down), for this job. */
  declare blockedSince?: number;

  constructor(
    readonly req: PlannedRequest,
    readonly tenant: Tenant,
  ) {}

  abstract settled(outcome: Outcome): void;
}

/** A job that hands its outcome to a function. */
export class CallbackJob extends Job {
  constructor(
    req: PlannedRequest,
    tenant: Tenant,
    private readonly onSettled: (outcome: Outcome) => void,
  ) {
    super(req, tenant);
  }

  settled(outcome: Outcome): void {
    this.onSettled(outcome);
  }
}

export interface SchedulerOptions {
  concurrency: number;
  /** The longest pause a server answer may impose on the key, ms. */
  maxPauseMs: number;
  /** How long a job may wait for a budget that cannot be reached before it fails, ms. */
  budgetWaitMs: number;
  now?: () => number;
  /** A done callback that throws is a bug upstream; it must not stall the queue. */
  onCallbackError?: (err: unknown) => void;
}

/** How often to look again when every slot is in flight and the budget is shared with another config node. */
const SHARED_BUDGET_POLL_MS = 50;
/** How soon to ask a budget that failed (Redis unreachable) again. */
const BUDGET_RETRY_MS = 500;

export const CLOSED_ERROR = 'not delivered: the node was stopped (redeploy or shutdown) before it was sent';

const noAnswer = (error: string, local = false): HttpResult => ({ headers: {}, body: undefined, error, local });

export class Scheduler {
  private readonly ready = new Queue<Job>();
  /** Per order key, the jobs waiting behind the one that holds the key. */
  private readonly waitingForKey = new Map<string, Queue<Job>>();
  private readonly retrying = new Set<Job>();
  private inflight = 0;
  /** A take() is under way (a shared budget answers asynchronously). */
  private taking = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Infinity;
  private readonly now: () => number;
  private readonly onCallbackError: (err: unknown) => void;
  private budgetError?: string;

  constructor(
    private readonly transport: Transport,
    readonly budget: RateBudget,
    private readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.onCallbackError =
      options.onCallbackError ??
      ((err) => {
        throw err;
      });
  }

  get inflightCount(): number {
    return this.inflight;
  }

  /** Requests queued (not in flight) for every tenant. */
  get queued(): number {
    let n = this.ready.length + this.retrying.size;
    for (const line of this.waitingForKey.values()) n += line.length;
    return n;
  }

  /** ms until the rate budget lets the next request start (0 when it is not the limit). */
  throttledFor(): number {
    return this.ready.length > 0 ? this.budget.throttledFor(this.now()) : 0;
  }

  /** Why requests are not going out, when that is the budget itself (a shared store down). */
  budgetProblem(): string | undefined {
    return this.budgetError ?? this.budget.problem?.();
  }

  submit(job: Job): void {
    const { tenant, req } = job;
    tenant.pending++;
    if (tenant.closing) {
      // A stopped node's late work (an upsert's next step) is never sent.
      this.finish(job, noAnswer(CLOSED_ERROR), { ok: false, holdsKey: false, fromAttempt: false });
      return;
    }
    const key = req.orderKey;
    if (key !== undefined) {
      const line = this.waitingForKey.get(key);
      if (line) {
        line.push(job);
        return;
      }
      this.waitingForKey.set(key, new Queue());
    }
    this.ready.push(job);
    this.pump();
  }

  /**
   * Stops a tenant: its requests not yet started end now as failures; in-flight ones finish
   * (or are aborted by the caller through `tenant.abort`) without retries. Returns how many ended.
   */
  cancel(tenant: Tenant): number {
    tenant.closing = true;
    const mine = (j: Job) => j.tenant === tenant;
    const holders = this.ready.extract(mine);
    for (const job of this.retrying) {
      if (!mine(job)) continue;
      clearTimeout(job.retryTimer);
      this.retrying.delete(job);
      holders.push(job);
    }
    const waiting: Job[] = [];
    for (const line of this.waitingForKey.values()) waiting.push(...line.extract(mine));
    const closed = noAnswer(CLOSED_ERROR);
    // Jobs waiting in a line do not hold their key; the holders pass it on to other tenants' jobs.
    for (const job of waiting) this.finish(job, closed, { ok: false, holdsKey: false, fromAttempt: false });
    for (const job of holders) this.finish(job, closed, { ok: false, holdsKey: true, fromAttempt: false });
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
    while (!this.taking && this.inflight < this.options.concurrency && this.ready.length > 0) {
      const now = this.now();
      let taken;
      try {
        taken = this.budget.take(now);
      } catch (err) {
        this.budgetDown(err);
        return;
      }
      if (taken instanceof Promise) {
        this.taking = true;
        taken.then(
          (result) => {
            this.taking = false;
            this.budgetAnswered();
            if ('waitMs' in result) {
              // Ask again when it says, not at once: asking in a loop would starve the event loop.
              this.wait(result.waitMs);
              return;
            }
            this.startNext(result.slot);
            this.pump();
          },
          (err) => {
            this.taking = false;
            this.budgetDown(err);
          },
        );
        return;
      }
      this.budgetAnswered();
      if ('waitMs' in taken) {
        this.wait(taken.waitMs);
        return;
      }
      this.startNext(taken.slot);
    }
  }

  /** The budget answers (again): an outage is over, and the next one counts its wait afresh. */
  private budgetAnswered(): void {
    if (this.budgetError === undefined) return;
    this.budgetError = undefined;
    this.ready.forEach((job) => {
      job.blockedSince = undefined;
    });
  }

  /** The budget gave a slot: the head of the queue takes it, or it goes back when the queue emptied meanwhile. */
  private startNext(slot: Slot): void {
    const job = this.ready.shift();
    if (!job) {
      this.budget.cancel(slot);
      return;
    }
    job.blockedSince = undefined;
    this.start(job, slot);
  }

  private wait(waitMs: number): void {
    // Infinite: every slot is in flight. When the budget is shared with another config
    // node, the response that frees one may arrive there, so look again shortly.
    this.wake(this.now() + (Number.isFinite(waitMs) ? waitMs : SHARED_BUDGET_POLL_MS));
  }

  /**
   * The budget cannot be asked (Redis unreachable): nothing is sent outside it. Jobs keep
   * their place until it answers again or they have waited `budgetWaitMs`, then they fail.
   */
  private budgetDown(err: unknown): void {
    const now = this.now();
    this.budgetError = `the shared rate budget is unreachable: ${(err as Error)?.message ?? String(err)}`;
    const expired = this.ready.extract((job) => {
      job.blockedSince ??= now;
      return now - job.blockedSince >= this.options.budgetWaitMs;
    });
    for (const job of expired) {
      this.finish(
        job,
        noAnswer(`not sent: ${this.budgetError} (waited ${Math.round((now - job.blockedSince!) / 1000)} s)`),
        { ok: false, holdsKey: true, fromAttempt: false },
      );
    }
    if (this.ready.length > 0) this.wake(now + BUDGET_RETRY_MS);
    for (const job of expired) job.tenant.changed();
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
      timerDelay(at - this.now()),
    );
  }

  private start(job: Job, slot: Slot): void {
    this.inflight++;
    job.tenant.inflight++;
    job.attempts++;
    job.tenant.onChange();
    this.transport.send(job.req, job.tenant.abort.signal).then((res) => this.settle(job, slot, res));
  }

  private settle(job: Job, slot: Slot, res: HttpResult): void {
    const now = this.now();
    this.inflight--;
    job.tenant.inflight--;
    if (res.local) {
      // Nothing left this process: the slot never counted, and another attempt would fail the same way.
      this.budget.cancel(slot);
      job.attempts--;
      this.finish(job, res, { ok: false, holdsKey: true, fromAttempt: false });
      this.pump();
      return;
    }
    this.budget.release(slot, now);
    const maxPause = this.options.maxPauseMs;
    const rate = readRateInfo(res.headers);
    const resetMs = rate.resetMs === undefined ? undefined : Math.min(rate.resetMs, maxPause);
    this.budget.observe(now, rate.remaining, resetMs, rate.limit);
    let serverWait = rate.retryAfterMs === undefined ? undefined : Math.min(rate.retryAfterMs, maxPause);
    if (res.status === 429) {
      // Reset only says when the window frees a slot; it explains a 429 only when none remain.
      const windowWait = rate.remaining === undefined || rate.remaining <= 0 ? (resetMs ?? 0) : 0;
      serverWait = Math.min(maxPause, Math.max(serverWait ?? 0, windowWait, 1000));
      this.budget.pause(now, serverWait, 'HTTP 429');
    }
    if (res.status === undefined) job.unanswered++;
    const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
    const retry = !ok && !res.final && isRetryable(res.status);
    if (retry && job.attempts <= job.tenant.policy.retries && !job.tenant.closing) {
      this.retrying.add(job);
      job.retryTimer = setTimeout(
        () => {
          this.retrying.delete(job);
          this.ready.unshift(job);
          this.pump();
        },
        timerDelay(retryDelay(job.attempts, serverWait, job.tenant.policy)),
      );
      job.tenant.changed();
    } else {
      this.finish(job, res, { ok, holdsKey: true, fromAttempt: true });
    }
    this.pump();
  }

  /** `fromAttempt`: `res` is what the last attempt got (not a cancellation, a local error or a budget failure). */
  private finish(job: Job, res: HttpResult, how: { ok: boolean; holdsKey: boolean; fromAttempt: boolean }): void {
    const key = job.req.orderKey;
    if (how.holdsKey && key !== undefined) {
      const next = this.waitingForKey.get(key)?.shift();
      if (next) this.ready.push(next);
      else this.waitingForKey.delete(key);
    }
    job.tenant.pending--;
    // `unanswered` counts the attempts before the one `res` reports.
    const unanswered = job.unanswered - (how.fromAttempt && res.status === undefined ? 1 : 0);
    try {
      job.settled({ ...res, ok: how.ok, attempts: job.attempts, unanswered });
    } catch (err) {
      this.onCallbackError(err);
    }
    job.tenant.changed();
  }
}
