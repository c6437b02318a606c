'use strict';
// Own ids (design.md section 9, `resync`): a daily CRM sync by external ids, run twice. 100
// organizations, 1,000 accounts under them and 5,000 users across the accounts, each a message
// of records for an upsert template, accounts and users with `relationshipIds: external`.
// Calls per record (every request the sandbox saw, lookups included) on a cold and a warm
// cache, duplicates in the store, errors on output 1. A third run after a redeploy (a cold
// cache over a full workspace) is reported beside them.
const h = require('./harness');

function data({ organizations, accounts, users }) {
  const orgs = Array.from({ length: organizations }, (_, i) => ({ externalId: `org-${i}`, name: `Organization ${i}` }));
  const accts = Array.from({ length: accounts }, (_, i) => ({
    externalId: `acct-${i}`,
    name: `Account ${i}`,
    organizationId: `org-${i % organizations}`,
  }));
  const people = Array.from({ length: users }, (_, i) => ({
    externalId: `user-${i}`,
    name: `User ${i}`,
    email: `user${i}@example.com`,
    accountIds: [`acct-${i % accounts}`],
  }));
  return { orgs, accts, people };
}

const FLOW = [
  { id: 'orgs', type: 'vitally-destination', vitally: 'cfg', endpoint: 'upsertOrganization', wires: [['done'], []] },
  {
    id: 'accts',
    type: 'vitally-destination',
    vitally: 'cfg',
    endpoint: 'upsertAccount',
    relationshipIds: 'external',
    wires: [['done'], []],
  },
  {
    id: 'people',
    type: 'vitally-destination',
    vitally: 'cfg',
    endpoint: 'upsertUser',
    relationshipIds: 'external',
    wires: [['done'], []],
  },
  { id: 'done', type: 'helper' },
];

/** Sends each collection as one message, in order, and counts calls and outcomes. */
async function syncOnce(sandbox, set, timeoutMs) {
  const before = sandbox.counters.total;
  let failed = 0;
  const actions = { created: 0, updated: 0 };
  const firstErrors = [];
  for (const [id, records] of [
    ['orgs', set.orgs],
    ['accts', set.accts],
    ['people', set.people],
  ]) {
    const done = h.collect('done', 1, timeoutMs);
    h.node(id).receive({ payload: records });
    const [msg] = await done;
    failed += msg.vitally.failed;
    for (const r of msg.vitally.results) {
      if (r.action) actions[r.action]++;
      if (r.error && firstErrors.length < 3) firstErrors.push(`${id}[${r.index}]: ${r.error}`);
    }
  }
  const records = set.orgs.length + set.accts.length + set.people.length;
  const calls = sandbox.counters.total - before;
  return { records, calls, callsPerRecord: Math.round((calls / records) * 1000) / 1000, failed, actions, firstErrors };
}

function duplicates(sandbox) {
  let n = 0;
  for (const resource of ['organizations', 'accounts', 'users']) {
    const seen = new Map();
    for (const o of sandbox.list(resource)) seen.set(o.externalId, (seen.get(o.externalId) || 0) + 1);
    for (const count of seen.values()) n += count - 1;
  }
  return n;
}

async function runResync({ organizations, accounts, users, timeoutMs = 600000, log = () => {} }) {
  // No rate limit: the measure is calls per record, not time.
  const sandbox = await h.newSandbox({ rateLimit: 1_000_000, windowMs: 60000 });
  const set = data({ organizations, accounts, users });
  const config = { rateLimit: 1_000_000, concurrency: 8 };
  log(`  resync: ${organizations} organizations, ${accounts} accounts, ${users} users, by external ids`);
  await h.loadFlow(sandbox, FLOW, config);
  const first = await syncOnce(sandbox, set, timeoutMs);
  log(`    first run (cold cache): ${first.calls} calls for ${first.records} records`);
  const second = await syncOnce(sandbox, set, timeoutMs);
  log(`    second run (warm cache): ${second.calls} calls`);
  await h.unloadFlow();
  // A redeploy starts a new config node with an empty cache: the next day's sync.
  await h.loadFlow(sandbox, FLOW, config);
  const afterRedeploy = await syncOnce(sandbox, set, timeoutMs);
  log(`    after a redeploy (cold cache, full workspace): ${afterRedeploy.calls} calls`);
  await h.unloadFlow();
  const result = {
    callsPerRecordFirst: first.callsPerRecord,
    callsPerRecordSecond: second.callsPerRecord,
    callsPerRecordAfterRedeploy: afterRedeploy.callsPerRecord,
    duplicates: duplicates(sandbox),
    errors: first.failed + second.failed + afterRedeploy.failed,
    records: first.records,
    runs: { first, second, afterRedeploy },
    logs: h.takeLogs(),
  };
  await h.closeSandbox(sandbox);
  return result;
}

module.exports = { runResync };
