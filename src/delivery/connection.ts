/**
 * What a config node owns for its key: the hosts, the HTTP client, the one scheduler (rate
 * budget, concurrency, order, retries) and the external-id cache that every destination node
 * using it shares.
 */
import { Credentials, VitallyClient } from '../client/http';
import { Hosts, resolveHosts } from '../core/hosts';
import { CONFIG_SETTINGS, Settings, readSetting } from '../core/settings';
import { acquireBudget, releaseBudget } from './budgets';
import { Workspace } from './engine';
import { IdCache } from './id-cache';
import { KeyLock } from './key-lock';
import { RateBudget } from './rate-budget';
import { Resolver } from './resolver';
import { Scheduler } from './scheduler';

export interface ConnectionOptions {
  /** A budget shared with other processes (Redis); the process-local one otherwise. */
  budget?: RateBudget;
  onError?: (err: unknown) => void;
}

export class Connection implements Workspace {
  readonly hosts: Hosts;
  readonly client: VitallyClient;
  readonly scheduler: Scheduler;
  readonly ids = new IdCache();
  readonly resolver: Resolver;
  /** Upserts of one object, from any destination node on this config, one at a time. */
  readonly upsertLock = new KeyLock();
  readonly timeoutMs: number;
  readonly maxPauseMs: number;
  private readonly localBudget?: RateBudget;

  constructor(settings: Settings, credentials: Credentials, options: ConnectionOptions = {}) {
    const read = <K extends keyof typeof CONFIG_SETTINGS & string>(name: K) =>
      readSetting(CONFIG_SETTINGS, name, settings);
    this.hosts = resolveHosts(settings);
    this.resolver = new Resolver(this.hosts, this.ids);
    const limit = read('rateLimit');
    const windowMs = read('rateWindow') * 1000;
    const concurrency = read('concurrency');
    this.timeoutMs = read('timeout') * 1000;
    this.maxPauseMs = read('maxPause') * 1000;
    this.client = new VitallyClient(this.hosts, credentials, this.timeoutMs, concurrency);
    if (!options.budget)
      this.localBudget = acquireBudget(this.hosts.restBase, credentials.apiKey || '', limit, windowMs);
    this.scheduler = new Scheduler(this.client, options.budget ?? this.localBudget!, {
      concurrency,
      maxPauseMs: this.maxPauseMs,
      budgetWaitMs: this.timeoutMs,
      onCallbackError: options.onError,
    });
  }

  close(): void {
    this.scheduler.close();
    if (this.localBudget) releaseBudget(this.localBudget);
    this.client.close();
  }
}
