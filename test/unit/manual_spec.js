'use strict';
const assert = require('node:assert/strict');

const { parseManualSettings, planManualRecord, planManualBatch } = require('../../dist/request/manual');
const { ConfigError, RecordError } = require('../../dist/core/errors');
const { parseExclude } = require('../../dist/request/body');
const { US, CUSTOM, throwsWith } = require('./helpers');

const manual = (method, url, headers) => parseManualSettings(method, url, headers);

describe('request/manual', function () {
  describe('parseManualSettings', function () {
    it('defaults to POST and upper-cases the method', function () {
      assert.equal(manual(undefined, '/x').method, 'POST');
      assert.equal(manual('put', '/x').method, 'PUT');
      assert.equal(manual('get', '/x').method, 'GET');
    });

    it('takes GET, POST, PUT and DELETE; refuses PATCH and others; needs a URL', function () {
      for (const m of ['GET', 'POST', 'PUT', 'DELETE']) assert.equal(manual(m, '/x').method, m);
      for (const m of ['PATCH', 'HEAD', 'OPTIONS', 'CONNECT']) {
        throwsWith(() => manual(m, '/x'), ConfigError, /GET, POST, PUT or DELETE/);
      }
      throwsWith(() => manual('POST', ''), ConfigError, /needs a URL/);
      throwsWith(() => manual('POST', '  '), ConfigError, /needs a URL/);
      throwsWith(() => manual('POST', undefined), ConfigError, /needs a URL/);
      assert.equal(manual('POST', ' /x ').url, '/x');
    });

    it('parses headers "h1:v1,h2:v2", trimming; values may hold colons', function () {
      assert.deepEqual(manual('POST', '/x', ' X-One : 1 , X-Two:a:b ,').headers, { 'X-One': '1', 'X-Two': 'a:b' });
      assert.deepEqual(manual('POST', '/x', '').headers, {});
      assert.deepEqual(manual('POST', '/x', undefined).headers, {});
      assert.deepEqual(manual('POST', '/x', 'X-Empty:').headers, { 'X-Empty': '' });
    });

    it('refuses malformed header names', function () {
      for (const bad of ['novalue', ':v', 'bad name:v', 'X(1):v', 'Ünicode:v']) {
        throwsWith(() => manual('POST', '/x', bad), ConfigError, /not name:value/);
      }
    });

    describe('design.md section 5 "Manual headers": configuration errors at deploy', function () {
      it('CR or LF (or NUL) in a name or a value', function () {
        for (const bad of [
          'X-A: a\r\nX-Injected: 1',
          'X-A: a\nHost: evil.example.com',
          'X-A: a\rb',
          'X-\nA: 1',
          'X-A: a\u0000b',
          'X-A:1,X-B: b\r\n\r\nGET / HTTP/1.1',
        ]) {
          throwsWith(() => manual('POST', '/x', bad), ConfigError, /may not contain line breaks/);
        }
      });

      const framing = ['Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Authorization'];
      const hopByHop = ['Keep-Alive', 'Upgrade', 'TE', 'Trailer', 'Proxy-Authorization', 'Proxy-Connection'];
      const overrides = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'];
      for (const name of [...framing, ...hopByHop, ...overrides, 'Proxy-Anything']) {
        it(`${name}, in any case`, function () {
          for (const spelled of [
            name,
            name.toLowerCase(),
            name.toUpperCase(),
            name.replace(/^./, (c) => c.toLowerCase()),
          ]) {
            throwsWith(
              () => manual('POST', '/x', `X-Ok: 1, ${spelled}: value`),
              ConfigError,
              new RegExp(`header ${spelled} is set by the node or the connection and cannot be given in manual mode`),
            );
          }
        });
      }

      it('a method override cannot get a DELETE past the delete guard', function () {
        throwsWith(
          () => manual('POST', '/accounts/a', 'X-HTTP-Method-Override: DELETE'),
          ConfigError,
          /cannot be given/,
        );
      });

      it('ordinary headers pass, names kept as written', function () {
        assert.deepEqual(manual('POST', '/x', 'X-Trace-Id: abc, Accept-Language: fr').headers, {
          'X-Trace-Id': 'abc',
          'Accept-Language': 'fr',
        });
      });
    });
  });

  describe('planManualRecord', function () {
    const view = { payload: { id: 'a/b c', raw: 'x/y' }, topic: 't' };
    const plan = (m, body = { a: 1 }, hosts = US, exclude = [], v = view) =>
      planManualRecord(m, hosts, v, body, exclude);
    const withId = (template, id, hosts = US, method = 'DELETE') =>
      planManualRecord(manual(method, template), hosts, { payload: { id } }, { a: 1 }, []);

    it('resolves a relative path under the REST base, encoding {{x}}', function () {
      const req = plan(manual('PUT', '/accounts/{{payload.id}}'));
      assert.equal(req.method, 'PUT');
      assert.equal(req.url, 'https://acme.rest.vitally.io/resources/accounts/a%2Fb%20c');
      assert.equal(req.api, 'rest');
      assert.deepEqual(req.body, { a: 1 });
      assert.equal(plan(manual('POST', 'accounts')).url, 'https://acme.rest.vitally.io/resources/accounts');
    });

    it('inserts {{{x}}} as written', function () {
      assert.equal(
        plan(manual('PUT', '/things/{{{payload.raw}}}')).url,
        'https://acme.rest.vitally.io/resources/things/x/y',
      );
    });

    it('refuses a URL value that is missing, blank, an object or not finite (design.md section 5 "Ids")', function () {
      for (const [id, got] of [
        [undefined, 'missing'],
        ['', 'blank'],
        ['  ', 'blank'],
        [null, 'null'],
        [{ a: 1 }, 'object'],
        [['a'], 'an array'],
        [true, 'boolean'],
        [NaN, 'NaN'],
        [Infinity, 'Infinity'],
      ]) {
        throwsWith(
          () => withId('/accounts/{{payload.id}}', id),
          RecordError,
          new RegExp(`^URL: .* is ${got}, not an id`),
        );
        throwsWith(() => withId('/accounts/{{{payload.id}}}', id), RecordError, new RegExp(`is ${got}, not an id`));
      }
      assert.equal(withId('/accounts/{{payload.id}}', 0).url, 'https://acme.rest.vitally.io/resources/accounts/0');
    });

    it('refuses a dot or empty path segment', function () {
      for (const id of ['.', '..', 'x/', 'a//b', 'a/./b']) {
        throwsWith(() => withId('/accounts/{{{payload.id}}}', id), RecordError, /empty or dot path segment/);
      }
      for (const id of ['.', '..']) {
        throwsWith(() => withId('/accounts/{{payload.id}}', id), RecordError, /empty or dot path segment/);
      }
    });

    describe('design.md section 5 "Ids": the rendered, percent-decoded URL stays under its base', function () {
      const hostile = [
        ['%2e%2e/%2e%2e/analytics/v1/batch', /empty or dot path segment/],
        ['%2e%2e%2f%2e%2e%2fanalytics%2fv1%2fbatch', /empty or dot path segment/],
        ['%2E%2E', /empty or dot path segment/],
        ['.%2e', /empty or dot path segment/],
        ['%252e%252e', /empty or dot path segment/],
        ['%25252e%25252e', /empty or dot path segment/],
        ['../../analytics/v1/batch', /empty or dot path segment/],
        ['x/../../analytics/v1/batch', /empty or dot path segment/],
        ['..\\..\\x', /backslash/],
        ['a%5cb', /encoded backslash/],
        ['a%255Cb', /encoded backslash/],
        ['a#b', /fragment/],
        ['a?x=1#frag', /fragment/],
        ['%zz', /malformed percent-escape/],
      ];
      for (const [id, pattern] of hostile) {
        it(`refuses ${JSON.stringify(id)} as a record error, encoded ({{x}}) or raw ({{{x}}})`, function () {
          for (const hosts of [US, CUSTOM]) {
            throwsWith(() => withId('/accounts/{{{payload.id}}}', id, hosts), RecordError, pattern);
            if (!/[#]/.test(id)) {
              throwsWith(() => withId('/accounts/{{payload.id}}', id, hosts), RecordError, /./);
            }
          }
        });
      }

      it('an id with an encoded "#" or "?" is one segment, not a fragment or a query', function () {
        assert.equal(
          withId('/accounts/{{payload.id}}', 'a#b').url,
          'https://acme.rest.vitally.io/resources/accounts/a%23b',
        );
        assert.equal(
          withId('/accounts/{{payload.id}}', 'a?b').url,
          'https://acme.rest.vitally.io/resources/accounts/a%3Fb',
        );
      });

      it('refuses dot segments and fragments written into the template itself', function () {
        throwsWith(() => withId('/resources/../analytics/v1/batch', 'x', CUSTOM), RecordError, /dot path segment/);
        throwsWith(
          () => withId('http://127.0.0.1:4010/resources%2f..%2fanalytics/v1/batch', 'x', CUSTOM),
          RecordError,
          /dot path segment/,
        );
        throwsWith(() => withId('https://acme.rest.vitally.io/resources/x#frag', 'x'), RecordError, /fragment/);
      });

      it('refuses a switch from the REST base to the Analytics base on a shared host', function () {
        // The sandbox and custom hosts serve both APIs from one origin: only the path tells them apart.
        throwsWith(
          () => withId('http://127.0.0.1:4010/resources/{{{payload.id}}}', '../analytics/v1/batch', CUSTOM, 'POST'),
          RecordError,
          /dot path segment/,
        );
        throwsWith(
          () => withId('/{{{payload.id}}}', 'analytics/v1/batch', CUSTOM, 'POST'),
          RecordError,
          /is outside the REST API|leaves the REST API it targets/,
        );
        throwsWith(
          () =>
            withId('https://acme.api.vitally.io/analytics/v1/{{{payload.id}}}', '../../resources/accounts', US, 'POST'),
          RecordError,
          /dot path segment/,
        );
      });

      it('refuses a path on the right host outside both bases', function () {
        throwsWith(
          () => withId('https://acme.rest.vitally.io/{{{payload.id}}}', 'analytics/v1/batch', US, 'POST'),
          RecordError,
          /outside the REST API \(\/resources\) and the Analytics API/,
        );
        throwsWith(() => withId('https://acme.rest.vitally.io/RESOURCES/x', 'x'), RecordError, /outside the REST API/);
        throwsWith(() => withId('https://acme.rest.vitally.io/resourcesx', 'x'), RecordError, /outside the REST API/);
      });

      it('refuses dot segments hidden by tabs, newlines or a trailing space', function () {
        for (const id of ['a/\t../\t../users/u1', 'a/.\n./.\r./users/u1', '\t..', '.. ']) {
          throwsWith(() => withId('/accounts/{{{payload.id}}}', id), RecordError, /dot path segment|not an id/);
        }
      });
    });

    it('accepts an absolute URL on the configured REST or Analytics host', function () {
      const rest = plan(manual('POST', 'https://acme.rest.vitally.io/resources/notes'));
      assert.equal(rest.api, 'rest');
      assert.equal(rest.url, 'https://acme.rest.vitally.io/resources/notes');
      const batch = plan(manual('POST', 'https://acme.api.vitally.io/analytics/v1/batch'), [{ type: 'track' }]);
      assert.equal(batch.api, 'analytics');
      const custom = plan(manual('POST', 'http://127.0.0.1:4010/analytics/v1/track'), {}, CUSTOM);
      assert.equal(custom.api, 'analytics');
      assert.equal(
        plan(manual('POST', 'HTTPS://ACME.REST.VITALLY.IO:443/resources/x')).url,
        'https://acme.rest.vitally.io/resources/x',
      );
    });

    it('refuses an absolute URL on another host, with credentials, or one a {{{x}}} moves elsewhere', function () {
      for (const url of [
        'https://evil.example.com/resources/notes',
        'https://other.rest.vitally.io/resources/notes',
        'http://acme.rest.vitally.io/resources/notes',
      ]) {
        throwsWith(() => plan(manual('POST', url)), RecordError, /not the configured Vitally host/);
      }
      // Refused too (its text says "outside the REST API", which is less to the point).
      throwsWith(() => plan(manual('POST', 'https://u:p@acme.rest.vitally.io/resources/notes')), RecordError, /./);
      for (const [url, host] of [
        ['https://{{{payload.host}}}/x', 'evil.example.com'],
        ['https://acme.rest.vitally.io{{{payload.host}}}', '.evil.example.com/resources/x'],
        ['https://acme.rest.vitally.io{{{payload.host}}}', ':443@evil.example.com/resources/x'],
      ]) {
        throwsWith(
          () => planManualRecord(manual('POST', url), US, { payload: { host } }, {}, []),
          RecordError,
          /not the configured Vitally host/,
        );
      }
    });

    it('keeps a relative path on the REST host whatever it renders to', function () {
      const hostile = { payload: { p: '//evil.example.com/x', q: '@evil.example.com' } };
      const req = planManualRecord(manual('POST', '/{{{payload.q}}}'), US, hostile, {}, []);
      assert.equal(new URL(req.url).origin, 'https://acme.rest.vitally.io');
      // Decoded, the encoded value starts an empty segment: refused rather than sent.
      for (const url of ['{{payload.p}}', '{{{payload.p}}}']) {
        throwsWith(
          () => planManualRecord(manual('POST', url), US, hostile, {}, []),
          RecordError,
          /empty or dot path segment/,
        );
      }
    });

    it('sends the record as written: no stamps, exclusions applied, GET and DELETE without body', function () {
      const post = plan(
        manual('POST', 'https://acme.api.vitally.io/analytics/v1/track'),
        { event: 'e', s: 1 },
        US,
        parseExclude('s'),
      );
      assert.deepEqual(post.body, { event: 'e' });
      const del = plan(manual('DELETE', '/accounts/{{payload.id}}'), { a: 1 });
      assert.equal(del.method, 'DELETE');
      assert.ok(!('body' in del));
      assert.equal(del.orderKey, del.url);
      const get = plan(manual('GET', '/accounts/{{payload.id}}'), { a: 1 });
      assert.equal(get.method, 'GET');
      assert.ok(!('body' in get));
      assert.equal(get.orderKey, undefined);
    });

    it('orders PUT and DELETE by URL, not POST', function () {
      assert.equal(plan(manual('POST', '/accounts')).orderKey, undefined);
      const put = plan(manual('PUT', '/accounts/{{payload.id}}'));
      assert.equal(put.orderKey, put.url);
    });

    it('carries the extra headers, and none when there are none', function () {
      assert.deepEqual(plan(manual('POST', '/x', 'X-Trace:abc')).headers, { 'X-Trace': 'abc' });
      assert.equal(plan(manual('POST', '/x')).headers, undefined);
    });
  });

  it('a manual batch sends the records as one JSON array to the group URL', function () {
    const m = manual('POST', 'https://acme.api.vitally.io/analytics/v1/batch', 'X-A:1');
    const parts = [{ n: 1 }, { n: 2 }].map((body) => planManualRecord(m, US, {}, body, []));
    const req = planManualBatch(parts);
    assert.equal(req.url, parts[0].url);
    assert.equal(req.method, 'POST');
    assert.equal(req.api, 'analytics');
    assert.deepEqual(req.headers, { 'X-A': '1' });
    assert.deepEqual(req.body, [{ n: 1 }, { n: 2 }]);
  });
});
