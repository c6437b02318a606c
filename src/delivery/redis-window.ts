/**
 * The rate budget kept in Redis, so that every Node-RED process using one API key takes its
 * request slots from one sliding window (design.md section 10). It keeps the rule of the local
 * SlidingWindow: a request holds a slot from the moment it starts until `windowMs` after its
 * response arrived, and at most `limit` slots are held at once. A request the server counts at
 * any moment in a window therefore holds a slot at that moment, so no window ever sees more than
 * `limit`, whatever the latency and however many processes take slots.
 *
 * API (all times in milliseconds):
 *
 *   const w = RedisRateWindow.connect('redis://:secret@host:6379/0', opts);  // owns its client
 *   const w = new RedisRateWindow({ redis: ioredisClient, ...opts });        // caller's client
 *     opts = { prefix: 'vitally:', budgetId, limit, windowMs, maxHoldMs,
 *              commandTimeoutMs?: 2000, onHealthChange?: (healthy, error?) => void }
 *
 *   await w.take(): { slot: string }                                 a slot is yours: send
 *                 | { waitMs: number, reason: 'full' }               no slot can free sooner
 *                 | { waitMs: number, reason: 'paused', cause }      a shared pause is on
 *     Rejects with RedisBudgetError (message starts "Redis unreachable" or "Redis error") when
 *     Redis cannot answer: at once while the client is known to be disconnected, otherwise
 *     within commandTimeoutMs. Nothing is taken then: the caller keeps the request queued.
 *     `waitMs` while full is a lower bound (slots in flight elsewhere may finish at any time
 *     and then leave the window `windowMs` later): take() again after it.
 *   await w.finish(slot)            the response (or a failure after sending) arrived
 *   await w.cancel(slot)            the request was never sent: the slot is free at once
 *   await w.pauseUntil(ms, cause)   share a server-imposed pause; never shortens a longer one
 *   await w.pauseInfo(): { until: number (local epoch ms), remainingMs, cause } | undefined
 *     finish, cancel, pauseUntil and pauseInfo never reject: when Redis cannot be reached
 *     they only record lastError. An unfinished slot stays counted, which errs on the safe
 *     side, and still leaves by itself (below).
 *   w.isHealthy(): boolean,  w.lastError: string | undefined
 *   await w.close()                 quits the client when connect() created it
 *   redisBudgetId(host, key)        the digest to pass as budgetId (the key never reaches Redis)
 *
 * Data, under `<prefix>{<budgetId>}` (the braces are a Cluster hash tag: both keys, one slot):
 *   `...:w`  sorted set, member = slot id, score = Redis time (ms) when the slot leaves the
 *            window: start + maxHoldMs + HOLD_SLACK_MS + windowMs while in flight (so a slot of
 *            a process that died frees by itself), response + windowMs once finished. Storing
 *            the leave time rather than the end time lets processes configured with different
 *            windows share the set without pruning each other's entries.
 *   `...:p`  string = the pause's cause, with the pause as its PX time to live.
 * The set expires with its last entry and the pause with itself, so an idle budget leaves
 * nothing behind. All times come from Redis's clock (TIME), which every process shares.
 * Needs Redis 5 or later (scripts that read TIME before writing).
 */
import { createHash, randomBytes } from 'crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../core/errors';
import { MAX_TIMER_MS } from '../core/timers';

/** Slack for the server's millisecond clock and rounding, as in SlidingWindow. */
const MARGIN_MS = 2;
/**
 * Added to maxHoldMs for an unfinished slot: the request starts a little after take() answered,
 * and its finish() reaches Redis a little after the response, so a slot whose finish() was lost
 * must outlast the caller's timeout by that much.
 */
export const HOLD_SLACK_MS = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
const MAX_CAUSE_LENGTH = 200;

export type Grant =
  { slot: string } | { waitMs: number; reason: 'full' } | { waitMs: number; reason: 'paused'; cause: string };

