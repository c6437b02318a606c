'use strict';
const assert = require('node:assert/strict');
const { startSandbox } = require('../../dist/sandbox');
const { API_KEY, ANALYTICS_TOKEN, REST_AUTH, ANALYTICS_AUTH, request, useSandbox } = require('./helpers');

const basic = (s) => `Basic ${Buffer.from(s).toString('base64')}`;
const ping = { type: 'user', userId: 'u1', accountId: 'a1', traits: {}, timestamp: '2024-01-01T00:00:00Z' };

describe('sandbox auth', () => {
  const t = useSandbox();

  it('answers 401 with a JSON error when the Authorization header is missing', async () => {
    const res = await request(t.sandbox, 'GET', '/resources/accounts');
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: 'Authorization header not present.' });
  });

  it('answers 401 for a wrong key, a key without the ":" and a non-Basic scheme', async () => {
    for (const header of [basic('wrong-key:'), basic(API_KEY), `Bearer ${API_KEY}`, 'Basic']) {
      const res = await request(t.sandbox, 'GET', '/resources/accounts', { headers: { Authorization: header } });
      assert.equal(res.status, 401, header);
      assert.equal(typeof res.body.error, 'string');
    }
  });

  it('takes the REST key both ways a client may hold it: raw token encoded with ":", or the ready-made header', async () => {
    const readyMade = REST_AUTH; // what Vitally's settings page shows, pasted as is
    const fromRawToken = basic(`${API_KEY}:`);
    for (const header of [
      readyMade,
      fromRawToken,
      `basic ${fromRawToken.slice(6)}`,
      basic(`${API_KEY}:ignored-password`),
    ]) {
      const res = await request(t.sandbox, 'GET', '/resources/accounts', { headers: { Authorization: header } });
      assert.equal(res.status, 200, header);
    }
  });

  it('takes the Analytics token as sent, and no other credential', async () => {
    assert.equal(
      (
        await request(t.sandbox, 'POST', '/analytics/v1/user', {
          body: ping,
          headers: { Authorization: ANALYTICS_AUTH },
        })
      ).status,
      200,
    );
    for (const header of [REST_AUTH, basic(`${ANALYTICS_TOKEN}:`), undefined]) {
      const res = await request(t.sandbox, 'POST', '/analytics/v1/user', {
        body: ping,
        headers: header ? { Authorization: header } : {},
      });
      assert.equal(res.status, 401);
      assert.equal(typeof res.body.error, 'string');
    }
    const rest = await request(t.sandbox, 'GET', '/resources/accounts', { headers: { Authorization: ANALYTICS_AUTH } });
    assert.equal(rest.status, 401, 'the analytics token is no REST key');
  });

  it("sends the API's RateLimit headers with a 401 without counting it against the window", async () => {
    const missing = await request(t.sandbox, 'GET', '/resources/accounts');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['ratelimit-limit'], '1000, 1000;window=60');
    assert.equal(missing.headers['ratelimit-remaining'], '1000');
    assert.equal(missing.headers['ratelimit-reset'], '0', 'an empty window');
    assert.equal(missing.headers['retry-after'], undefined);
    const ok = await request(t.sandbox, 'GET', '/resources/accounts', { headers: { Authorization: REST_AUTH } });
    assert.equal(ok.headers['ratelimit-remaining'], '999');
    const wrong = await request(t.sandbox, 'GET', '/resources/accounts', {
      headers: { Authorization: basic('nope:') },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['ratelimit-remaining'], '999', 'the REST window as it stands, the 401 not counted');
    const counted = t.sandbox.requests[1];
    const expected = Math.ceil((counted.time + 60000 - t.sandbox.requests[2].time) / 1000);
    assert.equal(wrong.headers['ratelimit-reset'], String(expected), 'until the one counted request leaves');
    const analytics401 = await request(t.sandbox, 'POST', '/analytics/v1/user', { body: ping });
    assert.equal(analytics401.status, 401);
    assert.equal(analytics401.headers['ratelimit-remaining'], '1000', "the Analytics window, not the REST one's");
  });

  it('logs 401s with key null and authenticated requests with their credential kind, never the header', async () => {
    await request(t.sandbox, 'GET', '/resources/accounts');
    await request(t.sandbox, 'GET', '/resources/accounts', { headers: { Authorization: REST_AUTH } });
    await request(t.sandbox, 'POST', '/analytics/v1/user', { body: ping, headers: { Authorization: ANALYTICS_AUTH } });
    assert.deepEqual(
      t.sandbox.requests.map((r) => [r.status, r.key]),
      [
        [401, null],
        [200, 'rest'],
        [200, 'analytics'],
      ],
    );
    const everything = JSON.stringify([t.sandbox.requests, t.sandbox.state()]);
    for (const secret of [API_KEY, ANALYTICS_TOKEN, REST_AUTH.slice(6)])
      assert.ok(!everything.includes(secret), secret);
  });

  it('uses the configured key and token instead of the defaults', async () => {
    const custom = await startSandbox({ apiKey: 'k-123', analyticsToken: 'dG9rZW4=' });
    try {
      assert.equal(
        (await request(custom, 'GET', '/resources/users', { headers: { Authorization: basic('k-123:') } })).status,
        200,
      );
      assert.equal(
        (await request(custom, 'GET', '/resources/users', { headers: { Authorization: REST_AUTH } })).status,
        401,
      );
      assert.equal(
        (
          await request(custom, 'POST', '/analytics/v1/user', {
            body: ping,
            headers: { Authorization: 'Basic dG9rZW4=' },
          })
        ).status,
        200,
      );
    } finally {
      await custom.close();
    }
  });
});
