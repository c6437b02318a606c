'use strict';
// Fleets configure the Vitally node from the environment: every config string may be
// `${NAME}`, which Node-RED substitutes when the flow starts (credentials included).
const assert = require('node:assert');
const { helper, nodeModules, flowFor, destination, outputs, run, API_KEY, sandboxPerTest } = require('./helpers');

describe('configuration from environment variables', function () {
  const fresh = sandboxPerTest();
  const names = ['VITALLY_TEST_REGION', 'VITALLY_TEST_BASE_URL', 'VITALLY_TEST_RATE', 'VITALLY_TEST_KEY'];
  afterEach(() => names.forEach((n) => delete process.env[n]));

  it('delivers with a config node whose settings and key come only from the environment', async function () {
    const { sandbox } = fresh;
    Object.assign(process.env, {
      VITALLY_TEST_REGION: 'custom',
      VITALLY_TEST_BASE_URL: sandbox.url,
      VITALLY_TEST_RATE: '50',
      VITALLY_TEST_KEY: API_KEY,
    });
    const config = {
      region: '${VITALLY_TEST_REGION}',
      baseUrl: '${VITALLY_TEST_BASE_URL}',
      rateLimit: '${VITALLY_TEST_RATE}',
    };
    const flow = flowFor(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], config);
    await helper.load(nodeModules, flow, { cfg: { apiKey: '${VITALLY_TEST_KEY}' } });
    const { result } = await run({ externalId: 'from-env', name: 'From the environment' });
    assert.strictEqual(result.vitally.succeeded, 1, JSON.stringify(result.vitally.results));
    assert.strictEqual(sandbox.get('accounts', 'from-env').name, 'From the environment');
    assert.strictEqual(helper.getNode('cfg').connection().scheduler.budget.limit, 50);
  });

  it('Test connection and the preview resolve ${NAME} settings from the environment, as the deployed node will', async function () {
    const { sandbox } = fresh;
    Object.assign(process.env, { VITALLY_TEST_REGION: 'custom', VITALLY_TEST_BASE_URL: sandbox.url });
    await helper.load(nodeModules, flowFor(sandbox, []), { cfg: { apiKey: API_KEY } });
    const dialog = { region: '${VITALLY_TEST_REGION}', baseUrl: '${VITALLY_TEST_BASE_URL}' };
    const res = await helper
      .request()
      .post('/vitally/test-connection')
      .send({ ...dialog, apiKey: API_KEY })
      .expect(200);
    assert.strictEqual(res.body.ok, true, res.body.message);
    const preview = await helper
      .request()
      .post('/vitally/preview')
      .send({ node: { endpoint: 'createAccount' }, config: dialog, record: { externalId: 'e', name: 'E' } })
      .expect(200);
    assert.strictEqual(preview.body[0].url, `${sandbox.url}/resources/accounts`);
  });

  it('an unset variable is a clear configuration error, not a request to a wrong host', async function () {
    const { sandbox } = fresh;
    const flow = flowFor(sandbox, [destination({ endpoint: 'createAccount' }), ...outputs], {
      region: 'custom',
      baseUrl: '${VITALLY_TEST_BASE_URL}',
    });
    await helper.load(nodeModules, flow, { cfg: { apiKey: API_KEY } });
    const before = sandbox.counters.total;
    const { result } = await run({ externalId: 'x', name: 'X' });
    assert.match(result.vitally.results[0].error, /base URL .* is not an absolute URL|base URL is required/);
    assert.strictEqual(sandbox.counters.total, before);
  });
});
