'use strict';
/*
 * Browser test of the editor halves: Node-RED 4 embedded in this process with the package
 * installed into a temporary userDir, the Vitally sandbox behind the config node, and
 * Debian's Chromium driven by playwright-core. It clicks through both dialogs the way a
 * user would and checks what reached the sandbox. Screenshots go to test-artifacts/.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const should = require('should');

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const PACKAGE = require(path.join(ROOT, 'package.json')).name;

const flowHeaders = { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' };

const { waitFor } = require('../examples/node-red-runner');

/** Polls `check` until it returns something truthy. */
const until = (what, check, timeout = 5000) => waitFor(check, { what, timeout });

describe('editor in a real browser', function () {
  this.timeout(60000);

  let sandbox;
  let RED;
  let server;
  let userDir;
  let browser;
  let page;
  let editorUrl;
  const pageErrors = [];

  const visibleParams = () =>
    page.evaluate(() =>
      $('.vitally-dest-param:visible')
        .map((i, e) => e.getAttribute('data-param'))
        .get(),
    );
  const chooseTemplate = async (id) => {
    await page.selectOption('#node-input-endpoint', id);
  };
  const previewText = () => page.textContent('#vitally-dest-preview');
  // Presses the inject node's button. A deploy answers before the new flows have started,
  // and the inject route 404s until they have.
  const inject = (body) =>
    until('the deployed inject node', async () => {
      const res = await fetch(`${editorUrl}inject/inj1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body || {}),
      });
      return res.status === 200;
    });

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`${CHROMIUM} is missing: the browser test must run in CI (apt-get install chromium)`);
      console.log(`      (skipped: ${CHROMIUM} is not installed; apt-get install chromium to run the browser test)`);
      this.skip();
    }
    const { chromium } = require('playwright-core');
    const { startSandbox } = require('../../dist/sandbox');
    sandbox = await startSandbox({ port: 0 });

    // Install the package the way npm would: userDir/node_modules/<name> -> this repository.
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-editor-'));
    const linkPath = path.join(userDir, 'node_modules', PACKAGE);
    fs.mkdirSync(path.dirname(linkPath), { recursive: true });
    fs.symlinkSync(ROOT, linkPath, 'dir');

    RED = require('node-red');
    // Admin (editor) at /, flows' HTTP endpoints under /api, as a user's settings.js would mount them.
    server = http.createServer((req, res) => {
      if (req.url === '/api' || req.url.startsWith('/api/')) {
        req.url = req.url.slice(4) || '/';
        RED.httpNode(req, res);
      } else {
        RED.httpAdmin(req, res);
      }
    });
    RED.init(server, {
      httpAdminRoot: '/',
      httpNodeRoot: '/api',
      userDir,
      flowFile: 'flows.json',
      credentialSecret: false,
      logging: { console: { level: process.env.NR_LOG || 'off' } },
      editorTheme: { tours: false, palette: { catalogues: [] } },
      telemetry: { enabled: false, updateNotification: false },
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    await RED.start();
    editorUrl = `http://127.0.0.1:${server.address().port}/`;

    const flows = [
      { id: 'tab1', type: 'tab', label: 'Vitally' },
      {
        id: 'vc1',
        type: 'vitally-config',
        name: '',
        region: 'custom',
        subdomain: '',
        baseUrl: sandbox.url,
        rateLimit: 1000,
        rateWindow: 60,
        concurrency: 4,
        timeout: 30,
        credentials: { apiKey: 'sandbox-key' },
      },
      {
        id: 'inj1',
        type: 'inject',
        z: 'tab1',
        x: 120,
        y: 80,
        props: [{ p: 'payload' }],
        payload: '{"externalId":"ext-inject-1","name":"Injected Co"}',
        payloadType: 'json',
        repeat: '',
        once: false,
        wires: [['d1']],
      },
      {
        id: 'd1',
        type: 'vitally-destination',
        z: 'tab1',
        x: 340,
        y: 80,
        vitally: 'vc1',
        endpoint: 'createAccount',
        wires: [[], []],
      },
    ];
    const res = await fetch(`${editorUrl}flows`, {
      method: 'POST',
      headers: flowHeaders,
      body: JSON.stringify({ flows }),
    });
    res.status.should.equal(200);

    // One message through the deployed node, so "Use last received" has a record.
    await inject();
    await until('the injected account in the sandbox', () =>
      sandbox.list('accounts').find((a) => a.externalId === 'ext-inject-1'),
    );

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // A fresh profile every run (playwright passes it to Chromium as --user-data-dir).
    browser = await chromium.launchPersistentContext(path.join(userDir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      viewport: { width: 1280, height: 1700 },
    });
    page = browser.pages()[0] || (await browser.newPage());
    page.setDefaultTimeout(10000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(editorUrl);
  });

  after(async function () {
    if (browser) await browser.close();
    if (RED && server) {
      await RED.stop();
      await new Promise((resolve) => server.close(resolve));
    }
    if (sandbox) await sandbox.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('shows the destination node in the palette and registers the config node', async function () {
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='vitally-destination']");
    (await page.textContent(".red-ui-palette-node[data-palette-type='vitally-destination'] .red-ui-palette-label"))
      .trim()
      .should.equal('vitally');
    // Config nodes never sit in the palette: check the editor knows the type and the deployed node.
    const config = await page.evaluate(() => {
      const def = RED.nodes.getType('vitally-config');
      const node = RED.nodes.node('vc1');
      return { category: def && def.category, label: node && RED.utils.getNodeLabel(node) };
    });
    config.should.eql({ category: 'config', label: new URL(sandbox.url).host });
  });

  it('shows only the ID fields the chosen template needs', async function () {
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('d1')));
    await page.waitForSelector('#node-input-endpoint option[value="updateCustomObjectInstance"]', {
      state: 'attached',
    });
    (await page.inputValue('#node-input-endpoint')).should.equal('createAccount');
    (await visibleParams()).should.eql([]);
    (await page.textContent('#vitally-dest-path')).should.equal('/accounts');

    await chooseTemplate('updateAccount');
    (await visibleParams()).should.eql(['accountId']);
    (await page.textContent('#vitally-dest-method')).should.equal('PUT');
    // The ID this template needs is empty: marked before deploy, with the reason.
    const accountIdError = () => page.evaluate(() => $('#node-input-accountId').hasClass('input-error'));
    (await accountIdError()).should.be.true();
    const accountIdBox = '.vitally-dest-param[data-param="accountId"] input.red-ui-typedInput-input';
    await page.fill(accountIdBox, '{{payload.id}}');
    await page.press(accountIdBox, 'Tab');
    await until('the accountId error cleared', async () => !(await accountIdError()));
    await page.fill(accountIdBox, '');
    await page.press(accountIdBox, 'Tab');

    await chooseTemplate('updateCustomObjectInstance');
    (await visibleParams()).should.eql(['customObjectId', 'instanceId']);

    await chooseTemplate('deleteAccount');
    (await visibleParams()).should.eql(['accountId']);
    (await page.isVisible('.vitally-dest-irreversible')).should.be.true();

    // REST templates cannot batch (and say why); Analytics templates can.
    (await page.isDisabled('#node-input-batch')).should.be.true();
    (await page.isVisible('.vitally-dest-batch-rest')).should.be.true();
    await chooseTemplate('analyticsTrack');
    (await visibleParams()).should.eql([]);
    (await page.isDisabled('#node-input-batch')).should.be.false();
    (await page.isVisible('.vitally-dest-irreversible')).should.be.false();

    await chooseTemplate('manual');
    (await visibleParams()).should.eql([]);
    (await page.isVisible('#node-input-url')).should.be.true();

    await chooseTemplate('createAccount');
    (await visibleParams()).should.eql([]);
    (await page.isVisible('#node-input-url')).should.be.false();
  });

  it('loads the last record the deployed node received', async function () {
    await page.click('#vitally-dest-last');
    await until('the last record in the sample box', async () =>
      /ext-inject-1/.test(await page.inputValue('#vitally-dest-sample')),
    );
  });

  it('previews the request for a sample record, exclusions applied', async function () {
    await page.fill(
      '#vitally-dest-sample',
      JSON.stringify({
        externalId: 'ext-browser-1',
        name: 'Browser Test Co',
        traits: { plan: 'pro', secret: 'hide me' },
      }),
    );
    await until('a preview of the sample', async () => /Browser Test Co/.test(await previewText()), 8000);
    (await page.textContent('#vitally-dest-preview .vitally-dest-method')).should.equal('POST');
    (await page.textContent('#vitally-dest-preview .vitally-dest-url')).should.equal(
      `${sandbox.url}/resources/accounts`,
    );
    (await previewText()).should.match(/hide me/);

    await page.click('.red-ui-editableList-addButton');
    await page.fill('.vitally-dest-exclude-item', 'traits.secret');
    await until('the preview without the excluded attribute', async () => !/hide me/.test(await previewText()), 8000);
    const body = JSON.parse(await page.textContent('#vitally-dest-preview .vitally-dest-body'));
    body.should.eql({ externalId: 'ext-browser-1', name: 'Browser Test Co', traits: { plan: 'pro' } });
    (await previewText()).should.not.match(/Authorization/i);
  });

  it('sends a test request to the sandbox', async function () {
    const before = sandbox.requests.length;
    await page.click('#vitally-dest-send');
    await page.waitForSelector('#vitally-dest-send-result .vitally-dest-ok');
    (await page.textContent('#vitally-dest-send-result')).should.match(/HTTP 20\d/);
    const account = sandbox.list('accounts').find((a) => a.externalId === 'ext-browser-1');
    should.exist(account, 'the test send created the account');
    account.name.should.equal('Browser Test Co');
    should.not.exist(account.traits && account.traits.secret);
    const sent = sandbox.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path.startsWith('/resources/accounts'));
    sent.should.have.length(1);
    sent[0].key.should.equal('rest');
    await page.screenshot({ path: path.join(ARTIFACTS, 'destination-dialog.png'), fullPage: true });

    await page.click('#node-dialog-ok');
    const saved = await page.evaluate(() => {
      const n = RED.nodes.node('d1');
      return { endpoint: n.endpoint, exclude: n.exclude, valid: n.valid };
    });
    saved.should.eql({ endpoint: 'createAccount', exclude: 'traits.secret', valid: true });
  });

  it('tests the connection from the config dialog', async function () {
    await page.evaluate(() => RED.editor.editConfig('', 'vitally-config', 'vc1'));
    await page.waitForSelector('#vitally-config-test');
    (await page.inputValue('#node-config-input-region')).should.equal('custom');
    (await page.textContent('#vitally-config-rest-host')).should.equal(`${sandbox.url}/resources`);
    (await page.inputValue('#node-config-input-apiKey')).should.equal('__PWRD__');
    await page.click('#vitally-config-test');
    await page.waitForSelector('#vitally-config-test-result.vitally-config-ok');
    (await page.textContent('#vitally-config-test-result')).should.match(/Connected/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'config-dialog.png'), fullPage: true });

    // The dialog validates as you type: a bad base URL is marked before deploy.
    await page.fill('#node-config-input-baseUrl', 'http://127.0.0.1:1/some/path');
    await page.press('#node-config-input-baseUrl', 'Tab');
    await until('the base URL marked invalid', () =>
      page.evaluate(() => $('#node-config-input-baseUrl').hasClass('input-error')),
    );
    await page.click('#node-config-dialog-cancel');
  });

  it('deploys from the editor and the deployed node uses the new settings', async function () {
    const deployed = page.waitForResponse((r) => r.url() === `${editorUrl}flows` && r.request().method() === 'POST');
    await page.click('#red-ui-header-button-deploy');
    (await deployed).status().should.equal(200);
    await page.waitForFunction(() => !$('#red-ui-header-shade').is(':visible') && !RED.nodes.dirty());
    await page.screenshot({
      path: path.join(ARTIFACTS, 'workspace.png'),
      clip: { x: 0, y: 0, width: 900, height: 300 },
    });

    const res = await fetch(`${editorUrl}flows`, { headers: flowHeaders });
    const d1 = (await res.json()).flows.find((n) => n.id === 'd1');
    d1.should.containDeep({ endpoint: 'createAccount', exclude: 'traits.secret', vitally: 'vc1' });

    await inject({
      __user_inject_props__: [
        {
          p: 'payload',
          v: '{"externalId":"ext-inject-2","name":"Two","traits":{"secret":"s","tier":"b"}}',
          vt: 'json',
        },
      ],
    });
    const account = await until('the second injected account', () =>
      sandbox.list('accounts').find((a) => a.externalId === 'ext-inject-2'),
    );
    account.traits.should.eql({ tier: 'b' });
    pageErrors.should.eql([]);
  });
});
