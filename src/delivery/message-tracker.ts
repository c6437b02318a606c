/**
 * One input message's records: counts them as they settle and reports once, when the last
 * one has (delivered, failed, or refused before sending).
 */

export interface RecordResult {
  /** 0-based; texts a person reads say `record index + 1`. */
  index: number;
  statusCode?: number;
  id?: string;
  error?: string;
  /** Upserts and creates that upsert: what happened. */
  action?: 'created' | 'updated';
  /** Reads: how many objects were read for this record. */
  count?: number;
  /** Something worth knowing about a success, e.g. "already deleted". */
  note?: string;
}

export interface Summary {
  endpoint: string;
  total: number;
  succeeded: number;
  failed: number;
  dryRun: boolean;
  results: RecordResult[];
}

/** What the trackers of one node share: the template, dry run, and who hears of a settled message. */
export interface TrackerListener<M> {
  readonly endpoint: string;
  readonly dryRun: boolean;
  settled(tracker: MessageTracker<M>): void;
}

/** Node-RED's per-message send (one entry per output) and done. */
export type Send<M> = (msgs: (M | null)[]) => void;
export type Done = (err?: Error) => void;

export class MessageTracker<M = unknown> {
  private readonly results: RecordResult[];
  private remaining: number;
  /** Reads: what was read for each record. */
  declare private readValues?: unknown[];
  private failed = 0;

  constructor(
    readonly msg: M,
    total: number,
    private readonly listener: TrackerListener<M>,
    // Kept here rather than in a closure per message: a queue holds one tracker per message.
    readonly send?: Send<M>,
    readonly done?: Done,
  ) {
    this.results = new Array(total);
    this.remaining = total;
  }

  /** The message's payload is an array of records (it stays as it came in until the message settles). */
  get many(): boolean {
    return Array.isArray((this.msg as { payload?: unknown } | undefined)?.payload);
  }

  get total(): number {
    return this.results.length;
  }

  get undelivered(): number {
    return this.failed + this.remaining;
  }

  /** A message with no records has nothing to wait for: it settles at once. */
  start(): void {
    if (this.results.length === 0) this.listener.settled(this);
  }

  isSettled(index: number): boolean {
    return this.results[index] !== undefined;
  }

  setValue(index: number, value: unknown): void {
    (this.readValues ??= new Array(this.results.length).fill(null))[index] = value;
  }

  /** What reads found, one entry per record (null for a record that read nothing). */
  values(): unknown[] {
    return this.readValues ?? new Array(this.results.length).fill(null);
  }

  /**
   * The one reason every failed record failed for, short enough for a status line: the
   * server refusing the key, or one error text. Undefined when records failed differently.
   */
  commonCause(): string | undefined {
    const failures = this.results.filter((r) => r && r.error !== undefined);
    if (!failures.length) return undefined;
    const codes = new Set(failures.map((r) => r.statusCode));
    if (codes.size === 1 && (failures[0].statusCode === 401 || failures[0].statusCode === 403)) {
      return `${failures[0].statusCode} key refused`;
    }
    const texts = new Set(failures.map((r) => r.error));
    return texts.size === 1 ? failures[0].error : undefined;
  }

  settle(result: RecordResult): void {
    if (this.results[result.index]) return;
    this.results[result.index] = result;
    if (result.error !== undefined) this.failed++;
    if (--this.remaining === 0) this.listener.settled(this);
  }

  /** Fails every record not settled yet, e.g. when the node cannot take the message at all. */
  failAll(error: string): void {
    for (let index = 0; index < this.results.length; index++) {
      if (!this.results[index]) this.settle({ index, error });
    }
  }

  summary(): Summary {
    return {
      endpoint: this.listener.endpoint,
      total: this.total,
      succeeded: this.total - this.remaining - this.failed,
      failed: this.failed,
      dryRun: this.listener.dryRun,
      results: this.results,
    };
  }

  /** The error for done(err): how many failed, and the first few reasons. */
  error(): Error | undefined {
    if (this.failed === 0) return undefined;
    const shown = this.results
      .filter((r) => r && r.error !== undefined)
      .slice(0, 3)
      .map((r) => `record ${r.index + 1}: ${r.error}`);
    const more = this.failed > shown.length ? `; and ${this.failed - shown.length} more` : '';
    return new Error(
      `Vitally ${this.listener.endpoint}: ${this.failed} of ${this.total} records failed: ${shown.join('; ')}${more}`,
    );
  }
}
