/** What the destination node's status shows, from its counts. */
import { NodeStatus } from './red';

export interface StatusState {
  setupError?: string;
  queued: number;
  inflight: number;
  /** ms the rate budget holds the next request back. */
  throttledMs: number;
  sent: number;
  failed: number;
  dryRun: boolean;
}

type Translate = (key: string, vars?: Record<string, unknown>) => string;

export function statusFor(s: StatusState, t: Translate): NodeStatus {
  if (s.setupError) return { fill: 'red', shape: 'ring', text: s.setupError.slice(0, 60) };
  if (s.throttledMs > 0 && s.queued > 0) {
    return { fill: 'yellow', shape: 'ring', text: t('vitally-destination.status.throttled', { seconds: Math.ceil(s.throttledMs / 1000), queued: s.queued }) };
  }
  if (s.queued > 0 || s.inflight > 0) {
    return { fill: 'blue', shape: 'dot', text: t('vitally-destination.status.busy', { queued: s.queued, inflight: s.inflight }) };
  }
  if (s.sent === 0 && s.failed === 0) return {};
  if (s.dryRun) return { fill: 'grey', shape: 'dot', text: t('vitally-destination.status.dryRun', { sent: s.sent, failed: s.failed }) };
  return {
    fill: s.failed > 0 ? 'yellow' : 'green',
    shape: 'dot',
    text: t('vitally-destination.status.idle', { sent: s.sent, failed: s.failed }),
  };
}
