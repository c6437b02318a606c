'use strict';
/*
 * The admin routes under Node-RED's own adminAuth, in a real Node-RED: the routes that
 * evaluate flow settings (env, JSONata) or use stored keys need vitally.write, so a read-only
 * editor user is refused with Node-RED's 401; the catalogue needs vitally.read. Malformed
 * bodies, including what any web page can post form-encoded, are 400s and never crash it.
 */
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startNodeRed } = require('../examples/node-red-runner');

const ROOT = path.join(__dirname, '..', '..');
const bcrypt = require(
  require.resolve('bcryptjs', { paths: [path.dirname(require.resolve('@node-red/editor-api/package.json'))] }),
);

describe('admin routes under adminAuth (real Node-RED)', function () {
  this.timeout(60000);
  let red;
  let userDir;
  const tokens = {};

  async function token(username, scope) {
    const res = await fetch(`${red.url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_id: 'node-red-admin',
        grant_type: 'password',
        scope,
        username,
        password: 'secret-pw',
      }),
    });
    assert.strictEqual(res.status, 200, `login as ${username}`);
    return (await res.json()).access_token;
  }

  const call = (method, route, who, body, contentType = 'application/json') =>
    fetch(red.url + route, {
      method,
      headers: {
        ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}),
        ...(body !== undefined ? { 'Content-Type': contentType } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-auth-'));
    const password = bcrypt.hashSync('secret-pw', 8);
    red = await startNodeRed({
      userDir,
      settings: {
        nodesDir: [ROOT],
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'admin', password, permissions: '*' },
            { username: 'viewer', password, permissions: 'read' },
          ],
        },
      },
    });
    tokens.admin = await token('admin', '*');
    tokens.viewer = await token('viewer', 'read');
  });

  after(async function () {
    if (red) await red.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('serves the catalogue to a read-only user, and to nobody without a token', async function () {
    assert.strictEqual((await call('GET', '/vitally/endpoints', 'viewer')).status, 200);
    assert.strictEqual((await call('GET', '/vitally/endpoints')).status, 401);
  });

  for (const route of ['/vitally/test-connection', '/vitally/preview', '/vitally/test-send']) {
    it(`${route} refuses a read-only user with 401 and answers an admin`, async function () {
      const body = { node: { endpoint: 'createAccount' }, record: {}, region: 'eu' };
      assert.strictEqual((await call('POST', route, 'viewer', body)).status, 401);
      assert.strictEqual((await call('POST', route, undefined, body)).status, 401);
      const res = await call('POST', route, 'admin', body);
      assert.strictEqual(res.status, 200, await res.text());
    });
  }

  it('shows the last record a node received only to users who may write', async function () {
    assert.strictEqual((await call('GET', '/vitally/last-record/n1', 'viewer')).status, 401);
    assert.strictEqual((await call('GET', '/vitally/last-record/n1', 'admin')).status, 404, 'no such node yet');
  });

  it('answers malformed bodies with 400 { error } and keeps running', async function () {
    const cases = [
      ['/vitally/test-connection', { region: 'eu', apiKey: 123 }],
      ['/vitally/test-connection', 'region=eu&apiKey[x]=1', 'application/x-www-form-urlencoded'],
      ['/vitally/test-connection', [1, 2]],
      ['/vitally/preview', { node: 'createAccount' }],
      ['/vitally/preview', { node: {}, records: 'many' }],
      ['/vitally/test-send', 'node[endpoint]=createAccount&records=x', 'application/x-www-form-urlencoded'],
    ];
    for (const [route, body, type] of cases) {
      const res = await call('POST', route, 'admin', body, type);
      assert.strictEqual(res.status, 400, `${route} ${JSON.stringify(body)}`);
      assert.match((await res.json()).error, /must be/);
    }
    assert.strictEqual((await call('GET', '/vitally/endpoints', 'admin')).status, 200, 'Node-RED still answers');
  });

  it('renders at most 100 records of a huge preview, quickly', async function () {
    const records = Array.from({ length: 20000 }, (_, i) => ({ externalId: `x${i}`, name: `X ${i}` }));
    const started = Date.now();
    const res = await call('POST', '/vitally/preview', 'admin', {
      node: { endpoint: 'createAccount' },
      config: { region: 'eu' },
      records,
    });
    const body = await res.json();
    assert.strictEqual(res.status, 200);
    assert.strictEqual(body.length, 100);
    assert.strictEqual(body[99].body.externalId, 'x99');
    assert.ok(Date.now() - started < 20000);
  });
});
