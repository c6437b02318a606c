import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANALYTICS_TYPES, AnalyticsApi, AnalyticsType } from './analytics';
import { restAuthHeader } from './auth';
import { controlRouter, Controls, Settings } from './control-routes';
import { FaultOptions, FaultPlan, Latency } from './faults';
import { renderPage, SandboxState } from './page';
import { ServerRateWindow } from './rate-window';
import { Counters, CredentialKind, LoggedRequest, RequestLog } from './request-log';
import { demoData } from './demo';
import { RestApi, SeedData } from './resources';
import { createRequestListener, Engine } from './server';
import type { Body } from './reply';
import { Store } from './store';

export interface SandboxOptions {
  /** 0 = an ephemeral port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** REST key, sent as `Basic base64(apiKey + ":")`. Default `sandbox-key`. */
  apiKey?: string;
  /** Analytics token, sent as `Basic <token>`. Default `sandbox-analytics-token`. */
  analyticsToken?: string;
  /** Requests per window per credential. Default 1000. */
  rateLimit?: number;
  /** Default 60000. */
  windowMs?: number;
  /**
   * Units each write (any method but GET and HEAD, REST and Analytics) costs in the rate
   * window; a read costs 1. An integer from 1 to `rateLimit`. Default 1.
   */
  writeCost?: number;
  latencyMs?: Latency;
  faults?: FaultOptions;
  /**
   * `'demo'`: start (and reset) with the demo workspace (see `DEMO`). A number: the seed
   * of the fault and latency randomness, as `faultSeed` (kept for existing callers).
   */
  seed?: number | SeedName;
  /** Seed of the fault and latency randomness; random when omitted. Wins over a numeric `seed`. */
  faultSeed?: number;
  /** How many requests the log keeps. Default 1000. */
  logLimit?: number;
  /** Keep the time of every request the rate window counted (see `acceptedTimes`). */
  recordAcceptedTimes?: boolean;
  /** Objects stored at start and after every reset, by resource name (`accounts`, `customObjects/<id>/instances`...), unvalidated; given ids are kept. */
  data?: SeedData;
}

/** Named starting workspaces: `demo` is the only one. */
export type SeedName = 'demo';
export const SEED_NAMES: readonly SeedName[] = ['demo'];

const PAGE_LATEST = 5;
const STATE_REQUESTS = 50;

/** A local emulator of Vitally's REST and Analytics APIs. */
export class Sandbox implements Controls {
  private server?: Server;
  private boundPort: number;
  private readonly host: string;
  private readonly store = new Store();
  private readonly restApi: RestApi;
  private readonly analyticsApi: AnalyticsApi;
  private readonly log: RequestLog;
  private readonly faults: FaultPlan;
  private readonly windows: Record<CredentialKind, ServerRateWindow>;
  private writeCostValue = 1;
  private readonly seedName?: SeedName;

  constructor(private readonly options: SandboxOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    const limit = options.rateLimit ?? 1000;
    const windowMs = options.windowMs ?? 60_000;
    // One window per credential: Vitally's budget is per key.
    this.windows = { rest: new ServerRateWindow(limit, windowMs), analytics: new ServerRateWindow(limit, windowMs) };
    this.setWriteCost(options.writeCost ?? 1);
    const { seed } = options;
    if (seed !== undefined && typeof seed !== 'number' && !SEED_NAMES.includes(seed)) {
      throw new RangeError(`seed must be ${SEED_NAMES.join(' or ')} or a number, not ${JSON.stringify(seed)}`);
    }
    this.seedName = typeof seed === 'string' ? seed : undefined;
    const randomSeed = options.faultSeed ?? (typeof seed === 'number' ? seed : undefined);
    this.faults = new FaultPlan(randomSeed ?? Math.floor(Math.random() * 2 ** 32), options.faults, options.latencyMs);
    this.log = new RequestLog(options.logLimit ?? 1000, options.recordAcceptedTimes ?? false);
    this.restApi = new RestApi(this.store);
    this.restApi.seed(this.seedData());
    this.analyticsApi = new AnalyticsApi();
  }

  /** What the store starts with: the named workspace, if any, then `data`. */
  private seedData(): SeedData {
    const data: SeedData = this.seedName === 'demo' ? demoData() : {};
    for (const [name, objects] of Object.entries(this.options.data ?? {}))
      data[name] = [...(data[name] ?? []), ...objects];
    return data;
  }

  /** e.g. http://127.0.0.1:4010; valid after start(). */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer(createRequestListener(this.engine()));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and destroys open keep-alive sockets, so it never hangs on idle clients. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Replaces the fault rates; omitted ones are off. */
  setFaults(f: FaultOptions): void {
    this.faults.setFaults(f);
  }

