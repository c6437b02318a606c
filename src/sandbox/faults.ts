export interface FaultOptions {
  /** Share of requests (0..1) answered with `errorStatus`. */
  error5xxRate?: number;
  /** Status of injected server errors, default 503. */
  errorStatus?: number;
  /** Share of requests (0..1) answered with an injected 429. */
  rate429?: number;
  /** Share of requests (0..1) whose socket is destroyed without a response. */
  dropRate?: number;
}

export type Latency = number | { min: number; max: number };

/** What the plan decides for one request: a status to answer with, a dropped connection, or nothing. */
export type Fault = number | 'drop' | undefined;

/** mulberry32: tiny, fast and good enough to make fault sequences reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NO_FAULTS: Required<FaultOptions> = { error5xxRate: 0, errorStatus: 503, rate429: 0, dropRate: 0 };

/**
 * Injected faults and latency. Each request draws one number from the seeded
 * random, so a given seed and request order always give the same faults; latency
 * draws from its own stream so changing it does not shift the fault sequence.
 */
export class FaultPlan {
  private rates = NO_FAULTS;
  private latencyMs: Latency = 0;
  private scripted: { count: number; status: number | 'drop' }[] = [];
  private random!: () => number;
  private latencyRandom!: () => number;

  constructor(
    private readonly seed: number,
    faults?: FaultOptions,
    latency?: Latency,
  ) {
    this.reseed();
    if (faults) this.setFaults(faults);
    if (latency !== undefined) this.setLatency(latency);
  }

  /** Replaces the fault rates: whatever is omitted is off. */
  setFaults(faults: FaultOptions): void {
    for (const key of Object.keys(faults ?? {})) {
      if (!(key in NO_FAULTS)) throw new RangeError(`unknown fault option ${key}`);
    }
    const next = { ...NO_FAULTS, ...withoutUndefined(faults) };
    for (const key of ['error5xxRate', 'rate429', 'dropRate'] as const) {
      if (typeof next[key] !== 'number' || !(next[key] >= 0 && next[key] <= 1)) {
        throw new RangeError(`${key} must be a number from 0 to 1`);
      }
    }
    if (next.error5xxRate + next.rate429 + next.dropRate > 1) throw new RangeError('fault rates add up to more than 1');
    checkStatus(next.errorStatus, 'errorStatus', 500);
    this.rates = next;
  }

  /** The next `count` requests fail with `status` (4xx, 5xx or 'drop'), after any already scripted. */
  failNext(count: number, status: number | 'drop'): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
    if (status !== 'drop') checkStatus(status, 'status', 400);
    if (count > 0) this.scripted.push({ count, status });
  }

  setLatency(latency: Latency): void {
    const { min, max } = typeof latency === 'number' ? { min: latency, max: latency } : (latency ?? {});
    if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) {
      throw new RangeError('latencyMs must be a number of ms >= 0 or { min, max } with 0 <= min <= max');
    }
    this.latencyMs = latency;
  }

  /** Decides (and consumes) this request's fault: scripted ones first, then the rates. */
  next(): Fault {
    const head = this.scripted[0];
    if (head) {
      if (--head.count === 0) this.scripted.shift();
      return head.status;
    }
    const { dropRate, error5xxRate, rate429, errorStatus } = this.rates;
    if (dropRate + error5xxRate + rate429 === 0) return undefined;
    const r = this.random();
    if (r < dropRate) return 'drop';
    if (r < dropRate + error5xxRate) return errorStatus;
    if (r < dropRate + error5xxRate + rate429) return 429;
    return undefined;
  }

  /** This request's delay in ms. */
  delay(): number {
    const l = this.latencyMs;
    if (typeof l === 'number') return l;
    return Math.round(l.min + (l.max - l.min) * this.latencyRandom());
  }

  /** Forgets scripted failures and restarts the random streams from the seed. */
  reset(): void {
    this.scripted = [];
    this.reseed();
  }

  describe(): {
    faults: Required<FaultOptions>;
    latencyMs: Latency;
    failNext: { count: number; status: number | 'drop' }[];
  } {
    return { faults: { ...this.rates }, latencyMs: this.latencyMs, failNext: this.scripted.map((s) => ({ ...s })) };
  }

  private reseed(): void {
    this.random = seededRandom(this.seed);
    this.latencyRandom = seededRandom(this.seed ^ 0x5bd1e995);
  }
}

function checkStatus(status: unknown, name: string, min: number): void {
  if (!Number.isInteger(status) || (status as number) < min || (status as number) > 599) {
    throw new RangeError(`${name} must be an HTTP status from ${min} to 599`);
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
