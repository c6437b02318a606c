'use strict';
// (g) Shared budget (design.md sections 9 and 10): three real Node-RED processes (the test
// runner's, this package loaded through nodesDir) on one API key and one redis-server, each
// config node with `budget: redis`, against one sandbox whose strict sliding window is the
// configured limit. Every process is given its share of enough records to keep the key at the
// limit for several whole windows; the sandbox's own times are the measure. Needs redis-server:
// without it the section is skipped and says so.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./harness');
const { analyse } = require('./rate');

const ROOT = path.join(__dirname, '..');
const API_KEY = 'bench-shared-key-5e02';

/** Where redis-server is, or undefined: REDIS_SERVER, or the PATH. */
function findRedisServer() {
  if (process.env.REDIS_SERVER) return fs.existsSync(process.env.REDIS_SERVER) ? process.env.REDIS_SERVER : undefined;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** One process's flow: inject (its records) -> destination -> a change node summarising msg.vitally -> debug. */
function flowFor(p, records, { sandboxUrl, redisUrl, limit, windowMs, concurrency }) {
  const summary =
    '{"total": vitally.total, "succeeded": vitally.succeeded, "failed": vitally.failed, "firstError": vitally.results[$exists(error)][0].error}';
  return [
    { id: 'tab', type: 'tab', label: `bench process ${p}` },
    {
      id: 'cfg',
      type: 'vitally-config',
      name: 'shared key',
      region: 'custom',
      baseUrl: sandboxUrl,
      rateLimit: limit,
      rateWindow: windowMs / 1000,
      concurrency,
      timeout: 30,
      budget: 'redis',
      redisPrefix: 'vitally-bench:',
      credentials: { apiKey: API_KEY, redisUrl },
    },
    {
      id: 'go',
      type: 'inject',
      z: 'tab',
      props: [{ p: 'payload' }],
      payload: JSON.stringify(records),
      payloadType: 'json',
      repeat: '',
      once: false,
      x: 100,
      y: 40,
      wires: [['dest']],
    },
    {
      id: 'dest',
      type: 'vitally-destination',
      z: 'tab',
      vitally: 'cfg',
      endpoint: 'createAccount',
      x: 300,
      y: 40,
      wires: [['sum'], []],
    },
    {
      id: 'sum',
      type: 'change',
      z: 'tab',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: summary, tot: 'jsonata' }],
      x: 500,
      y: 40,
      wires: [['dbg']],
    },
    {
      id: 'dbg',
      type: 'debug',
      z: 'tab',
      active: true,
      tosidebar: true,
      console: false,
      complete: 'payload',
      targetType: 'msg',
      x: 700,
      y: 40,
      wires: [],
    },
  ];
}

