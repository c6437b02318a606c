'use strict';
const assert = require('node:assert/strict');
const { FaultPlan } = require('../../dist/sandbox/faults');

const draw = (plan, n) => Array.from({ length: n }, () => plan.next());
const tally = (faults) => faults.reduce((t, f) => ((t[String(f)] = (t[String(f)] ?? 0) + 1), t), {});

describe('sandbox fault plan (pure)', () => {
  it('injects nothing by default', () => {
    assert.deepEqual(tally(draw(new FaultPlan(1), 1000)), { undefined: 1000 });
  });

  it('gives the same fault sequence for the same seed, and a different one for another seed', () => {
    const faults = { error5xxRate: 0.2, rate429: 0.1, dropRate: 0.05 };
    assert.deepEqual(draw(new FaultPlan(7, faults), 200), draw(new FaultPlan(7, faults), 200));
    assert.notDeepEqual(draw(new FaultPlan(7, faults), 200), draw(new FaultPlan(8, faults), 200));
  });

  it('injects each kind of fault at about its rate', () => {
    const t = tally(
      draw(new FaultPlan(3, { error5xxRate: 0.1, errorStatus: 502, rate429: 0.05, dropRate: 0.02 }), 20000),
    );
    const near = (n, rate) => Math.abs(n / 20000 - rate) < rate * 0.2;
    assert.ok(near(t['502'], 0.1), `502: ${t['502']}`);
    assert.ok(near(t['429'], 0.05), `429: ${t['429']}`);
    assert.ok(near(t.drop, 0.02), `drop: ${t.drop}`);
  });

  it('plays scripted failures first, in order, then goes back to the rates', () => {
    const plan = new FaultPlan(1);
    plan.failNext(2, 500);
    plan.failNext(1, 'drop');
    assert.deepEqual(draw(plan, 4), [500, 500, 'drop', undefined]);
  });

  it('replaces the rates on setFaults, and reset() forgets scripted failures and restarts the sequence', () => {
    const plan = new FaultPlan(5, { error5xxRate: 0.5 });
    const first = draw(plan, 20);
    plan.failNext(3, 503);
    plan.reset();
    assert.deepEqual(draw(plan, 20), first);
    plan.setFaults({ rate429: 1 });
    assert.deepEqual(tally(draw(plan, 10)), { 429: 10 });
  });

  it('draws latency between min and max, or the fixed value', () => {
    const plan = new FaultPlan(9, undefined, { min: 5, max: 15 });
    const delays = Array.from({ length: 500 }, () => plan.delay());
    assert.ok(delays.every((d) => d >= 5 && d <= 15));
    assert.ok(new Set(delays).size > 5);
    plan.setLatency(20);
    assert.equal(plan.delay(), 20);
  });

  it('rejects impossible settings with a message naming them', () => {
    const plan = new FaultPlan(1);
    assert.throws(() => plan.setFaults({ error5xxRate: 1.5 }), /error5xxRate/);
    assert.throws(() => plan.setFaults({ error5xxRate: 0.6, dropRate: 0.6 }), /more than 1/);
    assert.throws(() => plan.setFaults({ errorStatus: 404 }), /errorStatus/);
    assert.throws(() => plan.setFaults({ dropRatio: 0.1 }), /unknown fault option dropRatio/);
    assert.throws(() => plan.failNext(1, 200), /status/);
    assert.throws(() => plan.setLatency({ min: 10, max: 5 }), /latencyMs/);
  });
});
