'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');

const { VitallyClient, restAuthorization, analyticsAuthorization, errorText } = require('../../dist/client/http');
const { resolveHosts } = require('../../dist/core/hosts');
const { US } = require('./helpers');

describe('client/http', function () {
  it('REST auth: Basic base64(key + ":"), or a ready-made Basic value as given', function () {
    assert.equal(restAuthorization('sk_live_123'), `Basic ${Buffer.from('sk_live_123:').toString('base64')}`);
    assert.equal(restAuthorization(' sk_live_123 '), `Basic ${Buffer.from('sk_live_123:').toString('base64')}`);
    assert.equal(restAuthorization('Basic c2s6'), 'Basic c2s6');
    assert.equal(restAuthorization('basic c2s6'), 'basic c2s6');
  });

  it('Analytics auth: Basic <token> with the token as handed out', function () {
    assert.equal(analyticsAuthorization('dG9rZW4='), 'Basic dG9rZW4=');
    assert.equal(analyticsAuthorization('Basic dG9rZW4='), 'Basic dG9rZW4=');
  });

  it('errorText: error, then message, then the raw text', function () {
    assert.equal(errorText({ error: 'e', message: 'm' }), 'e');
    assert.equal(errorText({ message: 'm' }), 'm');
    assert.equal(errorText({ a: 1 }), '{"a":1}');
    assert.equal(errorText('plain'), 'plain');
    assert.equal(errorText(''), '');
    assert.equal(errorText(undefined), '');
  });

  describe('VitallyClient.send', function () {
    let server;
    let seen;
    let hosts;
    let reply;
    before(async function () {
      server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, headers: req.headers, body });
          reply(res);
        });
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      hosts = resolveHosts({ region: 'custom', baseUrl: `http://127.0.0.1:${server.address().port}` });
    });
    after(function () {
      server.close();
    });
    beforeEach(function () {
      seen = [];
      reply = (res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'RateLimit-Remaining': '9' });
        res.end('{"id":"v1"}');
      };
    });

    it('sends REST calls with the REST key and JSON, and parses the answer', async function () {
      const client = new VitallyClient(hosts, { apiKey: 'key', analyticsToken: 'tok' }, 5000, 4);
      try {
        const res = await client.send({
          method: 'POST',
          url: `${hosts.restBase}/accounts`,
          api: 'rest',
          body: { name: 'n' },
        });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { id: 'v1' });
        assert.equal(res.headers['ratelimit-remaining'], '9');
        assert.equal(seen.length, 1);
        assert.equal(seen[0].url, '/resources/accounts');
        assert.equal(seen[0].headers.authorization, `Basic ${Buffer.from('key:').toString('base64')}`);
        assert.equal(seen[0].headers['content-type'], 'application/json');
        assert.equal(seen[0].body, '{"name":"n"}');
      } finally {
        client.close();
      }
    });

    it('sends Analytics calls with the Analytics token, DELETE without a body, and extra headers', async function () {
      const client = new VitallyClient(hosts, { apiKey: 'key', analyticsToken: 'tok' }, 5000, 4);
      try {
        await client.send({ method: 'POST', url: `${hosts.analyticsBase}/batch`, api: 'analytics', body: [] });
        assert.equal(seen[0].headers.authorization, 'Basic tok');
        await client.send({
          method: 'DELETE',
          url: `${hosts.restBase}/accounts/a`,
          api: 'rest',
          headers: { 'X-Trace': '1' },
        });
        assert.equal(seen[1].method, 'DELETE');
        assert.equal(seen[1].body, '');
        assert.equal(seen[1].headers['content-type'], undefined);
        assert.equal(seen[1].headers['x-trace'], '1');
      } finally {
        client.close();
      }
    });

    it('does not follow redirects (the key would go with them)', async function () {
      reply = (res) => {
        res.writeHead(302, { Location: 'http://127.0.0.2:1/steal' });
        res.end();
      };
      const client = new VitallyClient(hosts, { apiKey: 'key' }, 5000, 4);
      try {
        const res = await client.send({ method: 'PUT', url: `${hosts.restBase}/accounts/a`, api: 'rest', body: {} });
        assert.equal(res.status, 302);
        assert.equal(seen.length, 1);
      } finally {
        client.close();
      }
    });

    it('refuses, without sending, a URL off the configured host or an API without a credential', async function () {
      const client = new VitallyClient(US, { apiKey: 'key' }, 5000, 4);
      try {
        const off = await client.send({
          method: 'POST',
          url: 'https://evil.example.com/resources/x',
          api: 'rest',
          body: {},
        });
        assert.equal(off.status, undefined);
        assert.match(off.error, /refused: https:\/\/evil\.example\.com is not the configured Vitally host/);
        const creds = await client.send({
          method: 'POST',
          url: 'https://u:p@acme.rest.vitally.io/resources/x',
          api: 'rest',
          body: {},
        });
        assert.match(creds.error, /^refused/);
        const noToken = await client.send({
          method: 'POST',
          url: `${US.analyticsBase}/track`,
          api: 'analytics',
          body: {},
        });
        assert.match(noToken.error, /no Analytics API token/);
        assert.equal(client.hasCredential('rest'), true);
        assert.equal(client.hasCredential('analytics'), false);
      } finally {
        client.close();
      }
    });

    it('turns a network failure into a result without a status', async function () {
      const dead = resolveHosts({ region: 'custom', baseUrl: 'http://127.0.0.1:1' });
      const client = new VitallyClient(dead, { apiKey: 'key' }, 5000, 4);
      try {
        const res = await client.send({ method: 'POST', url: `${dead.restBase}/accounts`, api: 'rest', body: {} });
        assert.equal(res.status, undefined);
        assert.match(res.error, /network error: ECONNREFUSED/);
      } finally {
        client.close();
      }
    });
  });
});
