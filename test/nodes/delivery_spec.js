'use strict';
// The delivery engine end to end: Node-RED runtime -> dispatcher -> sandbox with its rate
// window and fault knobs. Small windows keep the suite fast; nothing here asserts timings.
const assert = require('node:assert');
const {
  helper,
  CREDENTIALS,
  nodeModules,
  flowFor,
  load,
  destination,
  outputs,
  collect,
  rest,
  newSandbox,
  stop,
  delay,
} = require('./helpers');
const { busiestWindow } = require('../../dist/sandbox');

const accounts = (n, prefix = 'acc') =>
  Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}-${i}`, name: `Account ${i}` }));

/** Sends each payload as its own message into `node` and resolves with every output-1 message. */
async function sendAll(payloads, node = 'n1', out = 'out1') {
  const results = collect(out, payloads.length);
  for (const payload of payloads) helper.getNode(node).receive({ payload });
  return results;
}

describe('delivery engine', function () {
  this.timeout(60000);
  let sandbox;

  afterEach(async function () {
    await stop();
    if (sandbox) await sandbox.close();
    sandbox = undefined;
  });

  it('keeps to the sliding window exactly, window by window, without a 429', async function () {
    sandbox = await newSandbox({ rateLimit: 20, windowMs: 500, recordAcceptedTimes: true });
    await helper.startServer();
    await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], {
      config: { rateLimit: 20, rateWindow: 0.5 },
    });
    const [result] = await sendAll([accounts(100)]);
    assert.strictEqual(result.vitally.succeeded, 100);
    assert.strictEqual(sandbox.counters.byStatus['429'] || 0, 0);
    assert.strictEqual(sandbox.acceptedTimes.length, 100);
    assert.ok(busiestWindow(sandbox.acceptedTimes, 500) <= 20);
  });

  it('slows down to a server limit lower than configured and still delivers everything', async function () {
    sandbox = await newSandbox({ rateLimit: 10, windowMs: 500 });
    await helper.startServer();
    await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], {
      config: { rateLimit: 40, rateWindow: 0.5 },
    });
    const [result] = await sendAll([accounts(60)]);
    assert.strictEqual(result.vitally.succeeded, 60, JSON.stringify(result.vitally.results.filter((r) => r.error)));
    const refused = sandbox.counters.byStatus['429'] || 0;
    assert.ok(refused <= 10, `${refused} 429s: the budget should follow the server's RateLimit headers`);
  });

  it('accounts for every record under injected 503s, 429s and dropped connections', async function () {
    sandbox = await newSandbox({ seed: 7 });
    await helper.startServer();
    const fixtures = accounts(150, 'f');
    for (const a of fixtures) await rest(sandbox, 'POST', '/accounts', a);
    sandbox.setFaults({ error5xxRate: 0.1, rate429: 0.05, dropRate: 0.02 });
    await load(sandbox, [
      destination({ endpoint: 'updateAccount', accountId: '{{payload.externalId}}', retries: 8, retryMaxDelay: 2 }),
      ...outputs,
    ]);
    const out2 = [];
    helper.getNode('out2').on('input', (m) => out2.push(m));
    const [result] = await sendAll([fixtures.map((a) => ({ ...a, name: `${a.name} (updated)` }))]);
    const v = result.vitally;
    assert.strictEqual(v.succeeded + v.failed, 150);
    assert.strictEqual(v.results.filter(Boolean).length, 150, 'every record has a result');
    assert.strictEqual(out2.length, 150, 'one output-2 message per call');
    const updated = sandbox.list('accounts').filter((a) => a.name.endsWith('(updated)')).length;
    assert.strictEqual(updated, v.succeeded, 'what succeeded is what the sandbox stored');
    assert.ok(
      out2.some((m) => m.attempts > 1),
      'retries show in attempts',
    );
    assert.ok(
      sandbox.counters.dropped > 0 && sandbox.counters.byStatus['503'] > 0 && sandbox.counters.byStatus['429'] > 0,
      'faults were injected',
    );
  });

  it('sends 20 updates to one object in arrival order, retries included', async function () {
    sandbox = await newSandbox({ latencyMs: { min: 1, max: 15 }, seed: 3 });
    await helper.startServer();
    await rest(sandbox, 'POST', '/accounts', { externalId: 'acc-1', name: 'v' });
    await load(sandbox, [destination({ endpoint: 'updateAccount', accountId: 'acc-1' }), ...outputs], {
      config: { concurrency: 8 },
    });
    sandbox.failNext(3, 503);
    const updates = Array.from({ length: 20 }, (_, i) => ({ name: `v${i}` }));
    await sendAll(updates);
    const names = sandbox.requests.filter((r) => r.method === 'PUT' && r.status === 200).map((r) => r.body.name);
    assert.deepStrictEqual(
      names,
      updates.map((u) => u.name),
    );
    assert.strictEqual(sandbox.get('accounts', 'acc-1').name, 'v19');
  });

  it('batches Analytics records: 250 records of size 100 make 3 calls', async function () {
    sandbox = await newSandbox();
    await helper.startServer();
    await load(sandbox, [
      destination({ endpoint: 'analyticsUser', batch: true, batchSize: 100, batchTimeout: 100 }),
      ...outputs,
    ]);
    const users = Array.from({ length: 250 }, (_, i) => ({ userId: `u${i}`, accountId: 'a1', traits: { n: i } }));
    const out2 = [];
    helper.getNode('out2').on('input', (m) => out2.push(m));
    const [result] = await sendAll([users]);
    assert.strictEqual(result.vitally.succeeded, 250);
    const calls = sandbox.requests.filter((r) => r.path === '/analytics/v1/batch');
    assert.deepStrictEqual(
      calls.map((c) => c.body.length),
      [100, 100, 50],
    );
    assert.ok(calls[0].body.every((m) => m.type === 'user' && m.messageId && m.timestamp));
    assert.deepStrictEqual(
      out2.map((m) => m.records),
      [100, 100, 50],
    );
    assert.strictEqual(sandbox.list('analytics:user').length, 250);
  });

  it('groups Analytics batches by a field', async function () {
    sandbox = await newSandbox();
    await helper.startServer();
    await load(sandbox, [
      destination({
        endpoint: 'analyticsTrack',
        batch: true,
        batchSize: 100,
        batchTimeout: 50,
        grouping: 'field',
        groupField: 'accountId',
      }),
      ...outputs,
    ]);
    const events = Array.from({ length: 9 }, (_, i) => ({ accountId: `a${i % 3}`, event: 'login', properties: {} }));
    await sendAll([events]);
    const calls = sandbox.requests.filter((r) => r.path === '/analytics/v1/batch');
    assert.strictEqual(calls.length, 3);
    for (const c of calls) assert.strictEqual(new Set(c.body.map((m) => m.accountId)).size, 1);
  });

  /** 30 records each through n1 and n2 at once: all delivered, never more than 15 per 500 ms. */
  async function checkSharedBudget() {
    const [[ra], [rb]] = await Promise.all([
      sendAll([accounts(30, 'a')], 'n1', 'out1'),
      sendAll([accounts(30, 'b')], 'n2', 'out3'),
    ]);
    assert.strictEqual(ra.vitally.succeeded + rb.vitally.succeeded, 60);
    assert.strictEqual(sandbox.counters.byStatus['429'] || 0, 0);
    assert.ok(busiestWindow(sandbox.acceptedTimes, 500) <= 15);
  }

  it('shares one rate budget between two destination nodes on the same config', async function () {
    sandbox = await newSandbox({ rateLimit: 15, windowMs: 500, recordAcceptedTimes: true });
    await helper.startServer();
    await load(
      sandbox,
      [
        destination({ endpoint: 'createAccount' }),
        ...outputs,
        { id: 'n2', type: 'vitally-destination', vitally: 'cfg', endpoint: 'createAccount', wires: [['out3'], []] },
        { id: 'out3', type: 'helper' },
      ],
      { config: { rateLimit: 15, rateWindow: 0.5 } },
    );
    await checkSharedBudget();
  });

  it('shares the budget between two config nodes on the same key', async function () {
    sandbox = await newSandbox({ rateLimit: 15, windowMs: 500, recordAcceptedTimes: true });
    await helper.startServer();
    const flow = flowFor(
      sandbox,
      [
        destination({ endpoint: 'createAccount' }),
        ...outputs,
        { id: 'n2', type: 'vitally-destination', vitally: 'cfg2', endpoint: 'createAccount', wires: [['out3'], []] },
        { id: 'out3', type: 'helper' },
      ],
      { rateLimit: 15, rateWindow: 0.5 },
    );
    flow.push({ ...flow.find((n) => n.id === 'cfg'), id: 'cfg2', name: 'same key, second node' });
    await helper.load(nodeModules, flow, { cfg: CREDENTIALS.cfg, cfg2: CREDENTIALS.cfg });
    await checkSharedBudget();
  });

  it('remembers the window across a full redeploy, so the new flow does not burst into it', async function () {
    sandbox = await newSandbox({ rateLimit: 20, windowMs: 1000, recordAcceptedTimes: true });
    await helper.startServer();
    const nodes = [destination({ endpoint: 'createAccount' }), ...outputs];
    await load(sandbox, nodes, { config: { rateLimit: 20, rateWindow: 1 } });
    await sendAll([accounts(20, 'before')]);
    await helper.setFlows(
      flowFor(sandbox, nodes, { rateLimit: 20, rateWindow: 1, name: 'changed' }),
      'full',
      CREDENTIALS,
    );
    const [result] = await sendAll([accounts(10, 'after')]);
    assert.strictEqual(result.vitally.succeeded, 10);
    assert.strictEqual(sandbox.counters.byStatus['429'] || 0, 0);
    assert.ok(busiestWindow(sandbox.acceptedTimes, 1000) <= 20);
  });

  it('refuses a message that would overflow nodeMessageBufferMaxLength, and only that one', async function () {
    sandbox = await newSandbox({ latencyMs: 30 });
    await helper.startServer();
    helper.settings({ nodeMessageBufferMaxLength: 10 });
    try {
      await load(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs]);
      const results = await sendAll([accounts(8, 'q'), accounts(5, 'r')]);
      const first = results.find((m) => m.vitally.total === 8);
      const second = results.find((m) => m.vitally.total === 5);
      assert.strictEqual(first.vitally.succeeded, 8, JSON.stringify(first.vitally.results));
      assert.strictEqual(second.vitally.failed, 5);
      assert.match(second.vitally.results[0].error, /queue full/);
    } finally {
      helper.settings({});
    }
  });

  /** Starts 35 records (one message of 30, five of 1) behind a slow, small budget. */
  async function busyFlow() {
    sandbox = await newSandbox({ latencyMs: 40, rateLimit: 20, windowMs: 1000 });
    await helper.startServer();
    const nodes = [
      destination({ endpoint: 'createAccount' }),
      ...outputs,
      { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
    const config = { rateLimit: 20, rateWindow: 1 };
    await load(sandbox, nodes, { config });
    const out1 = [];
    const caught = [];
    helper.getNode('out1').on('input', (m) => out1.push(m));
    helper.getNode('caught').on('input', (m) => caught.push(m));
    const payloads = [accounts(30, 'x'), ...accounts(5, 'y').map((a) => [a])];
    for (const payload of payloads) helper.getNode('n1').receive({ payload });
    await delay(300);
    return { nodes, config, out1, caught, payloads };
  }

  /** The destination's error log entries since the flow started. */
  const errorsOf = (id) =>
    helper
      .log()
      .args.map((a) => a[0])
      .filter((e) => e.level === 20 && e.id === id)
      .map((e) => String(e.msg));

  /**
   * The destination logs one summary of what it did not deliver; every record is either in the
   * sandbox or in that count.
   */
  function checkAccounting({ payloads, out1, caught }, errors) {
    const summary = errors.find((e) => /stopped with/.test(e));
    assert.ok(summary, 'one error names what was not delivered');
    const [, records, messages] = summary.match(/stopped with (\d+) records of (\d+) messages/).map(Number);
    const delivered = sandbox.list('accounts').length;
    assert.ok(delivered > 0 && records > 0, `${delivered} delivered, ${records} reported`);
    assert.strictEqual(records + delivered, 35, 'every record is delivered or reported');
    assert.ok(caught.every((m) => /not delivered: the node was stopped/.test(m.error.message)));
    assert.ok(
      out1.every((m) => m.vitally.failed === 0),
      'output 1 only for messages settled before close',
    );
    assert.ok(out1.length + messages <= payloads.length);
    return messages;
  }

  it('on a full redeploy reports every undelivered record, sends nothing after close, loses none', async function () {
    const busy = await busyFlow();
    // Node-RED stops the Catch node at the same moment, so it swallows done(err): the log is the witness.
    await helper._redNodes.stopFlows();
    const countAfterClose = sandbox.counters.total;
    await delay(300);
    assert.strictEqual(sandbox.counters.total, countAfterClose, 'nothing is sent after close');
    checkAccounting(busy, errorsOf('n1'));
  });

  it('on a partial redeploy a Catch node sees each message that lost records', async function () {
    const busy = await busyFlow();
    const changed = busy.nodes.map((n) => (n.id === 'n1' ? { ...n, name: 'redeployed' } : n));
    await helper.setFlows(flowFor(sandbox, changed, busy.config), 'nodes', CREDENTIALS);
    const messages = checkAccounting(busy, errorsOf('n1'));
    assert.strictEqual(busy.caught.length, messages, 'the Catch node, still running, saw every one');
  });
});
