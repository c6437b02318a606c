'use strict';
/**
 * client/http: `timeout` is a total deadline, connect to last byte, for every send; the
 * caller's AbortSignal and the deadline are told apart; nothing is left behind on the
 * caller's (shared) signal or in the timer list.
 */
const assert = require('node:assert/strict');
const { getEventListeners } = require('node:events');

const { VitallyClient } = require('../../dist/client/http');
const { httpServer, hostsFor, sleep } = require('./client-servers');

/** Run `fn` while recording the timers of `ms` set, and which of them are still pending. */
async function watchTimers(ms, fn) {
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  const seen = { created: 0, pending: new Set() };
  globalThis.setTimeout = (cb, delay, ...args) => {
    const timer = set(cb, delay, ...args);
    if (delay === ms) {
      seen.created += 1;
      seen.pending.add(timer);
    }
    return timer;
  };
  globalThis.clearTimeout = (timer) => {
    seen.pending.delete(timer);
    return clear(timer);
  };
  try {
    await fn();
  } finally {
    globalThis.setTimeout = set;
    globalThis.clearTimeout = clear;
  }
  return seen;
}

describe('client/http deadline', function () {
  let target;
  let hosts;
  let behave;
  let closedAt;
  before(async function () {
    target = await httpServer((req, res) => behave(req, res));
    target.server.on('request', (req) => {
      req.socket.once('close', () => {
        closedAt = Date.now();
      });
    });
    hosts = hostsFor(target.origin);
  });
  after(() => target.close());
  beforeEach(function () {
    target.seen.length = 0;
    closedAt = undefined;
  });

  /** One byte every 300 ms for `forMs`, then the end of a JSON body. */
  function trickle(forMs) {
    return (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":"');
      const started = Date.now();
      const tick = setInterval(() => {
        if (res.destroyed) return clearInterval(tick);
        if (Date.now() - started >= forMs) {
          clearInterval(tick);
          return res.end('"}');
        }
        res.write('x');
      }, 300);
      res.on('close', () => clearInterval(tick));
    };
  }

  it('ends a trickling response at the deadline, as a timeout, and drops the connection', async function () {
    behave = trickle(4000);
    const client = new VitallyClient(hosts, { apiKey: 'key' }, 1000, 4);
    try {
      const started = Date.now();
      const res = await client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' });
      const took = Date.now() - started;
      assert.equal(res.status, undefined, 'a trickle must not outlive the deadline');
      assert.match(res.error, /^timeout: no complete response within 1 s/);
      assert.equal(res.local, undefined, 'a timeout is retryable');
      assert.ok(took >= 950 && took < 1800, `took ${took} ms`);
      await sleep(100);
      assert.ok(closedAt !== undefined, 'the connection was closed, not left trickling');
    } finally {
      client.close();
    }
  });

  it('times out a server that never answers', async function () {
    behave = () => {};
    const client = new VitallyClient(hosts, { apiKey: 'key' }, 200, 4);
    try {
      const started = Date.now();
      const res = await client.send({ method: 'POST', url: `${hosts.restBase}/accounts`, api: 'rest', body: {} });
      assert.match(res.error, /^timeout: no complete response within 200 ms/);
      assert.ok(Date.now() - started < 1000);
    } finally {
      client.close();
    }
  });

  it("reports the caller's abort as aborted, not as a timeout", async function () {
    behave = trickle(4000);
    const client = new VitallyClient(hosts, { apiKey: 'key' }, 3000, 4);
    const controller = new AbortController();
    try {
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      const res = await client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }, controller.signal);
      assert.match(res.error, /^aborted: /);
      assert.ok(Date.now() - started < 1000);
    } finally {
      client.close();
    }
  });

  it('sends nothing when the signal is already aborted, and says so as a local result', async function () {
    behave = (req, res) => res.end('{}');
    const client = new VitallyClient(hosts, { apiKey: 'key' }, 3000, 4);
    try {
      const controller = new AbortController();
      controller.abort();
      const res = await client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }, controller.signal);
      assert.deepEqual(res, {
        headers: {},
        body: undefined,
        error: 'aborted: the node was stopped while the request was in flight',
        local: true,
      });
      await sleep(50);
      assert.equal(target.seen.length, 0);
    } finally {
      client.close();
    }
  });

  it('leaves no listener on the shared signal and no timer behind, whatever the outcome', async function () {
    const client = new VitallyClient(hosts, { apiKey: 'key' }, 60000, 4);
    const controller = new AbortController();
    const { signal } = controller;
    try {
      const timers = await watchTimers(60000, async () => {
        behave = (req, res) => res.end('{"ok":true}');
        const ok = await Promise.all(
          Array.from({ length: 10 }, () =>
            client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }, signal),
          ),
        );
        assert.deepEqual(
          ok.map((r) => r.status),
          Array(10).fill(200),
        );
        behave = (req, res) => res.destroy();
        const dropped = await client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }, signal);
        assert.match(dropped.error, /^network error: /);
        const refused = await client.send({ method: 'GET', url: 'https://elsewhere.example/x', api: 'rest' }, signal);
        assert.equal(refused.local, true);
      });
      assert.equal(timers.created, 11, 'one deadline per call that was sent');
      assert.equal(timers.pending.size, 0, 'every deadline timer is cleared');
      assert.equal(getEventListeners(signal, 'abort').length, 0, 'a listener per call would leak on a shared signal');
      // A deadline that fires leaves nothing on the signal either.
      behave = () => {};
      const short = new VitallyClient(hosts, { apiKey: 'key' }, 100, 1);
      try {
        const late = await short.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }, signal);
        assert.match(late.error, /^timeout: /);
      } finally {
        short.close();
      }
      assert.equal(getEventListeners(signal, 'abort').length, 0);
    } finally {
      client.close();
    }
  });
});
