'use strict';
/**
 * One process racing for a shared Redis budget (run by redis-window_spec.js): from a common
 * start time it takes slots for `durationMs` with `lanes` requests at once, each request
 * lasting 0-20 ms, and prints the Redis time of every grant (read back from the slot's score)
 * as JSON, so the parent can check the window on the server's own clock.
 *
 *   node race-worker.js <url> <prefix> <budgetId> <limit> <windowMs> <maxHoldMs> <startAt> <durationMs> <lanes>
 */
const { Redis } = require('ioredis');
const { RedisRateWindow, HOLD_SLACK_MS } = require('../../dist/delivery/redis-window');

const [url, prefix, budgetId, ...nums] = process.argv.slice(2);
const [limit, windowMs, maxHoldMs, startAt, durationMs, lanes] = nums.map(Number);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const window = RedisRateWindow.connect(url, { prefix, budgetId, limit, windowMs, maxHoldMs });
  const inspect = new Redis(url); // no command timeout: every grant's time must be read
  const key = `${prefix}{${budgetId}}:w`;
  const grants = [];
  let waits = 0;
  let errors = 0;
  await sleep(Math.max(0, startAt - Date.now()));
  const end = startAt + durationMs;
  async function lane() {
    while (Date.now() < end) {
      // A take() that fails (a loaded machine: no answer in time) is retried, as a caller would.
      const grant = await window.take().catch(() => {
        errors++;
        return { waitMs: 50 };
      });
      if (!grant.slot) {
        waits++;
        await sleep(Math.min(grant.waitMs, Math.max(1, end - Date.now())));
        continue;
      }
      const score = Number(await inspect.zscore(key, grant.slot));
      grants.push(score - maxHoldMs - HOLD_SLACK_MS - windowMs - 2);
      await sleep(Math.random() * 20);
      await window.finish(grant.slot);
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane));
  await window.close();
  inspect.disconnect();
  process.stdout.write(JSON.stringify({ grants, waits, errors }));
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err));
  process.exit(1);
});
