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
import { RedisRateWindow, redisBudgetId } from './redis-window';
import { SharedBudget } from './shared-budget';
import { ConfigError } from '../core/errors';

export interface ConnectionOptions {
  onError?: (err: unknown) => void;
}

export interface ConnectionCredentials extends Credentials {
  redisUrl?: string;
}

/** A budget in Redis, shared by every Node-RED process with the same key and host. */
function sharedBudget(
  settings: Settings,
  credentials: ConnectionCredentials,
  hosts: Hosts,
  limit: number,
  windowMs: number,
  timeoutMs: number,
): SharedBudget {
  if (!credentials.redisUrl)
    throw new ConfigError('the shared rate budget needs the Redis URL in the Vitally config node');
  const redis = RedisRateWindow.connect(credentials.redisUrl, {
    prefix: readSetting(CONFIG_SETTINGS, 'redisPrefix', settings),
    budgetId: redisBudgetId(hosts.restBase, credentials.apiKey || ''),
    limit,
    windowMs,
    maxHoldMs: timeoutMs,
  });
  return new SharedBudget(redis, limit, windowMs);
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
  private readonly budget: RateBudget;

  constructor(settings: Settings, credentials: ConnectionCredentials, options: ConnectionOptions = {}) {
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
    this.budget =
      read('budget') === 'redis'
        ? sharedBudget(settings, credentials, this.hosts, limit, windowMs, this.timeoutMs)
        : acquireBudget(this.hosts.restBase, credentials.apiKey || '', limit, windowMs);
    this.scheduler = new Scheduler(this.client, this.budget, {
      concurrency,
      maxPauseMs: this.maxPauseMs,
      budgetWaitMs: this.timeoutMs,
      onCallbackError: options.onError,
    });
  }

  close(): void {
    this.scheduler.close();
    if (this.budget instanceof SharedBudget) void this.budget.close();
    else releaseBudget(this.budget);
    this.client.close();
  }
}
