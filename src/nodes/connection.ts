/**
 * What a config node owns for its key: the hosts, the HTTP client and the one dispatcher
 * (concurrency, order, retries) every destination node using it shares, on the key's rate budget.
 */
import { Credentials, VitallyClient } from '../client/http';
import { Hosts, resolveHosts } from '../core/hosts';
import { CONFIG_SETTINGS, Settings, readSetting } from '../core/settings';
import { Node, RED } from './red';
import { Dispatcher } from '../delivery/dispatcher';
import { acquireBudget, releaseBudget } from '../delivery/budgets';

export interface ConfigSettings {
  region?: string;
  subdomain?: string;
  baseUrl?: string;
  rateLimit?: number | string;
  rateWindow?: number | string;
  concurrency?: number | string;
  timeout?: number | string;
}

export class Connection {
  readonly hosts: Hosts;
  readonly client: VitallyClient;
  readonly dispatcher: Dispatcher;

  constructor(settings: ConfigSettings, credentials: Credentials, onError: (err: unknown) => void) {
    this.hosts = resolveHosts(settings);
    const read = <K extends keyof typeof CONFIG_SETTINGS & string>(name: K) => readSetting(CONFIG_SETTINGS, name, settings as Settings);
    const limit = read('rateLimit');
    const windowMs = read('rateWindow') * 1000;
    const concurrency = read('concurrency');
    const timeoutMs = read('timeout') * 1000;
    this.client = new VitallyClient(this.hosts, credentials, timeoutMs, concurrency);
    const budget = acquireBudget(this.hosts.restBase, credentials.apiKey || '', limit, windowMs);
    this.dispatcher = new Dispatcher(this.client, budget, concurrency, undefined, onError);
  }

  close(): void {
    this.dispatcher.close();
    releaseBudget(this.dispatcher.window);
    this.client.close();
  }
}

export interface VitallyConfigNode extends Node {
  /** The shared connection; throws a ConfigError when the settings are unusable. */
  connection(): Connection;
}

/** How long close waits for requests in flight before cutting them off (Node-RED allows 15 s). */
export function closeDeadlineMs(red: RED): number {
  const timeout = Number(red.settings.nodeCloseTimeout) || 15000;
  return Math.max(100, Math.min(timeout - 1000, timeout * 0.8));
}