export interface PauseInfo {
  /** When the pause ends, on this process's clock (Date.now()). */
  until: number;
  remainingMs: number;
  cause: string;
}

export interface RedisRateWindowOptions {
  /** An ioredis client; RedisRateWindow.createClient() makes one with fail-fast settings. */
  redis: Redis;
  /** Key prefix, e.g. 'vitally:'. */
  prefix: string;
  /** Identifies the key and host (redisBudgetId); never the key itself. */
  budgetId: string;
  limit: number;
  windowMs: number;
  /** The longest a request can be in flight: the caller's total request timeout. */
  maxHoldMs: number;
  /** How long take() waits for Redis before it rejects. */
  commandTimeoutMs?: number;
  /** Told when Redis becomes unreachable (with the reason) and when it answers again. */
  onHealthChange?: (healthy: boolean, error?: string) => void;
}

/** take() could not reach Redis, or Redis refused the script. */
export class RedisBudgetError extends Error {
  override name = 'RedisBudgetError';
}

/** The budget id for a key on a host: a digest, so Redis never holds the key. */
export function redisBudgetId(host: string, key: string): string {
  return createHash('sha256').update(`vitally-budget\n${host}\n${key}`).digest('hex').slice(0, 32);
}

/** Redis's clock in ms, from TIME (seconds and microseconds, as strings). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Sets the set's expiry to its last entry's leave time (PEXPIREAT), or lets it go if empty. */
const EXPIRE_WITH_LAST = `local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(last[2])) + 1) end
`;

/**
 * KEYS: window, pause. ARGV: limit, windowMs (margin included), maxHoldMs (slack included), slot.
 * Returns {1} for a grant, {0, waitMs} when full, {0, waitMs, cause} when paused.
 */
const TAKE = `${NOW}
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then
  return {0, paused, redis.call('GET', KEYS[2]) or ''}
end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]) + window, ARGV[4])
  ${EXPIRE_WITH_LAST}
  return {1}
end
-- The first slot to leave: a finished one at its score; one still in flight no sooner than a
-- window from now (if it finished now), and we cannot tell them apart, so take the smaller.
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.ceil(math.min(tonumber(first[2]), now + window) - now)}
`;

/** KEYS: window. ARGV: windowMs (margin included), slot. XX: a slot already gone stays gone. */
const FINISH = `${NOW}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
${EXPIRE_WITH_LAST}
return 1
`;

/** KEYS: pause. ARGV: ms, cause. Returns the pause in force (ms left). */
const PAUSE = `local ms = tonumber(ARGV[1])
local current = redis.call('PTTL', KEYS[1])
if current >= ms then return current end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ms)
return ms
`;

/** KEYS: pause. Returns {ms left, cause}, or {} when there is no pause. */
const PAUSE_INFO = `local ms = redis.call('PTTL', KEYS[1])
if ms <= 0 then return {} end
return {ms, redis.call('GET', KEYS[1])}
`;

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const SCRIPTS = { take: script(TAKE), finish: script(FINISH), pause: script(PAUSE), pauseInfo: script(PAUSE_INFO) };

