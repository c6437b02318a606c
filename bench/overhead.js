'use strict';
// (b) Overhead: no rate limit, no latency, the same N createAccount calls (POST /accounts)
// through this node, through Node-RED's core http request node in the same runtime and flow,
// and through bare client loops, all against the same in-process sandbox.
const http = require('node:http');
const axios = require('axios');
const h = require('./harness');

const CONCURRENCY = 4;

const records = (n) => Array.from({ length: n }, (_, i) => ({ externalId: `ovh-${i}`, name: `Overhead account ${i}` }));

const flowNodes = (url) => [
  { id: 'dest', type: 'vitally-destination', vitally: 'cfg', endpoint: 'createAccount', wires: [['out1'], ['out2']] },
  { id: 'out1', type: 'helper' },
  { id: 'out2', type: 'helper' },
  {
    id: 'core',
    type: 'http request',
    method: 'POST',
    ret: 'obj',
    paytoqs: 'ignore',
    url,
    persist: true,
    authType: '',
    senderr: false,
    insecureHTTPParser: false,
    headers: [
      { keyType: 'other', keyValue: 'Authorization', valueType: 'other', valueValue: h.BASIC },
      { keyType: 'other', keyValue: 'Accept', valueType: 'other', valueValue: 'application/json' },
    ],
    wires: [['coreOut']],
  },
  { id: 'coreOut', type: 'helper' },
];

function ok(status) {
  return status >= 200 && status < 300;
}

