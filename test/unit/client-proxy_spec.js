'use strict';
/**
 * client/http through a proxy, as Node-RED's core http request node does it: HTTP_PROXY,
 * HTTPS_PROXY and NO_PROXY (either case) read when the client is created, a CONNECT tunnel
 * for https targets so the proxy never sees the key, certificates always verified.
 *
 * The proxy here is a real forward proxy on 127.0.0.1 that records what it could read. The
 * full TLS round trip needs a certificate the client trusts: it is generated at test time with
 * openssl (skipped without it) and trusted the way a user would, NODE_EXTRA_CA_CERTS, which
 * Node reads at start-up, so that case runs in a child process.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { execFile, execFileSync } = require('node:child_process');
const { promisify } = require('node:util');

const { VitallyClient } = require('../../dist/client/http');
const {
  httpServer,
  rawServer,
  forwardProxy,
  listen,
  hostsFor,
  withProxyEnv,
  sleep,
  PROXY_VARS,
} = require('./client-servers');

const KEY = 'sk_live_proxy_test_key';
const AUTH = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

/** A self-signed certificate for 127.0.0.1, or undefined when openssl is not there. */
function makeCertificate() {
  let dir;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-client-tls-'));
    const keyPath = path.join(dir, 'key.pem');
    const certPath = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat(
        ['-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1'],
        ['-addext', 'subjectAltName=IP:127.0.0.1'],
      ),
      { stdio: 'ignore', timeout: 20000 },
    );
    return { dir, certPath, key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath) };
  } catch {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

describe('client/http proxies', function () {
  let proxy;
  let target;
  let hosts;
  before(async function () {
    proxy = await forwardProxy();
    target = await httpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"v1"}');
    });
    hosts = hostsFor(target.origin);
  });
  after(async function () {
    await proxy.close();
    await target.close();
  });
  beforeEach(function () {
    target.seen.length = 0;
    proxy.state.requests.length = 0;
    proxy.state.connects.length = 0;
    proxy.state.answerConnect = 200;
  });

  /** Create a client under `vars`, send one REST call, close the client. */
  async function sendWith(vars, toHosts = hosts, timeoutMs = 5000) {
    const client = await withProxyEnv(vars, () => new VitallyClient(toHosts, { apiKey: KEY }, timeoutMs, 2));
    try {
      return await client.send({ method: 'POST', url: `${toHosts.restBase}/accounts`, api: 'rest', body: { n: 1 } });
    } finally {
      client.close();
    }
  }
  const proxied = () => proxy.state.connects.length + proxy.state.requests.length;

  it('sends an http target through HTTP_PROXY', async function () {
    const res = await sendWith({ HTTP_PROXY: proxy.url });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: 'v1' });
    // hpagent tunnels http targets too (CONNECT), and axios's own proxying adds nothing.
    assert.deepEqual(
      proxy.state.connects.map((c) => c.url),
      [`127.0.0.1:${target.port}`],
    );
    assert.equal(proxy.state.requests.length, 0);
    assert.equal(target.seen.length, 1);
    assert.equal(target.seen[0].headers.authorization, AUTH);
    // A plain-http target's request crosses the proxy in clear text: the proxy necessarily
    // sees it, Authorization included. That is what http:// means; only https hides it.
    assert.ok(proxy.state.tunnelledText().includes(AUTH));
  });

  it('honours the lower-case names, and ALL_PROXY', async function () {
    await sendWith({ http_proxy: proxy.url });
    assert.equal(proxied(), 1);
    await sendWith({ all_proxy: proxy.url });
    assert.equal(proxied(), 2);
  });

  it('goes direct for a host NO_PROXY names (either case, with or without a port, or *)', async function () {
    for (const vars of [
      { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      { http_proxy: proxy.url, no_proxy: `example.com, 127.0.0.1:${target.port}` },
      { HTTP_PROXY: proxy.url, NO_PROXY: '*' },
    ]) {
      const res = await sendWith(vars);
      assert.equal(res.status, 200, JSON.stringify(vars));
    }
    assert.equal(proxied(), 0);
    assert.equal(target.seen.length, 3);
    // A NO_PROXY entry for another port does not apply.
    await sendWith({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1:1' });
    assert.equal(proxied(), 1);
  });

  it('reads the environment when the client is created, not on each send', async function () {
    const viaProxy = await withProxyEnv(
      { HTTP_PROXY: proxy.url },
      () => new VitallyClient(hosts, { apiKey: KEY }, 5000, 2),
    );
    const direct = await withProxyEnv({}, () => new VitallyClient(hosts, { apiKey: KEY }, 5000, 2));
    try {
      await withProxyEnv({}, () => viaProxy.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }));
      assert.equal(proxied(), 1);
      await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
        direct.send({ method: 'GET', url: `${hosts.restBase}/users`, api: 'rest' }),
      );
      assert.equal(proxied(), 1);
      assert.equal(target.seen.length, 2);
    } finally {
      viaProxy.close();
      direct.close();
    }
  });

  it('sends the proxy its credentials on CONNECT only, and never names them', async function () {
    const url = new URL(proxy.url);
    url.username = 'corp';
    url.password = 'p@ss';
    const res = await sendWith({ HTTP_PROXY: url.href });
    assert.equal(res.status, 200);
    assert.equal(
      proxy.state.connects[0].headers['proxy-authorization'],
      `Basic ${Buffer.from('corp:p@ss').toString('base64')}`,
    );
    assert.equal(target.seen[0].headers['proxy-authorization'], undefined);
    proxy.state.answerConnect = 407;
    const refused = await sendWith({ HTTP_PROXY: url.href });
    assert.equal(
      refused.error,
      `proxy error: the proxy http://127.0.0.1:${proxy.port} refused the tunnel to 127.0.0.1:${target.port} (HTTP 407)`,
    );
    assert.ok(!/corp|p%40ss|p@ss/.test(refused.error));
  });

  it('says when the proxy is down, and times out a proxy that never answers', async function () {
    const closed = await rawServer(() => {});
    const closedPort = closed.port;
    await closed.close();
    const down = await sendWith({ HTTP_PROXY: `http://127.0.0.1:${closedPort}` });
    assert.equal(down.error, `connection refused: the proxy http://127.0.0.1:${closedPort} (ECONNREFUSED)`);
    assert.equal(down.local, undefined);
    const silent = await rawServer(() => {});
    try {
      const started = Date.now();
      const res = await sendWith({ HTTP_PROXY: `http://127.0.0.1:${silent.port}` }, hosts, 300);
      assert.match(res.error, /^timeout: /);
      assert.ok(Date.now() - started < 1500);
    } finally {
      await silent.close();
    }
  });

  it('refuses to send when the proxy setting is unusable, as a local error', async function () {
    for (const [vars, error] of [
      [{ HTTP_PROXY: 'http://' }, 'proxy: HTTP_PROXY is not a valid proxy URL'],
      [
        { http_proxy: 'socks5://127.0.0.1:1080' },
        'proxy: http_proxy names a socks5:// proxy; only http:// and https:// proxies work',
      ],
    ]) {
      const res = await sendWith(vars);
      assert.deepEqual(res, { headers: {}, body: undefined, error, local: true });
    }
    assert.equal(target.seen.length, 0);
  });

  describe('https targets', function () {
    let tls;
    before(function () {
      tls = makeCertificate();
    });
    after(function () {
      if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
    });

    it('opens a CONNECT tunnel for an https target; the proxy sees no Authorization', async function () {
      // Any TLS-speaking or silent target will do: what matters is what the proxy sees.
      const seen = [];
      const raw = await rawServer((socket, data) => {
        seen.push(data);
        socket.destroy();
      });
      try {
        const tlsHosts = hostsFor(`https://127.0.0.1:${raw.port}`);
        const res = await sendWith({ HTTPS_PROXY: proxy.url, HTTP_PROXY: 'http://127.0.0.1:1' }, tlsHosts);
        assert.equal(res.status, undefined);
        assert.deepEqual(
          proxy.state.connects.map((c) => c.url),
          [`127.0.0.1:${raw.port}`],
        );
        const connect = proxy.state.connects[0];
        assert.equal(connect.headers.authorization, undefined);
        assert.equal(seen.length, 1);
        assert.equal(seen[0][0], 0x16, 'the tunnel carried a TLS handshake, not a request');
        assert.ok(!proxy.state.tunnelledText().includes(AUTH));
        assert.ok(!/authorization/i.test(proxy.state.tunnelledText()));
      } finally {
        await raw.close();
      }
    });

    it('takes a proxy setting without a scheme as an http proxy', async function () {
      const raw = await rawServer((socket) => socket.destroy());
      try {
        const tlsHosts = hostsFor(`https://127.0.0.1:${raw.port}`);
        await sendWith({ HTTPS_PROXY: `127.0.0.1:${proxy.port}` }, tlsHosts);
        assert.equal(proxy.state.connects.length, 1);
      } finally {
        await raw.close();
      }
    });

    it('verifies certificates, directly and through the tunnel', async function () {
      if (!tls) this.skip();
      const seen = [];
      const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        seen.push(req.headers);
        res.end('{}');
      });
      const secure = await listen(server);
      try {
        const tlsHosts = hostsFor(`https://127.0.0.1:${secure.port}`);
        const direct = await sendWith({}, tlsHosts);
        assert.match(direct.error, /^network error: .*self[- ]signed certificate/i);
        const tunnelled = await sendWith({ HTTPS_PROXY: proxy.url }, tlsHosts);
        assert.match(tunnelled.error, /^network error: .*self[- ]signed certificate/i);
        assert.equal(proxy.state.connects.length, 1);
        assert.equal(seen.length, 0, 'no request reached a server the client could not verify');
      } finally {
        await secure.close();
      }
    });

    it('reaches an https target through the tunnel with TLS end to end (NODE_EXTRA_CA_CERTS)', async function () {
      if (!tls) this.skip();
      this.timeout(30000);
      const seen = [];
      const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          seen.push({ url: req.url, headers: req.headers, body });
          res.writeHead(201, { 'Content-Type': 'application/json' });
          res.end('{"id":"tls-1"}');
        });
      });
      const secure = await listen(server);
      try {
        const dist = path.resolve(__dirname, '../../dist');
        const script = `
          const { VitallyClient } = require(${JSON.stringify(`${dist}/client/http`)});
          const { resolveHosts } = require(${JSON.stringify(`${dist}/core/hosts`)});
          const hosts = resolveHosts({ region: 'custom', baseUrl: ${JSON.stringify(`https://127.0.0.1:${secure.port}`)} });
          const client = new VitallyClient(hosts, { apiKey: ${JSON.stringify(KEY)} }, 10000, 2);
          client.send({ method: 'POST', url: hosts.restBase + '/accounts', api: 'rest', body: { name: 'n' } })
            .then((r) => { client.close(); process.stdout.write(JSON.stringify(r)); });
        `;
        const env = { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath, HTTPS_PROXY: proxy.url };
        for (const k of PROXY_VARS) if (k !== 'HTTPS_PROXY') delete env[k];
        const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env, timeout: 20000 });
        const res = JSON.parse(stdout);
        assert.equal(res.status, 201, stdout);
        assert.deepEqual(res.body, { id: 'tls-1' });
        assert.deepEqual(
          proxy.state.connects.map((c) => c.url),
          [`127.0.0.1:${secure.port}`],
        );
        assert.equal(seen.length, 1);
        assert.equal(seen[0].headers.authorization, AUTH, 'the key reaches the target');
        assert.equal(seen[0].body, '{"name":"n"}');
        assert.equal(proxy.state.connects[0].headers.authorization, undefined);
        const crossed = proxy.state.tunnelledText();
        assert.ok(crossed.length > 0);
        assert.ok(!crossed.includes(AUTH) && !crossed.includes(KEY), 'the proxy only relayed ciphertext');
        assert.ok(!crossed.includes('/resources/accounts'));
      } finally {
        await secure.close();
      }
      await sleep(10);
    });
  });
});
