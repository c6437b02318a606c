/**
 * The sandbox's own routes under /_sandbox/: inspection and knobs for tests,
 * benchmarks and people. They need no auth and are not logged or rate limited.
 */
import type { FaultOptions, Latency } from './faults';
import type { SandboxState } from './page';
import { asObject, notFound, ok, Reply } from './reply';
import type { Counters, LoggedRequest } from './request-log';
import { Router } from './router';

export interface Settings {
  faults: Required<FaultOptions>;
  latencyMs: Latency;
  failNext: { count: number; status: number | 'drop' }[];
  rateLimit: number;
  windowMs: number;
  /** Units a write costs in the rate window; a read costs 1. */
  writeCost: number;
  /** The named workspace the sandbox started with (and resets to), or null. */
  seed: 'demo' | null;
}

export interface Controls {
  state(): SandboxState;
  settings(): Settings;
  readonly requests: LoggedRequest[];
  readonly counters: Counters;
  list(resource: string): unknown[];
  reset(): void;
  setFaults(f: FaultOptions): void;
  failNext(count: number, status: number | 'drop'): void;
  setLatency(ms: Latency): void;
  setRateLimit(limit: number, windowMs: number): void;
  setWriteCost(cost: number): void;
}

export function controlRouter(sandbox: Controls): Router {
  const store = (resource: string): Reply => {
    let results: unknown[];
    try {
      results = sandbox.list(resource);
    } catch (err) {
      throw notFound((err as Error).message);
    }
    return ok({ resource, count: results.length, results });
  };
  return new Router()
    .add('GET', '/state', () => ok(sandbox.state()))
    .add('GET', '/requests', () => ok({ counters: sandbox.counters, requests: sandbox.requests }))
    .add('GET', '/store/:resource', ({ params }) => store(params.resource))
    .add('GET', '/store/customObjects/:coId/instances', ({ params }) => store(`customObjects/${params.coId}/instances`))
    .add('POST', '/reset', () => {
      sandbox.reset();
      return ok({ reset: true });
    })
    .add('GET', '/faults', () => ok(sandbox.settings()))
    .add('POST', '/faults', ({ body }) => {
      applySettings(sandbox, asObject(body));
      return ok(sandbox.settings());
    })
    .add('POST', '/fail-next', ({ body }) => {
      const { count, status } = asObject(body);
      sandbox.failNext(count as number, (status ?? 503) as number | 'drop');
      return ok(sandbox.settings());
    });
}

/**
 * The body has the options' shape: `{ faults, latencyMs, rateLimit, windowMs, writeCost }`,
 * or the fault fields at the top level. Fault fields, when given, replace the current
 * faults. A rate limit and write cost given together are applied in the order that lets
 * the pair hold (the limit must always hold one write).
 */
function applySettings(sandbox: Controls, body: Record<string, unknown>): void {
  const { latencyMs, rateLimit, windowMs, writeCost, faults, ...flat } = body;
  if (faults !== undefined || Object.keys(flat).length > 0) sandbox.setFaults((faults ?? flat) as FaultOptions);
  if (latencyMs !== undefined) sandbox.setLatency(latencyMs as Latency);
  const current = sandbox.settings();
  const setLimit = () => {
    if (rateLimit !== undefined || windowMs !== undefined) {
      sandbox.setRateLimit((rateLimit ?? current.rateLimit) as number, (windowMs ?? current.windowMs) as number);
    }
  };
  const lowersCost = writeCost !== undefined && (writeCost as number) < current.writeCost;
  if (writeCost !== undefined && lowersCost) sandbox.setWriteCost(writeCost as number);
  setLimit();
  if (writeCost !== undefined && !lowersCost) sandbox.setWriteCost(writeCost as number);
}
