'use strict';
// Write cost (design.md section 9, `weighted`): a sandbox that charges each write 2 units of
// its strict window while the node's budget counts 1 per request. Only the server's
// RateLimit-Remaining tells the node; after the first window it must draw no 429 it could
// have foreseen. The first window may see a few: requests already in flight when the first
// answers arrive.
const h = require('./harness');

async function runWeighted({ limit, windowMs, windows, writeCost = 2, log = () => {} }) {
  const sandbox = await h.newSandbox({ rateLimit: limit, windowMs, writeCost, logLimit: 1_000_000 });
  // Enough writes to keep the node at the server's real limit for every measured window.
  const n = Math.ceil((limit / writeCost) * (windows + 1));
  await h.loadFlow(
    sandbox,
    [
      { id: 'dest', type: 'vitally-destination', vitally: 'cfg', endpoint: 'createAccount', wires: [['out1'], []] },
      { id: 'out1', type: 'helper' },
    ],
    { rateLimit: limit, rateWindow: windowMs / 1000, maxPause: windowMs / 1000 },
  );
  log(
    `  weighted: ${n} writes, server ${limit} units per ${windowMs} ms at ${writeCost} units a write, node budget ${limit} requests`,
  );
  const done = h.collect('out1', 1, (windows + 4) * windowMs * 4);
  h.node('dest').receive({ payload: Array.from({ length: n }, (_, i) => ({ externalId: `w-${i}`, name: `W ${i}` })) });
  const [result] = await done;
  const entries = sandbox.requests;
  await h.unloadFlow();
  await h.closeSandbox(sandbox);
  const t0 = entries[0].time;
  const late = entries.filter((e) => e.time >= t0 + windowMs);
  // The most units the server granted in any window-long span: at most its limit.
  const times = entries.filter((e) => typeof e.status === 'number' && e.status < 400).map((e) => e.time);
  const busiest = h.busiestWindow(times, windowMs, writeCost);
  return {
    count429AfterFirstWindow: late.filter((e) => e.status === 429).length,
    count429: entries.filter((e) => e.status === 429).length,
    writeCost,
    limit,
    windowMs,
    records: n,
    delivered: result.vitally.succeeded,
    failed: result.vitally.failed,
    busiestWindowUnits: busiest,
    durationMs: times[times.length - 1] - t0,
    logs: h.takeLogs(),
  };
}

module.exports = { runWeighted };