async function runShared({ processes = 3, limit, windowMs, windows, concurrency = 4, log = () => {} }) {
  const bin = findRedisServer();
  if (!bin) {
    const reason = 'redis-server is not on the PATH (apt-get install redis-server, or set REDIS_SERVER)';
    log(`  (g) shared: skipped: ${reason}`);
    return { skipped: true, reason };
  }
  // Loaded only now: the test helpers need node-red's editor API and a redis-server.
  const { startNodeRed, debugStream, waitFor } = require('../test/examples/node-red-runner');
  const { startRedis } = require('../test/redis/redis-server');
  const n = limit * (windows + 1) + Math.ceil(limit / 2); // one window more than measured, as in (a)
  const per = Math.ceil(n / processes);
  const total = per * processes;
  const redis = await startRedis({});
  const sandbox = await h.newSandbox({
    apiKey: API_KEY,
    rateLimit: limit,
    windowMs,
    recordAcceptedTimes: true,
    logLimit: 2 * total + 1000,
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-bench-shared-'));
  const reds = [];
  const debugs = [];
  try {
    log(
      `  (g) ${processes} Node-RED processes x ${per} records, one Redis (${bin}), ${limit} per ${windowMs} ms, ${windows} measured windows`,
    );
    reds.push(
      ...(await Promise.all(
        Array.from({ length: processes }, (_, p) =>
          startNodeRed({ userDir: path.join(tmp, `red-${p}`), settings: { nodesDir: [ROOT] } }),
        ),
      )),
    );
    const recordsOf = (p) =>
      Array.from({ length: per }, (_, i) => ({ externalId: `shared-p${p}-${i}`, name: `Shared ${p} ${i}` }));
    const settings = { sandboxUrl: sandbox.url, redisUrl: redis.url, limit, windowMs, concurrency };
    await Promise.all(reds.map((red, p) => red.deploy(flowFor(p, recordsOf(p), settings))));
    debugs.push(...(await Promise.all(reds.map((red) => debugStream(red)))));

    const started = h.now();
    await Promise.all(reds.map((red) => red.inject('go')));
    const timeoutMs = (windows + 3) * windowMs * 3;
    let timedOut = false;
    try {
      await waitFor(() => debugs.every((d) => d.from('dbg').length === 1), {
        timeout: timeoutMs,
        interval: 50,
        what: 'every process to report',
      });
    } catch {
      timedOut = true;
    }
    const durationMs = h.now() - started;
    const summaries = debugs.map((d) => d.from('dbg')[0] || null);
    const counters = sandbox.counters;
    const requests = sandbox.requests;
    const a = analyse(sandbox.acceptedTimes, limit, windowMs, windows);
    const perProcess = summaries.map((s, p) => ({
      delivered: s ? s.succeeded : null,
      failed: s ? s.failed : null,
      firstError: s ? s.firstError : undefined,
      requests: requests.filter((r) => r.body && String(r.body.externalId).startsWith(`shared-p${p}-`)).length,
    }));
    const errors = reds.flatMap((red, p) =>
      red.output
        .filter(
          (line) => /\[(error|warn)\]/.test(line) && !/Using unencrypted credentials|Projects disabled/.test(line),
        )
        .slice(0, 3)
        .map((line) => `process ${p}: ${line.slice(0, 200)}`),
    );
    return {
      ratio: round(a.ratio, 4),
      count429: counters.byStatus['429'] || 0,
      busiestWindow: h.busiestWindow(
        requests.map((r) => r.time),
        windowMs,
      ),
      limit,
      windowMs,
      windows,
      processes,
      records: total,
      delivered: perProcess.reduce((sum, p) => sum + (p.delivered || 0), 0),
      stored: sandbox.list('accounts').length,
      timedOut,
      method:
        'requests the sandbox accepted in [t0, t0 + windows*windowMs), t0 = the first accepted, / (limit * windows); busiestWindow: every request that reached the sandbox (429s included) in any windowMs span',
      acceptedInSpan: a.accepted,
      perWindow: a.perWindow,
      busiestAccepted: a.busiestWindow,
      meanSlotCycleMs: a.meanSlotCycleMs,
      sustainedRatio: a.sustainedRatio === null ? null : round(a.sustainedRatio, 4),
      perProcess,
      durationMs: Math.round(durationMs),
      errors,
    };
  } finally {
    for (const d of debugs) d.close();
    await Promise.all(reds.map((red) => red.stop()));
    await h.closeSandbox(sandbox);
    await redis.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The section's rows in the table (run.js's `row(metric, value, target, pass)`). */
function addRows(s, row, fmt) {
  if (s.skipped) {
    row('(g) shared: skipped', s.reason);
    return;
  }
  row(
    `(g) shared: ${s.processes} processes, share of the limit, ${s.windows} whole windows`,
    fmt(s.ratio, 4),
    '>= 0.97',
    s.ratio >= 0.97 && !s.timedOut,
  );
  row('(g) shared: 429 responses', fmt(s.count429), '0', s.count429 === 0);
  row(
    '(g) shared: busiest sliding window (all requests)',
    `${s.busiestWindow} / ${s.limit}`,
    `<= ${s.limit}`,
    s.busiestWindow <= s.limit,
  );
  row(
    `(g) shared: delivered of ${s.records}${s.timedOut ? ' (TIMED OUT)' : ''}`,
    fmt(s.delivered),
    `${s.records}`,
    s.delivered === s.records && s.stored === s.records,
  );
  row('(g) shared: sustained (window / slot cycle)', s.sustainedRatio === null ? 'n/a' : fmt(s.sustainedRatio, 4));
  row('(g) shared: accepted per window', s.perWindow.join(' '));
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

module.exports = { runShared, addRows, findRedisServer };
