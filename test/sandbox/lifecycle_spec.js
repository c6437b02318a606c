'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { Sandbox, startSandbox } = require('../../dist/sandbox');
const { REST_AUTH } = require('./helpers');

describe('sandbox lifecycle', () => {
  it('listens on 127.0.0.1 on an ephemeral port and reports its url and port', async () => {
    const sb = await startSandbox();
    try {
      assert.ok(sb.port > 0);
      assert.equal(sb.url, `http://127.0.0.1:${sb.port}`);
    } finally {
      await sb.close();
    }
  });

  it('closes promptly even while a client holds an idle keep-alive connection', async () => {
    const sb = await startSandbox();
    const agent = new http.Agent({ keepAlive: true });
    await new Promise((resolve, reject) => {
      http
        .get(`${sb.url}/resources/accounts`, { agent, headers: { Authorization: REST_AUTH } }, (res) =>
          res.resume().on('end', resolve),
        )
        .on('error', reject);
    });
    const start = Date.now();
    await sb.close();
    assert.ok(Date.now() - start < 1000, `close took ${Date.now() - start} ms`);
    await sb.close(); // a second close is harmless
    agent.destroy();
  });

  it('rejects start() when the port is taken', async () => {
    const first = await startSandbox();
    try {
      await assert.rejects(new Sandbox({ port: first.port }).start(), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it('rejects impossible options at construction', () => {
    assert.throws(() => new Sandbox({ rateLimit: 0 }), /rateLimit/);
    assert.throws(() => new Sandbox({ faults: { dropRate: -1 } }), /dropRate/);
    assert.throws(() => new Sandbox({ data: { widgets: [{}] } }), /widgets/);
  });
});
