'use strict';
const assert = require('node:assert/strict');

const { resolveHosts, parseBaseUrl, apiOfUrl } = require('../../dist/core/hosts');
const { ConfigError } = require('../../dist/core/errors');
const { US, CUSTOM, EU, throwsWith } = require('./helpers');

describe('core/hosts', function () {
  describe('US subdomain', function () {
    const valid = ['acme', 'a', '0', 'a-b', 'acme-2', 'ACME', 'x'.repeat(63), '9lives', ' acme '];
    for (const sub of valid) {
      it(`accepts ${JSON.stringify(sub)}`, function () {
        const h = resolveHosts({ region: 'us', subdomain: sub });
        const host = sub.trim().toLowerCase();
        assert.equal(h.restBase, `https://${host}.rest.vitally.io/resources`);
        assert.equal(h.analyticsBase, `https://${host}.api.vitally.io/analytics/v1`);
      });
    }

    const invalid = [
      'a/b',
      'acme.evil.com',
      'x'.repeat(64),
      '-a',
      'a-',
      'a_b',
      'a b',
      'acme@evil',
      'acme:80',
      'acme#',
      'ac%6De',
      'évian',
      '..',
      'acme/../x',
    ];
    for (const sub of invalid) {
      it(`refuses ${JSON.stringify(sub.length > 20 ? `${sub.slice(0, 10)}...(${sub.length})` : sub)}`, function () {
        throwsWith(() => resolveHosts({ region: 'us', subdomain: sub }), ConfigError, /not a valid Vitally subdomain/);
      });
    }

    it('requires a subdomain, and US is the default region', function () {
      throwsWith(() => resolveHosts({ region: 'us' }), ConfigError, /subdomain is required/);
      throwsWith(() => resolveHosts({ region: 'us', subdomain: '   ' }), ConfigError, /subdomain is required/);
      assert.deepEqual(resolveHosts({ subdomain: 'acme' }), US);
    });
  });

  it('EU has the EU REST host and says there is no documented Analytics host', function () {
    assert.equal(EU.restBase, 'https://rest.vitally-eu.io/resources');
    assert.equal(EU.analyticsBase, undefined);
    assert.match(EU.analyticsError, /EU/);
    // The subdomain plays no part in EU URLs, even a malformed one.
    assert.deepEqual(resolveHosts({ region: 'eu', subdomain: 'a/b' }), EU);
  });

  it('custom builds both bases on the given origin', function () {
    assert.equal(CUSTOM.restBase, 'http://127.0.0.1:4010/resources');
    assert.equal(CUSTOM.analyticsBase, 'http://127.0.0.1:4010/analytics/v1');
    const h = resolveHosts({ region: 'custom', baseUrl: ' https://Proxy.Example.com/ ' });
    assert.equal(h.restBase, 'https://proxy.example.com/resources');
  });

  it('refuses an unknown region', function () {
    throwsWith(
      () => resolveHosts({ region: 'apac', subdomain: 'acme' }),
      ConfigError,
      /region must be one of us, eu, custom, not "apac"/,
    );
  });

  describe('parseBaseUrl', function () {
    it('accepts an http(s) origin, with a port and an optional trailing slash', function () {
      assert.equal(parseBaseUrl('http://127.0.0.1:4010'), 'http://127.0.0.1:4010');
      assert.equal(parseBaseUrl('http://localhost:4010/'), 'http://localhost:4010');
      assert.equal(parseBaseUrl('https://vitally.example.com:443'), 'https://vitally.example.com');
    });

    const refused = {
      path: 'http://127.0.0.1:4010/resources',
      'path with slash': 'http://h/x/',
      query: 'http://h?x=1',
      'empty query': 'http://h?',
      fragment: 'http://h#f',
      'empty fragment': 'http://h/#',
      credentials: 'http://user:pw@h',
      'user only': 'https://user@h',
      ftp: 'ftp://h',
      file: 'file:///etc/passwd',
      javascript: 'javascript:alert(1)',
      relative: '/resources',
      'no scheme': '127.0.0.1:4010',
      empty: '',
    };
    for (const [what, raw] of Object.entries(refused)) {
      it(`refuses ${what}: ${JSON.stringify(raw)}`, function () {
        throwsWith(() => parseBaseUrl(raw), ConfigError);
        throwsWith(() => resolveHosts({ region: 'custom', baseUrl: raw }), ConfigError);
      });
    }
  });

  describe('apiOfUrl', function () {
    const api = (url, hosts) => apiOfUrl(new URL(url), hosts);

    it('tells REST from Analytics on the US hosts', function () {
      assert.equal(api('https://acme.rest.vitally.io/resources/accounts', US), 'rest');
      assert.equal(api('https://ACME.rest.vitally.io:443/resources/x', US), 'rest');
      assert.equal(api('https://acme.api.vitally.io/analytics/v1/batch', US), 'analytics');
      assert.equal(api('https://acme.api.vitally.io/analytics/v1', US), 'analytics');
    });

    it('tells REST from Analytics on one custom origin by the path', function () {
      assert.equal(api('http://127.0.0.1:4010/resources/users', CUSTOM), 'rest');
      assert.equal(api('http://127.0.0.1:4010/analytics/v1/track', CUSTOM), 'analytics');
      assert.equal(api('http://127.0.0.1:4010/analytics/v1', CUSTOM), 'analytics');
      assert.equal(api('http://127.0.0.1:4010/analytics/v10/track', CUSTOM), 'rest');
    });

    it('refuses other hosts, ports, schemes and look-alikes', function () {
      for (const url of [
        'https://other.rest.vitally.io/resources/accounts',
        'https://acme.rest.vitally.io.evil.com/resources',
        'https://evil.com/acme.rest.vitally.io/resources',
        'http://acme.rest.vitally.io/resources/accounts',
        'https://acme.rest.vitally.io:8443/resources/accounts',
        'https://rest.vitally-eu.io/resources/accounts',
      ]) {
        assert.equal(api(url, US), undefined, url);
      }
      assert.equal(api('http://127.0.0.1:4011/resources/x', CUSTOM), undefined);
      assert.equal(api('http://localhost:4010/resources/x', CUSTOM), undefined);
      assert.equal(api('https://rest.vitally-eu.io/resources/x', EU), 'rest');
      assert.equal(api('https://acme.api.vitally.io/analytics/v1/track', EU), undefined);
    });

    it('refuses URLs carrying credentials, even on the right host', function () {
      assert.equal(api('https://u:p@acme.rest.vitally.io/resources/accounts', US), undefined);
      assert.equal(api('https://u@acme.api.vitally.io/analytics/v1/batch', US), undefined);
      assert.equal(api('http://:p@127.0.0.1:4010/resources', CUSTOM), undefined);
    });
  });
});