/** Each contender sends every record once and resolves with how many calls failed. */
const contenders = {
  /** This node, one message per record: the same input the core node gets. */
  async oursMessages(recs) {
    const out1 = h.collect('out1', recs.length);
    const out2 = h.collect('out2', recs.length);
    const dest = h.node('dest');
    for (const r of recs) dest.receive({ payload: r });
    const [firsts] = await Promise.all([out1, out2]);
    return firsts.reduce((n, m) => n + m.vitally.failed, 0);
  },
  /** This node, one message carrying every record as an array (its bulk form). */
  async oursArray(recs) {
    const out1 = h.collect('out1', 1);
    const out2 = h.collect('out2', recs.length);
    h.node('dest').receive({ payload: recs });
    const [[first]] = await Promise.all([out1, out2]);
    return first.vitally.failed;
  },
  /** The core node fed one message per record, a new one as each response comes out: 4 in flight. */
  async core(recs) {
    return new Promise((resolve) => {
      let next = 0;
      let got = 0;
      let failed = 0;
      const core = h.node('core');
      const untap = h.tap('coreOut', (msg) => {
        if (!ok(msg.statusCode)) failed++;
        if (++got === recs.length) {
          untap();
          resolve(failed);
        } else if (next < recs.length) {
          core.receive({ payload: recs[next++] });
        }
      });
      while (next < Math.min(CONCURRENCY, recs.length)) core.receive({ payload: recs[next++] });
    });
  },
  /** The core node fed every message at once, as a split node upstream would: unbounded concurrency. */
  async coreAllAtOnce(recs) {
    const out = h.collect('coreOut', recs.length);
    const core = h.node('core');
    for (const r of recs) core.receive({ payload: r });
    return (await out).filter((m) => !ok(m.statusCode)).length;
  },
  /** node:http on a keep-alive agent, 4 lanes: the ceiling. */
  async bareHttp(recs, ctx) {
    let failed = 0;
    await h.pool(recs.length, CONCURRENCY, async (i) => {
      const res = await h.request(ctx.agent, ctx.url, 'POST', recs[i]);
      if (!ok(res.status)) failed++;
    });
    return failed;
  },
  /** axios (the client this node uses) on a keep-alive agent, 4 lanes. */
  async bareAxios(recs, ctx) {
    let failed = 0;
    await h.pool(recs.length, CONCURRENCY, async (i) => {
      const res = await ctx.axios.post(ctx.url, JSON.stringify(recs[i]), {
        headers: { Authorization: h.BASIC, Accept: 'application/json', 'Content-Type': 'application/json' },
      });
      if (!ok(res.status)) failed++;
    });
    return failed;
  },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function runOverhead({ records: n, rounds = 3, log = () => {} }) {
  // Limits far above anything reachable: the sandbox's window only remembers one second.
  const sandbox = await h.newSandbox({ rateLimit: 1e7, windowMs: 1000 });
  const url = `${sandbox.url}/resources/accounts`;
  await h.loadFlow(sandbox, flowNodes(url), { rateLimit: 1e5, rateWindow: 1, concurrency: CONCURRENCY });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const axiosAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const ctx = {
    url,
    agent,
    axios: axios.create({ httpAgent: axiosAgent, validateStatus: () => true, proxy: false, maxRedirects: 0 }),
  };
  const recs = records(n);
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((k) => [k, []]));
  const failures = Object.fromEntries(names.map((k) => [k, 0]));

  // Every run starts alike: an empty store, no pooled connections (the server closes its idle
  // keep-alive sockets, so no contender inherits another's), a collected heap.
  const once = async (name) => {
    sandbox.reset();
    sandbox.server.closeIdleConnections(); // `server` is private in TypeScript, reachable from JS
    await h.delay(50);
    if (global.gc) global.gc();
    const t = h.now();
    const failed = await contenders[name](recs, ctx);
    const ms = h.now() - t;
    failures[name] += failed;
    return (n / ms) * 1000;
  };

  // The contenders at 4 in flight take turns, in a different order each round (rotated, and
  // reversed every other round) so none always runs after the same one. The all-at-once core
  // run opens a socket per record, so it runs apart, after them.
  const main = names.filter((k) => k !== 'coreAllAtOnce');
  log(
    `  (b) ${n} records per run; ${main.join(', ')}: 1 warm-up + ${rounds} rounds, order changing; then coreAllAtOnce`,
  );
  for (const name of main) await once(name); // warm-up, not counted
  for (let r = 0; r < rounds; r++) {
    let order = main.map((_, i) => main[(i + r) % main.length]);
    if (r % 2) order = order.reverse();
    for (const name of order) samples[name].push(await once(name));
    log(`      round ${r + 1}: ${main.map((k) => `${k} ${Math.round(samples[k][r])}/s`).join(', ')}`);
  }
  await once('coreAllAtOnce');
  for (let r = 0; r < rounds; r++) samples.coreAllAtOnce.push(await once('coreAllAtOnce'));
  log(`      coreAllAtOnce: ${samples.coreAllAtOnce.map(Math.round).join(', ')} /s`);
  agent.destroy();
  axiosAgent.destroy();
  await h.unloadFlow();
  await h.closeSandbox(sandbox);

  const best = Object.fromEntries(names.map((k) => [k, Math.round(Math.max(...samples[k]))]));
  const med = Object.fromEntries(names.map((k) => [k, Math.round(median(samples[k]))]));
  const ours = best.oursMessages;
  return {
    ratioVsCore: round(ours / best.core, 3),
    ratioVsBare: round(ours / best.bareHttp, 3),
    ratioVsAxios: round(ours / best.bareAxios, 3),
    records: n,
    concurrency: CONCURRENCY,
    rounds,
    ours: 'one message per record, as the core node gets them (oursArray: one message with every record)',
    core: 'one message per record, a new one as each response comes out, so 4 in flight',
    statistic: 'best of the rounds (records/s); medians beside',
    recordsPerSecond: best,
    medianRecordsPerSecond: med,
    samples: Object.fromEntries(names.map((k) => [k, samples[k].map(Math.round)])),
    medianRatioVsCore: round(med.oursMessages / med.core, 3),
    medianRatioVsBare: round(med.oursMessages / med.bareHttp, 3),
    arrayRatioVsCore: round(best.oursArray / best.core, 3),
    ratioVsCoreAllAtOnce: round(ours / best.coreAllAtOnce, 3),
    failedCalls: failures,
    logs: h.takeLogs(),
  };
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

module.exports = { runOverhead };
