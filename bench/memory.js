'use strict';
// (c) Memory: heap per record held in the node's queue behind a rate limit, beyond the
// records themselves. Needs --expose-gc (run.js re-spawns itself with it).
const h = require('./harness');

const record = (i, tag) => ({
  externalId: `${tag}-${i}`,
  name: `Memory account ${i}`,
  traits: { plan: i % 3 ? 'pro' : 'free', seats: i % 50, region: 'eu-west' },
});

/**
 * One scenario: build the records, measure; hand them to the node (as one array message or as
 * one message each) under a limit that lets almost nothing out, wait until every record is
 * planned and queued, measure; then close the flow, which reports them all as not delivered.
 */
async function scenario(sandbox, { records: n, perMessage, limit, log }) {
  await h.loadFlow(
    sandbox,
    [
      {
        id: 'dest',
        type: 'vitally-destination',
        vitally: 'cfg',
        endpoint: 'createAccount',
        wires: [['out1'], ['out2']],
      },
      { id: 'out1', type: 'helper' },
      { id: 'out2', type: 'helper' },
    ],
    { rateLimit: limit, rateWindow: 60, concurrency: 4 },
  );
  const scheduler = h.node('cfg').connection().scheduler;
  const tag = perMessage ? 'mm' : 'ma';
  const baseline = await h.settledHeap();
  const recs = Array.from({ length: n }, (_, i) => record(i, tag));
  // The messages themselves belong to the input, like the records: built before measuring.
  const msgs = perMessage ? recs.map((payload) => ({ payload })) : [{ payload: recs }];
  const withRecords = await h.settledHeap();

  const t = h.now();
  const dest = h.node('dest');
  for (const m of msgs) dest.receive(m);
  // Queued = everything but what the limit let through (in flight or done).
  for (let i = 0; i < 3000 && scheduler.queued + scheduler.inflightCount < n - limit; i++) await h.delay(10);
  const queueMs = h.now() - t;
  await h.delay(200);
  const withQueue = await h.settledHeap();
  const queued = scheduler.queued;
  if (recs.length + msgs.length === 0) throw new Error('unreachable: keeps the input alive until measured');
  const bytesPerRecord = (withQueue - withRecords) / n;
  log(
    `  (c) ${n} records ${perMessage ? 'as one message each' : 'in one array message'}: ${queued} queued, ` +
      `${Math.round(bytesPerRecord)} B/record beyond the records`,
  );

  const closeStart = h.now();
  await h.unloadFlow();
  const closeMs = h.now() - closeStart;
  const logs = h.takeLogs();
  const result = {
    bytesPerRecord: Math.round(bytesPerRecord),
    records: n,
    queued,
    inputBytesPerRecord: Math.round((withRecords - baseline) / n),
    heapBaseline: baseline,
    heapWithRecordsOnly: withRecords,
    heapWithQueue: withQueue,
    queueMs: Math.round(queueMs),
    closeMs: Math.round(closeMs),
    logsOnClose: logs,
  };
  return result;
}

/**
 * What Node-RED itself keeps per message that a node holds until done() (the input event,
 * the send and done closures, the _msgid): the floor under any node that queues messages.
 */
async function nodeRedHoldCost(sandbox, n) {
  await h.loadFlow(sandbox, [{ id: 'hold', type: 'helper', wires: [[]] }]);
  const hold = h.node('hold');
  const held = [];
  hold.on('input', (_msg, _send, done) => held.push(done));
  const msgs = Array.from({ length: n }, (_, i) => ({ payload: record(i, 'mh') }));
  const before = await h.settledHeap();
  for (const m of msgs) hold.receive(m);
  await h.delay(100);
  const after = await h.settledHeap();
  for (const done of held) done();
  // Release the messages before unloading, so the next measurement starts clean.
  held.length = 0;
  msgs.length = 0;
  await h.unloadFlow();
  h.takeLogs();
  // Less the 8 bytes of the test's own array slot per message.
  return Math.round((after - before) / n - 8);
}

async function runMemory({ records = 100000, limit = 10, log = () => {} }) {
  const sandbox = await h.newSandbox({ rateLimit: limit, windowMs: 60000 });
  const array = await scenario(sandbox, { records, perMessage: false, limit, log });
  sandbox.reset();
  const perMessage = await scenario(sandbox, { records, perMessage: true, limit, log });
  perMessage.nodeRedHoldBytesPerMessage = await nodeRedHoldCost(sandbox, records);
  perMessage.thisNodeBytesPerRecord = perMessage.bytesPerRecord - perMessage.nodeRedHoldBytesPerMessage;
  log(
    `      of which Node-RED keeps ${perMessage.nodeRedHoldBytesPerMessage} B for any message a node holds until done()`,
  );
  await h.closeSandbox(sandbox);
  return {
    ...array,
    bytesPerRecordMessages: perMessage.bytesPerRecord,
    form: 'one message with an array of the records',
    perMessage,
  };
}

module.exports = { runMemory };
