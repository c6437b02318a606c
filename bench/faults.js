'use strict';
// (d) Faults: idempotent updates of existing accounts while the sandbox injects 503s, 429s
// and dropped connections; every record must end delivered or reported, none lost.
const http = require('node:http');
const h = require('./harness');

const FAULTS = { error5xxRate: 0.1, rate429: 0.05, dropRate: 0.02 };
const MARKER = '(bench update)';

/** The accounts to update, created straight through the sandbox's API before any fault. */
async function createAccounts(sandbox, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const url = `${sandbox.url}/resources/accounts`;
  await h.pool(n, 8, async (i) => {
    const res = await h.request(agent, url, 'POST', { externalId: `fault-${i}`, name: `Fault account ${i}` });
    if (res.status !== 200 && res.status !== 201) throw new Error(`fixture ${i}: HTTP ${res.status}`);
  });
  agent.destroy();
}

async function runFaults({
  records: n,
  retries = 10,
  retryMaxDelay = 2,
  timeoutMs = 240000,
  seed = 20240611,
  log = () => {},
}) {
  const sandbox = await h.newSandbox({ rateLimit: 1e7, windowMs: 1000, seed });
  await createAccounts(sandbox, n);
  sandbox.setFaults(FAULTS);
  const before = sandbox.counters;
  await h.loadFlow(
    sandbox,
    [
      {
        id: 'dest',
        type: 'vitally-destination',
        vitally: 'cfg',
        endpoint: 'updateAccount',
        accountId: '{{payload.externalId}}',
        retries,
        retryMaxDelay,
        wires: [['out1'], ['out2']],
      },
      { id: 'out1', type: 'helper' },
      { id: 'out2', type: 'helper' },
    ],
    { rateLimit: 1e5, rateWindow: 1, concurrency: 4 },
  );
  const updates = Array.from({ length: n }, (_, i) => ({
    externalId: `fault-${i}`,
    name: `Fault account ${i} ${MARKER}`,
  }));
  const out2 = [];
  const untap = h.tap('out2', (m) => out2.push({ statusCode: m.statusCode, attempts: m.attempts }));
  log(`  (d) ${n} updates under ${JSON.stringify(FAULTS)}, retries ${retries}, retry delay at most ${retryMaxDelay} s`);

  const t = h.now();
  const out1 = h.collect('out1', 1, timeoutMs);
  h.node('dest').receive({ payload: updates });
  let result;
  try {
    [result] = await out1;
  } catch {
    // Timed out: whatever output 1 never reported counts as lost below.
  }
  const durationMs = h.now() - t;
  await h.delay(50);
  untap();

  // Delivered and failed as output 1 reports them, record by record.
  let delivered = 0;
  let failed = 0;
  const reasons = {};
  for (const r of result ? result.vitally.results : []) {
    if (!r) continue;
    if (r.error === undefined) delivered++;
    else {
      failed++;
      reasons[r.error] = (reasons[r.error] || 0) + 1;
    }
  }
  const after = sandbox.counters;
  const stored = sandbox.list('accounts').filter((a) => typeof a.name === 'string' && a.name.endsWith(MARKER)).length;
  await h.unloadFlow();
  await h.closeSandbox(sandbox);

  const crossChecks = {
    output1Totals:
      !!result &&
      result.vitally.total === n &&
      result.vitally.succeeded === delivered &&
      result.vitally.failed === failed,
    output2OneMessagePerRecord: out2.length === n,
    output2DeliveredMatches: out2.filter((m) => m.statusCode >= 200 && m.statusCode < 300).length === delivered,
    sandboxStoredMatches: stored === delivered,
  };
  const lost = n - delivered - failed;
  log(`      ${delivered} delivered, ${failed} reported failed, ${lost} lost in ${(durationMs / 1000).toFixed(1)} s`);
  return {
    delivered,
    failed,
    lost,
    records: n,
    timedOut: !result,
    faultRates: FAULTS,
    seed,
    retries,
    retryMaxDelaySeconds: retryMaxDelay,
    durationMs: Math.round(durationMs),
    output2Messages: out2.length,
    attempts: out2.reduce((a, m) => a + m.attempts, 0),
    sandboxRequests: after.total - before.total,
    injected: {
      503: (after.byStatus['503'] || 0) - (before.byStatus['503'] || 0),
      429: (after.byStatus['429'] || 0) - (before.byStatus['429'] || 0),
      dropped: after.dropped - before.dropped,
    },
    storedUpdates: stored,
    failureReasons: reasons,
    crossChecks,
    crossChecksPass: Object.values(crossChecks).every(Boolean),
    logs: h.takeLogs(),
  };
}

module.exports = { runFaults, FAULTS };
