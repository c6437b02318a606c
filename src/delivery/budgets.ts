/**
 * The rate budgets of this process, one per key and host. Config nodes that use the same key
 * share it, and a config node restarted by a redeploy finds the requests it made before, so a
 * fresh flow does not burst into a window the server still counts as full.
 */
import { createHash } from 'crypto';
import { performance } from 'perf_hooks';
import { RateBudget } from './rate-budget';
import { SlidingWindow } from './sliding-window';

interface Entry {
  window: SlidingWindow;
  users: number;
  releasedAt: number;
}

const budgets = new Map<string, Entry>();

/** A digest, so the map holds no copy of the key. */
function budgetId(host: string, key: string, limit: number, windowMs: number): string {
  return createHash('sha256').update(`${host}\n${key}\n${limit}\n${windowMs}`).digest('hex');
}

export function acquireBudget(host: string, key: string, limit: number, windowMs: number): SlidingWindow {
  const now = performance.now();
  // A budget nobody has used for a whole window remembers nothing that still counts.
  for (const [id, e] of budgets) {
    if (e.users === 0 && now - e.releasedAt > e.window.windowMs) budgets.delete(id);
  }
  const id = budgetId(host, key, limit, windowMs);
  let entry = budgets.get(id);
  if (!entry) {
    entry = { window: new SlidingWindow(limit, windowMs), users: 0, releasedAt: now };
    budgets.set(id, entry);
  }
  entry.users++;
  return entry.window;
}

export function releaseBudget(window: RateBudget): void {
  for (const entry of budgets.values()) {
    if (entry.window === window) {
      entry.users--;
      entry.releasedAt = performance.now();
    }
  }
}
