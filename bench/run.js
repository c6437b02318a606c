#!/usr/bin/env node
'use strict';
/*
 * `npm run bench` (design.md section 9): the node against the in-process Vitally sandbox, in
 * the real Node-RED runtime (node-red-node-test-helper), on 127.0.0.1.
 *
 *   (a) rate      at the sandbox's strict sliding window: achieved share of the limit, 429s
 *   (b) overhead  records/s with no limit and no latency: this node, the core http request
 *                 node, bare client loops
 *   (c) memory    heap per record of 100,000 records queued behind the limit
 *   (d) faults    10% 503, 5% 429, 2% dropped connections: delivered, reported failed, lost
 *   (e) resync    a sync by your own ids run twice: calls per record, duplicates, errors
 *   (f) weighted  a server that charges writes 2 units: 429s after the first window
 *   (g) shared    three Node-RED processes, one key, one Redis: share of the limit, 429s
 *                 (needs redis-server on the PATH; skipped, and says so, without it)
 *
 * Options:
 *   --quick        a smaller run, under a minute
 *   --out FILE     where the JSON goes (default bench-results.json)
 *   --only LIST    some of the sections above, comma-separated (the JSON then lacks the others)
 *   --strict       exit 1 when a target is missed
 *
 * Needs --expose-gc for (c); without it the script re-runs itself with the flag.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (typeof global.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status === null ? 1 : r.status);
}

const SECTIONS = ['rate', 'overhead', 'memory', 'faults', 'resync', 'weighted', 'shared'];

function parseArgs(argv) {
  const opts = { quick: false, out: 'bench-results.json', only: SECTIONS, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--strict') opts.strict = true;
    else if (a === '--out' || a === '--only') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      if (a === '--out') opts.out = v;
      else
        opts.only = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
    } else if (a.startsWith('--out=')) opts.out = a.slice(6);
    else if (a.startsWith('--only='))
      opts.only = a
        .slice(7)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--help' || a === '-h') {
      console.log(`usage: node bench/run.js [--quick] [--out FILE] [--only ${SECTIONS.join(',')}] [--strict]`);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  const unknown = opts.only.filter((s) => !SECTIONS.includes(s));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')} (choose from ${SECTIONS.join(', ')})`);
  return opts;
}

const PLANS = {
  full: {
    rate: { limit: 300, windowMs: 3000, windows: 5 },
    overhead: { records: 5000, rounds: 3 },
    memory: { records: 100000, limit: 10 },
    faults: { records: 2000, retries: 10, retryMaxDelay: 2, timeoutMs: 240000 },
    resync: { organizations: 100, accounts: 1000, users: 5000 },
    weighted: { limit: 300, windowMs: 3000, windows: 4 },
    shared: { processes: 3, limit: 300, windowMs: 3000, windows: 5 },
  },
  quick: {
    rate: { limit: 100, windowMs: 1000, windows: 3 },
    overhead: { records: 1000, rounds: 3 },
    memory: { records: 100000, limit: 10 },
    faults: { records: 300, retries: 10, retryMaxDelay: 2, timeoutMs: 60000 },
    resync: { organizations: 20, accounts: 200, users: 1000 },
    weighted: { limit: 100, windowMs: 1000, windows: 3 },
    shared: { processes: 3, limit: 60, windowMs: 1000, windows: 3 },
  },
};

const fmt = (x, d = 0) =>
  typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : String(x);

/** The table rows: metric, value, target, verdict (pass / FAIL / info). */
function rows(res) {
  const out = [];
  const row = (metric, value, target = '', pass) =>
    out.push([metric, value, target, pass === undefined ? '' : pass ? 'pass' : 'FAIL']);
  if (res.rate) {
    const r = res.rate;
    row(`(a) rate: share of the limit, ${r.windows} whole windows`, fmt(r.ratio, 4), '>= 0.98', r.ratio >= 0.98);
    row('(a) rate: 429 responses', fmt(r.count429), '0', r.count429 === 0);
    row(
      '(a) rate: busiest sliding window',
      `${r.busiestWindow} / ${r.limit}`,
      `<= ${r.limit}`,
      r.busiestWindow <= r.limit,
    );
    row('(a) rate: sustained (window / slot cycle)', r.sustainedRatio === null ? 'n/a' : fmt(r.sustainedRatio, 4));
    row('(a) rate: accepted per window', r.perWindow.join(' '));
  }
  if (res.overhead) {
    const o = res.overhead;
    const rps = o.recordsPerSecond;
    row('(b) this node, one message per record', `${fmt(rps.oursMessages)} rec/s`);
    row('(b) this node, one array message', `${fmt(rps.oursArray)} rec/s`);
    row('(b) core http request, 4 in flight', `${fmt(rps.core)} rec/s`);
    row('(b) core http request, all at once', `${fmt(rps.coreAllAtOnce)} rec/s`);
    row('(b) bare node:http loop, 4 lanes', `${fmt(rps.bareHttp)} rec/s`);
    row('(b) bare axios loop, 4 lanes', `${fmt(rps.bareAxios)} rec/s`);
    row('(b) ratio vs core (per-record messages)', fmt(o.ratioVsCore, 3), '>= 1.0', o.ratioVsCore >= 1);
    row('(b) ratio vs bare axios loop', fmt(o.ratioVsAxios, 3), '>= 0.9', o.ratioVsAxios >= 0.9);
    row('(b) ratio vs bare node:http (ceiling)', fmt(o.ratioVsBare, 3));
  }
  if (res.memory) {
    const m = res.memory;
    row(
      '(c) heap per queued record (array message)',
      `${fmt(m.bytesPerRecord)} B`,
      '<= ~1024 B',
      m.bytesPerRecord <= 1024,
    );
    row('(c) the records themselves', `${fmt(m.inputBytesPerRecord)} B`);
    if (m.perMessage) {
      const p = m.perMessage;
      row(
        '(c) heap per queued record (message each)',
        `${fmt(p.bytesPerRecord)} B`,
        '<= 700 B',
        p.bytesPerRecord <= 700,
      );
      row('(c)   of which Node-RED holding any message', `${fmt(p.nodeRedHoldBytesPerMessage)} B`);
    }
  }
  if (res.faults) {
    const f = res.faults;
    row(`(d) faults: delivered of ${f.records}`, fmt(f.delivered));
    row('(d) faults: reported failed', fmt(f.failed));
    row('(d) faults: lost', fmt(f.lost), '0', f.lost === 0 && !f.timedOut);
    row(
      '(d) faults: cross-checks (out 1, out 2, store)',
      f.crossChecksPass ? 'agree' : JSON.stringify(f.crossChecks),
      'agree',
      f.crossChecksPass,
    );
    row('(d) faults: injected 503 / 429 / drops', `${f.injected[503]} / ${f.injected[429]} / ${f.injected.dropped}`);
  }
  if (res.resync) {
    const r = res.resync;
    row(
      `(e) resync: calls per record, first run (${r.records} records)`,
      fmt(r.callsPerRecordFirst, 3),
      '<= 1.2',
      r.callsPerRecordFirst <= 1.2,
    );
    row(
      '(e) resync: calls per record, second run',
      fmt(r.callsPerRecordSecond, 3),
      '<= 1.05',
      r.callsPerRecordSecond <= 1.05,
    );
    row('(e) resync: calls per record, after a redeploy', fmt(r.callsPerRecordAfterRedeploy, 3));
    row('(e) resync: duplicates in the store', fmt(r.duplicates), '0', r.duplicates === 0);
    row('(e) resync: errors', fmt(r.errors), '0', r.errors === 0);
  }
  if (res.weighted) {
    const w = res.weighted;
    row(
      `(f) weighted: 429s after the first window (writes cost ${w.writeCost})`,
      fmt(w.count429AfterFirstWindow),
      '0',
      w.count429AfterFirstWindow === 0,
    );
    row('(f) weighted: 429s in all', fmt(w.count429));
    row(
      '(f) weighted: busiest window, server units',
      `${w.busiestWindowUnits} / ${w.limit}`,
      `<= ${w.limit}`,
      w.busiestWindowUnits <= w.limit,
    );
  }
  if (res.shared) require('./shared').addRows(res.shared, row, fmt);
  return out;
}

