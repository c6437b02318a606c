/** What the destination node's status shows, and how often it is refreshed. */
import type { Pause } from '../delivery/rate-budget';
import { Node, NodeStatus } from './red';

export interface StatusState {
  setupError?: string;
  queued: number;
  inflight: number;
  /** ms the rate budget holds the next request back. */
  throttledMs: number;
  sent: number;
  failed: number;
  dryRun: boolean;
  /** A hold the server imposed on the key. */
  pause?: Pause;
  /** The shared budget cannot be reached. */
  budgetProblem?: string;
  /** The one reason the last failed message's records failed for. */
  lastCause?: string;
}

type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** A time of day as the status and Test connection show it: 10:42:07. */
export const clock = (epochMs: number) => new Date(epochMs).toTimeString().slice(0, 8);
const short = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function statusFor(s: StatusState, t: Translate): NodeStatus {
  if (s.setupError) return { fill: 'red', shape: 'ring', text: short(s.setupError) };
  const waiting = s.queued > 0 || s.inflight > 0;
  if (s.budgetProblem && waiting)
    return { fill: 'red', shape: 'ring', text: short(`${s.queued} queued: ${s.budgetProblem}`) };
  if (s.pause && waiting) {
    return {
      fill: 'yellow',
      shape: 'ring',
      text: `paused by Vitally (${s.pause.cause}) until ${clock(s.pause.until)}, ${s.queued} queued`,
    };
  }
  if (s.throttledMs > 0 && s.queued > 0) {
    const seconds = Math.ceil(s.throttledMs / 1000);
    return {
      fill: 'yellow',
      shape: 'ring',
      text: t('vitally-destination.status.throttled', { seconds, queued: s.queued }),
    };
  }
  if (waiting) {
    return {
      fill: 'blue',
      shape: 'dot',
      text: t('vitally-destination.status.busy', { queued: s.queued, inflight: s.inflight }),
    };
  }
  if (s.sent === 0 && s.failed === 0) return {};
  if (s.dryRun) {
    return {
      fill: 'grey',
      shape: 'dot',
      text: t('vitally-destination.status.dryRun', { sent: s.sent, failed: s.failed }),
    };
  }
  const counts = t('vitally-destination.status.idle', { sent: s.sent, failed: s.failed });
  if (s.lastCause) return { fill: 'red', shape: 'ring', text: short(`${s.lastCause} (${counts})`) };
  return { fill: s.failed > 0 ? 'yellow' : 'green', shape: 'dot', text: counts };
}

/** Refreshes a node's status from `read()` at most four times a second, whatever the message rate. */
export class StatusLine {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly node: Node,
    private readonly t: Translate,
    private readonly read: () => StatusState,
  ) {}

  show(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const state = this.read();
    this.node.status(statusFor(state, this.t));
    if (state.queued > 0 || state.inflight > 0) this.schedule();
  }

  schedule(): void {
    if (!this.timer && !this.stopped) this.timer = setTimeout(() => this.show(), 250);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.node.status({});
  }
}
