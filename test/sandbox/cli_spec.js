'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { request } = require('./helpers');

const CLI = path.join(__dirname, '../../dist/sandbox/cli.js');

/** Starts the CLI and resolves once it prints its URL. */
function startCli(args, env = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  const url = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`CLI exited early: ${out}`)));
  });
  return { child, url, exited, output: () => out };
}

const basic = (key) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('sandbox CLI', () => {
  it('starts on 127.0.0.1 with the key, token and limits from flags and environment, and stops cleanly on SIGTERM', async () => {
    const cli = startCli(['--port', '0', '--rate-limit=2', '--window-ms', '5000'], {
      SANDBOX_API_KEY: 'env-key',
      SANDBOX_ANALYTICS_TOKEN: 'env-token',
    });
    const url = await cli.url;
    const sandbox = { url };
    const ok = await request(sandbox, 'GET', '/resources/accounts', { headers: { Authorization: basic('env-key') } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['ratelimit-limit'], '2, 2;window=5');
    const track = { userId: 'u', event: 'e', properties: {}, messageId: 'm' };
    assert.equal(
      (
        await request(sandbox, 'POST', '/analytics/v1/track', {
          body: track,
          headers: { Authorization: 'Basic env-token' },
        })
      ).status,
      200,
    );
    assert.ok(!cli.output().includes('env-key'), 'the key is not printed');
    cli.child.kill('SIGTERM');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
  });

  it('lets --key win over SANDBOX_API_KEY, and stops on SIGINT', async () => {
    const cli = startCli(['--port=0', '--key', 'flag-key'], { SANDBOX_API_KEY: 'env-key' });
    const sandbox = { url: await cli.url };
    assert.equal(
      (await request(sandbox, 'GET', '/resources/users', { headers: { Authorization: basic('flag-key') } })).status,
      200,
    );
    assert.equal(
      (await request(sandbox, 'GET', '/resources/users', { headers: { Authorization: basic('env-key') } })).status,
      401,
    );
    cli.child.kill('SIGINT');
    assert.equal((await cli.exited).code, 0);
  });

  it('starts the demo workspace with --seed demo and charges writes --write-cost units', async () => {
    const cli = startCli(['--port=0', '--seed', 'demo', '--write-cost', '4']);
    const sandbox = { url: await cli.url };
    const auth = { Authorization: basic('sandbox-key') };
    const accounts = await request(sandbox, 'GET', '/resources/accounts/acct-1', { headers: auth });
    assert.equal(accounts.status, 200);
    assert.equal(accounts.body.name, 'Northwind Retail');
    assert.equal(accounts.headers['ratelimit-remaining'], '999');
    const write = await request(sandbox, 'PUT', '/resources/accounts/acct-1', { body: { name: 'N' }, headers: auth });
    assert.equal(write.headers['ratelimit-remaining'], '995');
    assert.match(cli.output(), /Demo workspace: organizations org-1, org-2, org-3/);
    assert.match(cli.output(), /a read costs 1, a write 4/);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  it('takes SANDBOX_SEED and SANDBOX_WRITE_COST, with flags winning over them', async () => {
    const cli = startCli(['--port=0', '--write-cost=2'], { SANDBOX_SEED: 'demo', SANDBOX_WRITE_COST: '7' });
    const sandbox = { url: await cli.url };
    const state = await request(sandbox, 'GET', '/_sandbox/state');
    assert.deepEqual([state.body.settings.seed, state.body.settings.writeCost], ['demo', 2]);
    assert.equal(state.body.counts.organizations, 3);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
    const plain = startCli(['--port=0'], { SANDBOX_WRITE_COST: '7', SANDBOX_SEED: '' });
    const settings = (await request({ url: await plain.url }, 'GET', '/_sandbox/state')).body.settings;
    assert.deepEqual([settings.seed, settings.writeCost], [null, 7]);
    plain.child.kill('SIGTERM');
    await plain.exited;
  });

  it('exits with status 2 on an unknown seed name, and 1 on a write cost the limit cannot hold', async () => {
    const seed = startCli(['--seed', 'everything']);
    seed.url.catch(() => {});
    assert.equal((await seed.exited).code, 2);
    const cost = startCli(['--port=0', '--rate-limit', '5', '--write-cost', '6']);
    cost.url.catch(() => {});
    assert.equal((await cost.exited).code, 1);
  });

  it('exits with status 2 and the usage on an unknown option', async () => {
    const cli = startCli(['--colour', 'blue']);
    cli.url.catch(() => {});
    assert.equal((await cli.exited).code, 2);
  });
});
