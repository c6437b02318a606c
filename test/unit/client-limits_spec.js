'use strict';
/**
 * client/http: bounded responses and error texts, and a hostile server (huge or odd headers,
 * garbage, broken compression) ends as a result: send never throws or rejects.
 */
const assert = require('node:assert/strict');
const zlib = require('node:zlib');

const { VitallyClient, errorText } = require('../../dist/client/http');
const { httpServer, rawServer, hostsFor } = require('./client-servers');

const MB = 1024 * 1024;

describe('client/http limits', function () {
  describe('errorText', function () {
    it('quotes at most 500 characters of a non-JSON body, then the total length', function () {
      const page = `<html>${'<p>Bad gateway</p>'.repeat(20000)}</html>`.slice(0, 320412);
      assert.equal(page.length, 320412);
      const text = errorText(page);
      assert.equal(text.length, 500 + '… (320412 characters)'.length);
      assert.ok(text === `${page.slice(0, 500)}… (320412 characters)`, text.slice(-60));
    });

    it('caps huge JSON error fields and bodies the same way', function () {
      const huge = 'e'.repeat(100000);
      const capped = `${'e'.repeat(500)}… (100000 characters)`;
      for (const body of [{ error: huge }, { message: huge }]) {
        const text = errorText(body);
        assert.ok(text === capped, `${text.length} characters: ${text.slice(-40)}`);
      }
      const nested = errorText({ error: { detail: huge } });
      assert.ok(nested.length < 600 && nested.endsWith('… (100013 characters)'), nested.slice(-40));
      const body = errorText({ items: Array.from({ length: 20000 }, (_, i) => i) });
      assert.ok(body.length < 600 && /… \(\d+ characters\)$/.test(body));
    });

    it('leaves short texts alone and never splits a surrogate pair', function () {
      assert.equal(errorText({ error: 'bad key' }), 'bad key');
      assert.equal(errorText('x'.repeat(500)), 'x'.repeat(500));
      const emoji = `${'a'.repeat(499)}${'😀'.repeat(10)}`;
      const text = errorText(emoji);
      assert.ok(text.startsWith('a'.repeat(499) + '…'), 'the half emoji is left out');
      assert.ok(text.endsWith(`(${emoji.length} characters)`));
    });

    it('never throws on a body it cannot print', function () {
      const cyclic = { a: 1 };
      cyclic.self = cyclic;
      assert.equal(typeof errorText(cyclic), 'string');
      assert.equal(typeof errorText({ error: 10n }), 'string');
      assert.equal(typeof errorText(Object.create(null)), 'string');
    });
  });

  describe('responses', function () {
    let target;
    let hosts;
    let client;
    let behave;
    before(async function () {
      target = await httpServer((req, res) => behave(req, res));
      hosts = hostsFor(target.origin);
      client = new VitallyClient(hosts, { apiKey: 'key' }, 15000, 4);
    });
    after(async function () {
      client.close();
      await target.close();
    });
    const get = () => client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' });

    it('fails a response of more than 10 MB instead of buffering it whole', async function () {
      let written = 0;
      let finished = false;
      behave = (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (written < 11 * MB) {
            written += chunk.length;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          finished = true;
          res.end();
        };
        res.on('error', () => {});
        pump();
      };
      const res = await get();
      assert.equal(res.status, undefined);
      assert.equal(res.error, 'response too large: more than 10 MB');
      assert.equal(res.local, undefined);
      assert.ok(!finished || written <= 11 * MB);
    });

    it('counts the decompressed size: a small gzip of 12 MB fails the same way', async function () {
      const zipped = zlib.gzipSync(Buffer.alloc(12 * MB, ' '));
      assert.ok(zipped.length < 100 * 1024);
      behave = (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end(zipped);
      };
      const res = await get();
      assert.equal(res.error, 'response too large: more than 10 MB');
    });

    it('takes a large response under the limit', async function () {
      const items = Array.from({ length: 40000 }, (_, i) => ({ id: `id-${i}`, name: 'n'.repeat(100) }));
      behave = (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ results: items }));
      };
      const res = await get();
      assert.equal(res.status, 200);
      assert.equal(res.body.results.length, 40000);
    });

    it('keeps a 320 KB HTML error page as the body but quotes only 500 characters of it', async function () {
      const page = `<html>${'x'.repeat(320000)}</html>`;
      behave = (req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end(page);
      };
      const res = await get();
      assert.equal(res.status, 502);
      const text = errorText(res.body);
      assert.ok(text === `${page.slice(0, 500)}… (${page.length} characters)`, `${text.length} characters`);
    });

    it('answers a broken gzip body with a network error', async function () {
      behave = (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end('this is not gzip at all');
      };
      const res = await get();
      assert.equal(res.status, undefined);
      assert.match(res.error, /^network error: /);
    });

    it('takes header names that shadow methods or the prototype without harm', async function () {
      behave = (req, res) => {
        res.setHeader('set', 'x');
        res.setHeader('get', 'x');
        res.setHeader('has', 'x');
        res.setHeader('toJSON', 'x');
        res.setHeader('constructor', 'x');
        res.setHeader('__proto__', 'x');
        res.setHeader('hasOwnProperty', 'x');
        res.setHeader('RateLimit-Remaining', '7');
        res.end('{"id":"a"}');
      };
      const res = await get();
      assert.equal(res.error, undefined);
      assert.equal(res.status, 200);
      assert.equal(res.headers['ratelimit-remaining'], '7');
      assert.equal(Object.getPrototypeOf(res.headers), Object.prototype, 'a __proto__ header sets no prototype');
      assert.equal(typeof res.headers.hasOwnProperty, 'function');
      assert.equal(JSON.stringify(res.headers).includes('ratelimit-remaining'), true);
    });
  });

  describe('a hostile server', function () {
    let raw;
    let client;
    let answer;
    before(async function () {
      raw = await rawServer((socket) => answer(socket));
      const hosts = hostsFor(`http://127.0.0.1:${raw.port}`);
      client = new VitallyClient(hosts, { apiKey: 'key' }, 5000, 4);
      this.send = () => client.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' });
    });
    after(async function () {
      client.close();
      await raw.close();
    });

    const cases = {
      'an enormous header': (s) =>
        s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200000)}\r\nContent-Length: 2\r\n\r\n{}`),
      'thousands of headers': (s) =>
        s.end(`HTTP/1.1 200 OK\r\n${Array.from({ length: 5000 }, (_, i) => `X-${i}: v`).join('\r\n')}\r\n\r\n`),
      'a header with a control character': (s) =>
        s.end('HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 2\r\n\r\n{}'),
      'something that is not HTTP': (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'),
      'a body shorter than its Content-Length': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a":'),
      'an invalid status line': (s) => s.end('HTTP/1.1 2000000 OK\r\nContent-Length: 2\r\n\r\n{}'),
      'a closed connection': (s) => s.destroy(),
    };
    for (const [what, reply] of Object.entries(cases)) {
      it(`ends ${what} as a network error result`, async function () {
        answer = reply;
        const res = await this.send();
        assert.equal(res.status, undefined);
        assert.match(res.error, /^network error: /);
        assert.ok(res.error.length < 700);
      });
    }
  });
});