function table(data) {
  const header = ['metric', 'value', 'target', 'result'];
  const all = [header, ...data];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) =>
    r
      .map((cell, c) => String(cell).padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...data.map(line)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const plan = PLANS[opts.quick ? 'quick' : 'full'];
  const h = require('./harness');
  const log = (s) => console.log(s);
  const started = Date.now();
  const results = {};
  const warnings = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));
  console.log(
    `Vitally node benchmark (${opts.quick ? 'quick' : 'full'}), Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  try {
    if (opts.only.includes('rate')) results.rate = await require('./rate').runRate({ ...plan.rate, log });
    if (opts.only.includes('overhead'))
      results.overhead = await require('./overhead').runOverhead({ ...plan.overhead, log });
    if (opts.only.includes('memory')) results.memory = await require('./memory').runMemory({ ...plan.memory, log });
    if (opts.only.includes('faults')) results.faults = await require('./faults').runFaults({ ...plan.faults, log });
    if (opts.only.includes('resync')) results.resync = await require('./resync').runResync({ ...plan.resync, log });
    if (opts.only.includes('weighted'))
      results.weighted = await require('./weighted').runWeighted({ ...plan.weighted, log });
    if (opts.only.includes('shared')) results.shared = await require('./shared').runShared({ ...plan.shared, log });
  } finally {
    await h.shutdown();
  }
  const data = rows(results);
  const durationMs = Date.now() - started;
  console.log(`\n${table(data)}\n`);
  const json = {
    ...results,
    meta: {
      mode: opts.quick ? 'quick' : 'full',
      sections: opts.only,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      startedAt: new Date(started).toISOString(),
      durationMs,
      plan,
      processWarnings: warnings,
    },
  };
  const out = path.resolve(opts.out);
  fs.writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out) || out} in ${(durationMs / 1000).toFixed(1)} s`);
  const failed = data.filter((r) => r[3] === 'FAIL').length;
  if (failed) console.log(`${failed} target(s) missed`);
  // Timers the runtime leaves behind (a rate-window wake-up up to a window long) must not hold the exit.
  process.exit(opts.strict && failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
