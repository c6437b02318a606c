'use strict';
// (a) At the limit: enough records queued to keep the node at the sandbox's strict sliding
// window for several whole windows; the sandbox's own accepted-request times are the measure.
const h = require('./harness');

/**
 * Counts over whole windows aligned to the first accepted request, while the queue was still
 * backed up: window k is [t0 + k*W, t0 + (k+1)*W). Also the two views that alignment hides:
 * the busiest window anywhere (strictness: must not exceed the limit) and the slot cycle, the
 * mean time between request i and request i+limit (a perfect limiter reuses a slot exactly W
 * later, so W / cycle is the rate the node sustains however its bursts line up with windows).
 */
function analyse(times, limit, windowMs, windows) {
  const t = [...times].sort((a, b) => a - b);
  const t0 = t[0];
  const perWindow = Array.from({ length: windows }, () => 0);
  for (const x of t) {
    const k = Math.floor((x - t0) / windowMs);
    if (k < windows) perWindow[k]++;
  }
  const accepted = perWindow.reduce((a, b) => a + b, 0);
  const busiest = h.busiestWindow(t, windowMs);
  // Slot cycles inside the measured span only (the tail drains and is not at the limit).
  const end = t0 + windows * windowMs;
  const cycles = [];
  for (let i = 0; i + limit < t.length && t[i + limit] < end; i++) cycles.push(t[i + limit] - t[i]);
  const meanCycle = cycles.length ? cycles.reduce((a, b) => a + b, 0) / cycles.length : NaN;
  return {
    accepted,
    perWindow,
    firstBurstMs: t.length >= limit ? t[limit - 1] - t0 : null,
    busiestWindow: busiest,
    meanSlotCycleMs: Math.round(meanCycle * 100) / 100,
    sustainedRatio: cycles.length ? windowMs / meanCycle : null,
    ratio: accepted / (limit * windows),
  };
}

async function runRate({ limit, windowMs, windows, concurrency = 4, log = () => {} }) {
  const sandbox = await h.newSandbox({ rateLimit: limit, windowMs, recordAcceptedTimes: true });
  // One window more than measured, so the queue is still backed up when the span ends.
  const n = limit * (windows + 1) + Math.ceil(limit / 2);
  await h.loadFlow(
    sandbox,
    [
      { id: 'dest', type: 'vitally-destination', vitally: 'cfg', endpoint: 'createAccount', wires: [['out1'], []] },
      { id: 'out1', type: 'helper' },
    ],
    { rateLimit: limit, rateWindow: windowMs / 1000, concurrency },
  );
  const records = Array.from({ length: n }, (_, i) => ({ externalId: `rate-${i}`, name: `Rate account ${i}` }));
  log(`  (a) ${n} records at ${limit} per ${windowMs} ms, ${windows} measured windows`);
  const started = h.now();
  const done = h.collect('out1', 1, (windows + 3) * windowMs * 3);
  h.node('dest').receive({ payload: records });
  const [result] = await done;
  const durationMs = h.now() - started;
  const counters = sandbox.counters;
  const times = sandbox.acceptedTimes;
  await h.unloadFlow();
  await h.closeSandbox(sandbox);
  const a = analyse(times, limit, windowMs, windows);
  return {
    ratio: round(a.ratio, 4),
    count429: counters.byStatus['429'] || 0,
    limit,
    windowMs,
    windows,
    records: n,
    delivered: result.vitally.succeeded,
    failed: result.vitally.failed,
    method:
      'requests the sandbox accepted in [t0, t0 + windows*windowMs), t0 = the first accepted, / (limit * windows)',
    acceptedInSpan: a.accepted,
    perWindow: a.perWindow,
    firstBurstMs: a.firstBurstMs,
    busiestWindow: a.busiestWindow,
    meanSlotCycleMs: a.meanSlotCycleMs,
    sustainedRatio: a.sustainedRatio === null ? null : round(a.sustainedRatio, 4),
    durationMs: Math.round(durationMs),
    logs: h.takeLogs(),
  };
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

module.exports = { runRate, analyse };