/** Client states in which a command could not be sent now: take() fails at once, not later. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class RedisRateWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly maxHoldMs: number;
  /** Why Redis could not be used last time, until it answers again. */
  lastError: string | undefined;

  private readonly redis: Redis;
  private readonly keys: { window: string; pause: string };
  private readonly commandTimeoutMs: number;
  private readonly onHealthChange?: (healthy: boolean, error?: string) => void;
  /** Unique per process and window; with a counter it names slots without a round trip. */
  private readonly tag = randomBytes(8).toString('hex');
  private counter = 0;
  private owned = false;
  /** The client's last connection error (ECONNREFUSED ...), clearer than a flushed command's. */
  private connectionError: string | undefined;
  private closed = false;
  private readonly listeners: { [event: string]: (...args: unknown[]) => void };

  constructor(options: RedisRateWindowOptions) {
    const { redis, prefix, budgetId, limit, windowMs, maxHoldMs } = options;
    if (!redis || typeof redis.evalsha !== 'function') throw new TypeError('redis must be an ioredis client');
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    if (typeof budgetId !== 'string' || budgetId === '') throw new TypeError('budgetId must be a non-empty string');
    if (!(limit >= 1) || !(windowMs > 0) || !(maxHoldMs >= 0)) {
      throw new RangeError('rate limit and window must be positive, and maxHoldMs not negative');
    }
    if (![limit, windowMs, maxHoldMs].every(Number.isFinite)) throw new RangeError('rate settings must be finite');
    this.redis = redis;
    this.limit = Math.floor(limit);
    this.windowMs = windowMs;
    this.maxHoldMs = maxHoldMs;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.onHealthChange = options.onHealthChange;
    const base = `${prefix}{${budgetId}}`;
    this.keys = { window: `${base}:w`, pause: `${base}:p` };
    // Follow the connection too, so the status says "Redis unreachable" before a take() fails.
    this.listeners = {
      error: (err) => {
        this.connectionError = message(err);
        this.setHealth(`Redis unreachable: ${this.connectionError}`);
      },
      close: () => {
        if (!this.closed) this.setHealth(this.lastError ?? 'Redis unreachable: connection closed');
      },
      ready: () => {
        this.connectionError = undefined;
        this.setHealth(undefined);
      },
    };
    for (const [event, fn] of Object.entries(this.listeners)) redis.on(event, fn);
  }

  /**
   * An ioredis client from a redis:// or rediss:// URL, set to fail fast. ioredis is loaded
   * here, on first use, so a process that never uses a Redis budget never loads it.
   */
  static createClient(url: string, options: RedisOptions = {}): Redis {
    // Never echo the URL: it carries the password.
    if (typeof url !== 'string' || !/^rediss?:\/\/[^/]/i.test(url.trim())) {
      throw new ConfigError('the Redis URL must start with redis:// or rediss://');
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a budget lives in Redis
    const IORedis = require('ioredis') as typeof import('ioredis');
    const trimmed = url.trim();
    // ioredis turns TLS on for a lower-case rediss:// only.
    const normalised = trimmed.replace(/^rediss?:/i, (s) => s.toLowerCase());
    return new IORedis.Redis(normalised, {
      // A command caught by a dropped connection fails at once rather than being sent again
      // after the reconnect, where it could take a second slot for one request.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Commands sent while the connection is being made wait for it (no spurious failure
      // at start-up); connectTimeout and commandTimeout bound that wait, and take() itself
      // refuses at once while the client is known to be disconnected.
      enableOfflineQueue: true,
      connectTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
      commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
      // Keep reconnecting, at most 2 s apart, so a restarted Redis is in use again quickly.
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      connectionName: 'node-red-vitally',
      ...options,
    });
  }

  /** A window with its own client, from a URL (see createClient); close() quits the client. */
  static connect(url: string, options: Omit<RedisRateWindowOptions, 'redis'>): RedisRateWindow {
    const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const redis = RedisRateWindow.createClient(url, { connectTimeout: timeout, commandTimeout: timeout });
    let window: RedisRateWindow;
    try {
      window = new RedisRateWindow({ ...options, redis });
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    window.owned = true;
    return window;
  }

  /** True until Redis fails to answer, and again once it does. */
  isHealthy(): boolean {
    return this.lastError === undefined;
  }

  /** Takes a slot, atomically across every process sharing the budget, or says how long to wait. */
  async take(): Promise<Grant> {
    const slot = `${this.tag}:${(this.counter++).toString(36)}`;
    const reply = (await this.run(
      SCRIPTS.take,
      [this.keys.window, this.keys.pause],
      [this.limit, this.windowMs + MARGIN_MS, this.maxHoldMs + HOLD_SLACK_MS, slot],
    )) as [number, number?, string?];
    if (reply[0] === 1) return { slot };
    const waitMs = Math.min(Math.max(Number(reply[1]) || 1, 1), MAX_TIMER_MS);
    if (reply.length > 2) return { waitMs, reason: 'paused', cause: String(reply[2]) };
    return { waitMs, reason: 'full' };
  }

  /** The response (or a failure after sending) arrived: the slot leaves `windowMs` from now. */
  async finish(slot: string): Promise<void> {
    await this.quietly(() => this.run(SCRIPTS.finish, [this.keys.window], [this.windowMs + MARGIN_MS, slot]));
  }

  /** The request was never sent: its slot is free at once. */
  async cancel(slot: string): Promise<void> {
    await this.quietly(() => this.command(() => this.redis.zrem(this.keys.window, slot)));
  }

  /** Pauses every process on the budget for `ms` from now, unless a longer pause is on. */
  async pauseUntil(ms: number, cause: string): Promise<void> {
    if (!(ms >= 1)) return;
    const px = Math.ceil(Math.min(ms, MAX_TIMER_MS));
    const why = String(cause).slice(0, MAX_CAUSE_LENGTH);
    await this.quietly(() => this.run(SCRIPTS.pause, [this.keys.pause], [px, why]));
  }

  /** The shared pause in force, for the status line, or undefined (none, or Redis unreachable). */
  async pauseInfo(): Promise<PauseInfo | undefined> {
    const reply = (await this.quietly(() => this.run(SCRIPTS.pauseInfo, [this.keys.pause], []))) as
      [number, string] | [] | undefined;
    if (!reply || reply.length < 2) return undefined;
    const remainingMs = Number(reply[0]);
    return { until: Date.now() + remainingMs, remainingMs, cause: String(reply[1] ?? '') };
  }

  /** Stops following the client; quits it when connect() made it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [event, fn] of Object.entries(this.listeners)) this.redis.off(event, fn);
    if (!this.owned) return;
    const quit = this.redis.quit().catch(() => undefined);
    const timer = new Promise((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([quit, timer]);
    this.redis.disconnect();
  }

  /** Runs a script by its hash, loading it on a server that does not know it yet (NOSCRIPT). */
  private run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.command(async () => {
      try {
        return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!/NOSCRIPT/.test(message(err))) throw err;
        return await this.redis.eval(s.lua, keys.length, ...keys, ...args);
      }
    });
  }

  /** One command, refused at once when disconnected and bounded by commandTimeoutMs. */
  private async command<T>(send: () => Promise<T>): Promise<T> {
    if (this.closed) throw new RedisBudgetError('Redis budget is closed');
    if (DISCONNECTED.has(this.redis.status)) {
      const error = this.lastError ?? `Redis unreachable: connection ${this.redis.status}`;
      this.setHealth(error);
      throw new RedisBudgetError(error);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
      timer.unref();
    });
    const sent = send();
    try {
      const reply = await Promise.race([sent, timeout]);
      this.setHealth(undefined);
      return reply;
    } catch (err) {
      sent.catch(() => undefined);
      // A reply error means Redis answered (wrong type, script error): it is up but refuses.
      const answered = err instanceof Error && err.name === 'ReplyError';
      // A command flushed by a lost connection says only that: name what the connection met.
      const flushed = /max retries per request|connection is closed|stream isn't writeable/i.test(message(err));
      const detail = flushed && this.connectionError ? this.connectionError : message(err);
      const error = `${answered ? 'Redis error' : 'Redis unreachable'}: ${detail}`;
      this.setHealth(error);
      throw new RedisBudgetError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async quietly<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch {
      return undefined; // recorded in lastError by command()
    }
  }

  private setHealth(error: string | undefined): void {
    const was = this.lastError === undefined;
    this.lastError = error;
    if (was !== (error === undefined)) this.onHealthChange?.(error === undefined, error);
  }
}
