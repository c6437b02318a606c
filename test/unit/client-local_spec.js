'use strict';
/**
 * client/http: what fails before a byte is sent (a body that is not JSON, a missing
 * credential, a URL off the configured host, a header Node would refuse) comes back as a
 * local result, `local: true`, so it is never retried; and the body is serialised once.
 */
const assert = require('node:assert/strict');

const { VitallyClient } = require('../../dist/client/http');
const { httpServer, hostsFor, sleep } = require('./client-servers');

describe('client/http local errors', function () {
  let target;
  let hosts;
  let client;
  before(async function () {
    target = await httpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"v1"}');
    });
    hosts = hostsFor(target.origin);
    client = new VitallyClient(hosts, { apiKey: 'key' }, 5000, 4);
  });
  after(async function () {
    client.close();
    await target.close();
  });
  beforeEach(function () {
    target.seen.length = 0;
  });

  async function local(req, error) {
    const res = await client.send(req);
    assert.equal(res.local, true, `${res.error} should be local`);
    assert.equal(res.status, undefined);
    assert.deepEqual(res.headers, {});
    assert.equal(res.body, undefined);
    if (error instanceof RegExp) assert.match(res.error, error);
    else assert.equal(res.error, error);
    await sleep(20);
    assert.equal(target.seen.length, 0, 'nothing was sent');
  }

  it('refuses a circular body, without sending', async function () {
    const body = { name: 'n' };
    body.self = body;
    await local(
      { method: 'POST', url: `${hosts.restBase}/accounts`, api: 'rest', body },
      /^body cannot be serialised as JSON: Converting circular structure to JSON/,
    );
  });

  it('refuses a BigInt, a throwing toJSON and a function body', async function () {
    const url = `${hosts.restBase}/accounts`;
    await local(
      { method: 'POST', url, api: 'rest', body: { n: 10n } },
      'body cannot be serialised as JSON: Do not know how to serialize a BigInt',
    );
    const throwing = {
      toJSON() {
        throw new Error('no\nway');
      },
    };
    await local({ method: 'POST', url, api: 'rest', body: throwing }, 'body cannot be serialised as JSON: no way');
    await local(
      { method: 'POST', url, api: 'rest', body: () => 1 },
      'body cannot be serialised as JSON: a function is not JSON',
    );
  });

  it('refuses a missing credential, a URL off the host and a malformed URL as local', async function () {
    await local(
      { method: 'POST', url: `${hosts.analyticsBase}/track`, api: 'analytics', body: {} },
      'no Analytics API token in the Vitally config node',
    );
    await local(
      { method: 'POST', url: 'https://evil.example.com/resources/x', api: 'rest', body: {} },
      'refused: https://evil.example.com is not the configured Vitally host',
    );
    await local({ method: 'GET', url: 'not a url', api: 'rest' }, 'refused: "not a url" is not a valid URL');
  });

  it('refuses a header Node would reject, as local', async function () {
    await local(
      { method: 'GET', url: `${hosts.restBase}/users`, api: 'rest', headers: { 'X-Trace': 'a\r\nInjected: 1' } },
      'refused: the header "X-Trace" is not valid (ERR_INVALID_CHAR)',
    );
    await local(
      { method: 'GET', url: `${hosts.restBase}/users`, api: 'rest', headers: { 'Bad Name': '1' } },
      'refused: the header "Bad Name" is not valid (ERR_INVALID_HTTP_TOKEN)',
    );
  });

  it('serialises the body once per send', async function () {
    let calls = 0;
    const body = {
      toJSON() {
        calls += 1;
        return { name: 'n' };
      },
    };
    const res = await client.send({ method: 'POST', url: `${hosts.restBase}/accounts`, api: 'rest', body });
    assert.equal(res.status, 200);
    assert.equal(calls, 1);
    assert.equal(target.seen[0].body, '{"name":"n"}');
  });

  it('sends its own Authorization whatever the extra headers say', async function () {
    const res = await client.send({
      method: 'GET',
      url: `${hosts.restBase}/users`,
      api: 'rest',
      headers: { authorization: 'Basic c3RvbGVu' },
    });
    assert.equal(res.status, 200);
    assert.equal(target.seen[0].headers.authorization, `Basic ${Buffer.from('key:').toString('base64')}`);
  });
});