  failNext(count: number, status: number | 'drop'): void {
    this.faults.failNext(count, status);
  }

  setLatency(ms: Latency): void {
    this.faults.setLatency(ms);
  }

  /** Applies to both credentials' windows; requests already counted stay counted. The limit must hold one write. */
  setRateLimit(limit: number, windowMs: number): void {
    if (Number.isInteger(limit) && limit < this.writeCostValue) {
      throw new RangeError(`rateLimit must be at least writeCost (${this.writeCostValue})`);
    }
    this.windows.rest.reconfigure(limit, windowMs);
    this.windows.analytics.reconfigure(limit, windowMs);
  }

  /** Units each write costs from now on (reads cost 1); an integer from 1 to the rate limit. */
  setWriteCost(cost: number): void {
    const limit = this.windows.rest.limit;
    if (!Number.isInteger(cost) || cost < 1 || cost > limit) {
      throw new RangeError(`writeCost must be an integer from 1 to rateLimit (${limit})`);
    }
    this.writeCostValue = cost;
  }

  /** Back to the seeded store (demo workspace and `data`), an empty log and counters, empty rate windows, no scripted failures; settings stay. */
  reset(): void {
    this.store.clear();
    this.restApi.seed(this.seedData());
    this.analyticsApi.reset();
    this.log.reset();
    this.faults.reset();
    this.windows.rest.clear();
    this.windows.analytics.clear();
  }

  /** The latest `logLimit` requests, oldest first. */
  get requests(): LoggedRequest[] {
    return this.log.entries;
  }

  get counters(): Counters {
    return this.log.counters;
  }

  /** Times of every request a rate window counted (both credentials), when `recordAcceptedTimes` is on. */
  get acceptedTimes(): number[] {
    return this.log.acceptedTimes;
  }

  /** Every stored object of a resource, oldest first: `accounts`, `customObjects/<id>/instances`, `analytics:track`... */
  list(resource: string): Body[] {
    const type = analyticsType(resource);
    if (type) return this.analyticsApi.list(type);
    return this.collection(resource).values();
  }

  /** One object by Vitally id or externalId (for analytics, by its subject id or messageId). */
  get(resource: string, idOrExternalId: string): Body | undefined {
    const type = analyticsType(resource);
    if (type) return this.analyticsApi.find(type, idOrExternalId);
    return this.collection(resource).find(idOrExternalId);
  }

  settings(): Settings {
    const { rest } = this.windows;
    return {
      ...this.faults.describe(),
      rateLimit: rest.limit,
      windowMs: rest.windowMs,
      writeCost: this.writeCostValue,
      seed: this.seedName ?? null,
    };
  }

  state(): SandboxState {
    const counts: Record<string, number> = {};
    const latest: Record<string, object[]> = {};
    for (const name of this.store.names()) {
      const coll = this.store.get(name)!;
      counts[name] = coll.size;
      latest[name] = coll.latest(PAGE_LATEST);
    }
    for (const type of ANALYTICS_TYPES) {
      counts[`analytics:${type}`] = this.analyticsApi.count(type);
      latest[`analytics:${type}`] = this.analyticsApi.latest(type, PAGE_LATEST);
    }
    return {
      url: this.url,
      counts,
      latest,
      counters: this.counters,
      requests: this.log.latest(STATE_REQUESTS),
      settings: this.settings(),
    };
  }

  private collection(resource: string) {
    const coll = this.store.get(resource);
    if (!coll) throw new RangeError(`unknown resource ${resource}`);
    return coll;
  }

  private engine(): Engine {
    const apiKey = this.options.apiKey ?? 'sandbox-key';
    const control = controlRouter(this);
    return {
      apiKey,
      restHeader: restAuthHeader(apiKey),
      analyticsToken: this.options.analyticsToken ?? 'sandbox-analytics-token',
      windows: this.windows,
      costOf: (method) => (method === 'GET' || method === 'HEAD' ? 1 : this.writeCostValue),
      faults: this.faults,
      log: this.log,
      rest: (method, segments, query, body) => this.restApi.handle(method, segments, query, body),
      analytics: (method, segments, body) => this.analyticsApi.handle(method, segments, body),
      control: (method, segments, query, body) => control.dispatch(method, segments, query, body),
      page: () => renderPage(this.state()),
    };
  }
}

function analyticsType(resource: string): AnalyticsType | undefined {
  if (!resource.startsWith('analytics:')) return undefined;
  const type = resource.slice('analytics:'.length) as AnalyticsType;
  if (!ANALYTICS_TYPES.includes(type)) throw new RangeError(`unknown resource ${resource}`);
  return type;
}

export function startSandbox(opts?: SandboxOptions): Promise<Sandbox> {
  return new Sandbox(opts).start();
}
