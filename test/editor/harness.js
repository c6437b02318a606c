'use strict';
/*
 * The browser test's world: the Vitally sandbox, Node-RED 4 embedded in this process with the
 * package installed into a temporary userDir, and Debian's Chromium driven by playwright-core.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const PACKAGE = require(path.join(ROOT, 'package.json')).name;
const flowHeaders = { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' };

const { waitFor } = require('../examples/node-red-runner');

/** Polls `check` until it returns something truthy. */
const until = (what, check, timeout = 5000) => waitFor(check, { what, timeout });

/** The sandbox on its usual port when free (the screenshots then show the address README uses), else any. */
async function startSandboxNicely() {
  const { startSandbox } = require('../../dist/sandbox');
  try {
    return await startSandbox({ port: 4010 });
  } catch {
    return startSandbox({ port: 0 });
  }
}

async function startWorld(flowsFor) {
  const world = { pageErrors: [] };
  world.sandbox = await startSandboxNicely();

  // Install the package the way npm would: userDir/node_modules/<name> -> this repository.
  world.userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-editor-'));
  const linkPath = path.join(world.userDir, 'node_modules', PACKAGE);
  fs.mkdirSync(path.dirname(linkPath), { recursive: true });
  fs.symlinkSync(ROOT, linkPath, 'dir');

  const RED = require('node-red');
  world.RED = RED;
  // Admin (editor) at /, flows' HTTP endpoints under /api, as a user's settings.js would mount them.
  world.server = http.createServer((req, res) => {
    if (req.url === '/api' || req.url.startsWith('/api/')) {
      req.url = req.url.slice(4) || '/';
      RED.httpNode(req, res);
    } else {
      RED.httpAdmin(req, res);
    }
  });
  RED.init(world.server, {
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    userDir: world.userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: process.env.NR_LOG || 'off' } },
    editorTheme: { tours: false, palette: { catalogues: [] } },
    telemetry: { enabled: false, updateNotification: false },
  });
  await new Promise((resolve) => world.server.listen(0, '127.0.0.1', resolve));
  await RED.start();
  world.editorUrl = `http://127.0.0.1:${world.server.address().port}/`;

  const res = await fetch(`${world.editorUrl}flows`, {
    method: 'POST',
    headers: flowHeaders,
    body: JSON.stringify({ flows: flowsFor(world.sandbox) }),
  });
  if (res.status !== 200) throw new Error(`deploying the test flows answered ${res.status}`);
  return world;
}

async function openBrowser(world) {
  const { chromium } = require('playwright-core');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // A fresh profile every run (playwright passes it to Chromium as --user-data-dir).
  world.browser = await chromium.launchPersistentContext(path.join(world.userDir, 'chromium-profile'), {
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
  const page = world.browser.pages()[0] || (await world.browser.newPage());
  world.page = page;
  page.setDefaultTimeout(10000);
  page.on('pageerror', (err) => world.pageErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) world.pageErrors.push(m.text());
  });
  await page.goto(world.editorUrl);
  return page;
}

async function stopWorld(world) {
  if (!world) return;
  if (world.browser) await world.browser.close();
  if (world.RED && world.server) {
    await world.RED.stop();
    await new Promise((resolve) => world.server.close(resolve));
  }
  if (world.sandbox) await world.sandbox.close();
  if (world.userDir) fs.rmSync(world.userDir, { recursive: true, force: true });
}

module.exports = { CHROMIUM, ARTIFACTS, flowHeaders, until, startWorld, openBrowser, stopWorld };
