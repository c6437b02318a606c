'use strict';
/*
 * Every example flow in examples/, imported into a real Node-RED 4 (child process, this
 * package loaded from the repository through nodesDir) and run against the Vitally
 * sandbox. Each scenario presses the example's inject buttons through the admin API
 * (POST /inject/<id>) and asserts what the sandbox received, what the debug nodes showed
 * and which files were written.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startNodeRed, debugStream, waitFor, sleep } = require('./node-red-runner');

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const EXAMPLE_HOST = 'http://127.0.0.1:4010';
const API_KEY = 'sandbox-key';
const ANALYTICS_TOKEN = 'sandbox-analytics-token';
const EXPECTED_CONFIG = {
  type: 'vitally-config',
  name: 'Vitally sandbox',
  region: 'custom',
  baseUrl: EXAMPLE_HOST,
  rateLimit: 1000,
  rateWindow: 60,
  concurrency: 4,
};

const exampleFiles = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const readExample = (file) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
const numberOf = (file) => file.slice(0, 2);

/** rehost(value, url): every occurrence of the examples' sandbox address (config baseUrl, absolute URLs) moved to url. */
const { rehost } = require('../../scripts/rehost');

describe('example flows (real Node-RED 4 + Vitally sandbox)', function () {
  this.timeout(60000);
  let sandbox;
  /** A second sandbox with the demo workspace, for the examples that read it. */
  let demoSandbox;
  const DEMO_EXAMPLES = new Set(['11']);
  let red;
  let debug;
  let tmp;
  let filesDir;
  let SEEDED_CUSTOM_OBJECT_ID;

  before(async function () {
    this.timeout(60000);
    for (const built of [
      'dist/nodes/vitally-destination.js',
      'dist/nodes/vitally-config.js',
      'dist/sandbox/index.js',
    ]) {
      assert.ok(fs.existsSync(path.join(ROOT, built)), `${built} is missing: run npm run build`);
    }
    const sandboxModule = require(path.join(ROOT, 'dist', 'sandbox'));
    SEEDED_CUSTOM_OBJECT_ID = sandboxModule.SEEDED_CUSTOM_OBJECT_ID;
    sandbox = await sandboxModule.startSandbox({
      port: 0,
      apiKey: API_KEY,
      analyticsToken: ANALYTICS_TOKEN,
      logLimit: 5000,
    });
    demoSandbox = await sandboxModule.startSandbox({
      port: 0,
      apiKey: API_KEY,
      analyticsToken: ANALYTICS_TOKEN,
      logLimit: 5000,
      seed: 'demo',
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-examples-'));
    filesDir = path.join(tmp, 'files');
    fs.mkdirSync(filesDir);
    red = await startNodeRed({
      userDir: path.join(tmp, 'userDir'),
      settings: { nodesDir: [ROOT], fileWorkingDirectory: filesDir },
    });
    debug = await debugStream(red);
  });

  after(async function () {
    this.timeout(20000);
    if (debug) debug.close();
    if (red) await red.stop();
    if (sandbox) await sandbox.close();
    if (demoSandbox) await demoSandbox.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  // ------------------------------------------------------------------ helpers

  let current; // { file, nodes, tabId }

  /** Full deploy of one example on its own tab against a reset sandbox. */
  async function deployExample(file) {
    const target = DEMO_EXAMPLES.has(numberOf(file)) ? demoSandbox : sandbox;
    target.reset();
    debug.clear();
    fs.rmSync(filesDir, { recursive: true, force: true });
    fs.mkdirSync(filesDir);
    const tabId = `example-tab-${numberOf(file)}`;
    const nodes = rehost(readExample(file), target.url).map((n) => {
      if (n.type === 'vitally-config')
        return { ...n, credentials: { apiKey: API_KEY, analyticsToken: ANALYTICS_TOKEN } };
      return { ...n, z: tabId };
    });
    await red.deploy([{ id: tabId, type: 'tab', label: file.replace(/\.json$/, '') }, ...nodes]);
    current = { file, nodes, tabId };
    // Deploy answers once the flows have started; the config node is ready by then.
    return current;
  }

  function node(name, type) {
    const found = current.nodes.filter((n) => n.name === name && (!type || n.type === type));
    assert.strictEqual(found.length, 1, `${current.file} should hold exactly one ${type || 'node'} named "${name}"`);
    return found[0];
  }

  const press = (name) => red.inject(node(name, 'inject').id);
  const debugOf = (name) => debug.from(node(name, 'debug').id);
  const requests = (method, re) => sandbox.requests.filter((r) => r.method === method && re.test(r.path));
  const file = (rel) => path.join(filesDir, rel);
  const until = (what, check, timeout = 15000) =>
    waitFor(check, { what: `${what} (${current.file})\n${red.log().split('\n').slice(-15).join('\n')}`, timeout });

  async function flowContext(key) {
    const res = await red.request('GET', `/context/flow/${current.tabId}/${encodeURIComponent(key)}`);
    if (res.status !== 200 || !res.body) return undefined;
    const entry = res.body.memory || res.body;
    if (!entry || entry.msg === undefined) return undefined;
    try {
      return JSON.parse(entry.msg);
    } catch {
      return entry.msg;
    }
  }

  // ------------------------------------------------------------------ static shape of every example

  describe('every example file', function () {
    let coreTypes;
    let endpoints;
    before(async function () {
      const res = await red.request('GET', '/nodes');
      assert.strictEqual(res.status, 200);
      coreTypes = new Set(res.body.filter((set) => set.module === 'node-red').flatMap((set) => set.types));
      const ours = res.body.filter((set) => set.module === '@vitally-tools/node-red-vitally');
      assert.deepStrictEqual(
        ours.map((s) => [s.name, s.enabled, s.err]).sort(),
        [
          ['vitally-config', true, undefined],
          ['vitally-destination', true, undefined],
        ],
        'the package loads in Node-RED',
      );
      const ep = await red.request('GET', '/vitally/endpoints');
      assert.strictEqual(ep.status, 200, 'GET /vitally/endpoints');
      endpoints = new Set(ep.body.map((e) => e.id));
    });

    it('has at least the nine required examples', function () {
      assert.deepStrictEqual(exampleFiles.slice(0, 9).map(numberOf), [
        '01',
        '02',
        '03',
        '04',
        '05',
        '06',
        '07',
        '08',
        '09',
      ]);
    });

    it('keeps node ids unique across examples (they share one config node)', function () {
      const seen = new Map();
      for (const f of exampleFiles) {
        for (const n of readExample(f)) {
          if (n.type === 'vitally-config') continue;
          assert.ok(!seen.has(n.id), `${f}: node id ${n.id} is also used in ${seen.get(n.id)}`);
          seen.set(n.id, f);
        }
      }
    });

    for (const f of exampleFiles) {
      it(`${f}: a comment first, core nodes plus ours, its own sandbox config without credentials`, function () {
        const nodes = readExample(f);
        assert.ok(Array.isArray(nodes), 'an array of nodes');
        assert.strictEqual(nodes[0].type, 'comment', 'starts with a comment node');
        assert.ok(nodes[0].info && nodes[0].info.length > 80, 'the comment explains the example');
        const configs = nodes.filter((n) => n.type === 'vitally-config');
        assert.strictEqual(configs.length, 1, 'one vitally-config node');
        const config = configs[0];
        for (const [k, v] of Object.entries(EXPECTED_CONFIG)) assert.deepStrictEqual(config[k], v, `config ${k}`);
        const notComments = JSON.stringify(nodes.filter((n) => n.type !== 'comment'));
        assert.ok(
          !notComments.includes(API_KEY) && !notComments.includes(ANALYTICS_TOKEN) && !nodes.some((n) => n.credentials),
          'no credentials in the file (only the comment names the sandbox key)',
        );
        const destinations = nodes.filter((n) => n.type === 'vitally-destination');
        assert.ok(destinations.length > 0, 'uses vitally-destination');
        for (const d of destinations) {
          assert.strictEqual(d.vitally, config.id, `${d.name} uses the example's config node`);
          assert.ok(
            d.endpoint === 'manual' || endpoints.has(d.endpoint),
            `${d.name}: endpoint ${d.endpoint} is in the catalogue`,
          );
        }
        for (const n of nodes) {
          assert.ok(
            coreTypes.has(n.type) || n.type === 'vitally-config' || n.type === 'vitally-destination',
            `${n.name || n.id}: type ${n.type} is neither core nor ours`,
          );
          for (const out of n.wires || [])
            for (const target of out)
              assert.ok(
                nodes.some((m) => m.id === target),
                `${n.name} wires to ${target}`,
              );
        }
      });
    }

    it('has a scenario below for every example file', function () {
      const missing = exampleFiles.filter((f) => !SCENARIOS[numberOf(f)]);
      assert.deepStrictEqual(missing, [], 'examples without a scenario in examples_spec.js');
    });
  });

  // ------------------------------------------------------------------ scenarios

  const SCENARIOS = {
    async '01'() {
      await press('Import accounts.csv');
      const resultFile = file('vitally-examples/01-account-results.csv');
      await until(
        '5 accounts and the results file',
        () =>
          sandbox.list('accounts').length === 5 &&
          fs.existsSync(resultFile) &&
          fs.readFileSync(resultFile, 'utf8').trim().split('\n').length === 6,
      );
      const accounts = sandbox.list('accounts');
      assert.deepStrictEqual(accounts.map((a) => a.name).sort(), [
        'Acme Corporation',
        'Globex',
        'Hooli',
        'Initech',
        'Umbrella Health',
      ]);
      const acme = sandbox.get('accounts', 'acme');
      assert.deepStrictEqual(
        acme.traits,
        { plan: 'enterprise', mrr: 4200, region: 'us-east' },
        'the JSONata body mapping',
      );
      const [header, ...rows] = fs.readFileSync(resultFile, 'utf8').trim().split('\n');
      assert.strictEqual(header, 'externalId,name,vitallyId,statusCode,error');
      for (const row of rows) {
        const [externalId, , vitallyId, statusCode] = row.split(',');
        assert.strictEqual(vitallyId, sandbox.get('accounts', externalId).id, `results file row for ${externalId}`);
        assert.match(statusCode, /^2\d\d$/);
      }
      const summary = await until('output 1 summary', () => debugOf('summary (msg.vitally)')[0]);
      assert.strictEqual(summary.endpoint, 'createAccount');
      assert.deepStrictEqual([summary.total, summary.succeeded, summary.failed], [5, 5, 0]);
      assert.strictEqual(debugOf('API responses').length, 5, 'one output 2 message per API call');
    },

    async '02'() {
      await press('New customers');
      await until('2 users', () => sandbox.list('users').length === 2);
      for (const [account, user] of [
        ['wayne', 'wayne-contact'],
        ['stark', 'stark-contact'],
      ]) {
        const a = sandbox.get('accounts', account);
        const u = sandbox.get('users', user);
        assert.ok(a && u, `${account} and ${user} exist`);
        assert.deepStrictEqual(u.accountIds, [a.id], `${user} is linked to ${account}'s Vitally id`);
        assert.notStrictEqual(a.id, account, 'the link uses the Vitally id, not the externalId');
      }
      assert.strictEqual(sandbox.get('users', 'wayne-contact').email, 'lucius@wayne.example');
      const usersDone = await until(
        'output 1 of Create users',
        () => debugOf('users (msg.vitally)').length === 2 && debugOf('users (msg.vitally)'),
      );
      assert.ok(usersDone.every((v) => v.succeeded === 1 && v.failed === 0));
    },

    async '03'() {
      await press('1. Create demo users');
      await until('3 demo users', () => sandbox.list('users').length === 3);
      await press('2. Updates from the CRM');
      await until(
        '3 PUTs answered 200',
        () => requests('PUT', /^\/resources\/users\//).filter((r) => r.status === 200).length === 3,
      );
      const puts = requests('PUT', /^\/resources\/users\//);
      assert.deepStrictEqual(
        puts.map((r) => r.path).sort(),
        ['/resources/users/u-1001', '/resources/users/u-1002', '/resources/users/u-1003'],
        'user id taken from msg.payload.externalId',
      );
      for (const r of puts) {
        assert.ok(!('externalId' in r.body), `${r.path}: externalId excluded`);
        assert.ok(!('crm' in r.body), `${r.path}: crm excluded`);
        assert.ok(
          r.body.traits && !('internalNotes' in r.body.traits),
          `${r.path}: traits.internalNotes excluded, other traits kept`,
        );
      }
      const norman = sandbox.get('users', 'u-1001');
      assert.strictEqual(norman.email, 'norman.osborn@oscorp.example');
      assert.deepStrictEqual(norman.traits, { role: 'CEO', seats: 12 });
      assert.strictEqual(sandbox.get('users', 'u-1003').name, 'Dr. Otto Octavius');
      const done = await until('output 1', () => debugOf('updates (msg.vitally)')[0]);
      assert.deepStrictEqual([done.total, done.succeeded, done.failed], [3, 3, 0]);
    },

    async '04'() {
      await press('1. Create respondents');
      const ids = await until('the user ids in flow context', async () => {
        const v = await flowContext('vitallyUserIds');
        return v && Object.keys(v).length === 2 && v;
      });
      assert.strictEqual(ids['u-2001'], sandbox.get('users', 'u-2001').id);

      await press('2. Survey export');
      await until('2 NPS responses', () => sandbox.list('npsResponses').length === 2);
      const stored = sandbox.list('npsResponses');
      assert.deepStrictEqual(
        stored.map((r) => [r.externalId, r.score, r.userId]).sort(),
        [
          ['nps-1', 9, ids['u-2001']],
          ['nps-2', 6, ids['u-2002']],
        ],
        'valid responses with Vitally user ids',
      );
      const rejected = await until('the rejected responses', () => debugOf('rejected by the check')[0]);
      assert.deepStrictEqual(
        rejected.map((r) => r.record.responseId),
        ['nps-3', 'nps-4', 'nps-5'],
      );

      await press('3. Score 11, unchecked');
      const caught = await until('the Catch node', () => debugOf('Catch: msg.error')[0]);
      assert.match(caught.message, /score/i, 'the error names the score');
      const last = await until('output 1 for the unchecked record', () =>
        debugOf('NPS import (msg.vitally)').find((v) => v.total === 1),
      );
      assert.deepStrictEqual([last.succeeded, last.failed], [0, 1]);
      assert.ok(last.results[0].error && !last.results[0].statusCode, 'refused before sending');
      await sleep(200);
      assert.strictEqual(debugOf('Catch: msg.error').length, 1, 'only the unchecked message failed');
      const posts = requests('POST', /^\/resources\/npsResponses$/);
      assert.strictEqual(posts.length, 2, 'the score of 11 never reached Vitally');
      assert.ok(posts.every((r) => r.body.score <= 10));
    },

    async '05'() {
      await press('Meeting from the recorder');
      await until('the transcript call', () =>
        requests('POST', /^\/resources\/meetings\/[^/]+\/transcript$/).some((r) => r.status === 200),
      );
      const meeting = sandbox.get('meetings', 'mtg-2026-01-20-wayne-qbr');
      assert.ok(meeting, 'the meeting exists');
      assert.ok(!('transcript' in meeting), 'the transcript is excluded from the meeting body');
      const call = requests('POST', /^\/resources\/meetings\/[^/]+\/transcript$/)[0];
      assert.strictEqual(
        call.path,
        `/resources/meetings/${encodeURIComponent(meeting.id)}/transcript`,
        'meetingId from output 2 payload.id',
      );
      assert.strictEqual(call.body.transcript.length, 2);
      const transcripts = sandbox.list('meetingTranscripts');
      assert.strictEqual(transcripts.length, 1);
      assert.strictEqual(transcripts[0].meetingId, meeting.id);
      const done = await until('output 1 of Set transcript', () => debugOf('transcript (msg.vitally)')[0]);
      assert.deepStrictEqual([done.succeeded, done.failed], [1, 0]);
    },

    async '06'() {
      const destinations = current.nodes.filter((n) => n.type === 'vitally-destination' && n.customObjectId);
      assert.ok(
        destinations.every((n) => n.customObjectId === SEEDED_CUSTOM_OBJECT_ID),
        'the sandbox seeds the custom object the example names',
      );
      const instances = () => sandbox.list(`customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances`);
      await press('1. Create 5 instances');
      await until(
        '5 instances and their ids in flow context',
        async () => instances().length === 5 && ((await flowContext('instanceIds')) || []).length === 5,
      );

      await press('2. Dry run');
      const dry = await until('the dry run summary', () => debugOf('dry run (msg.vitally)')[0]);
      assert.strictEqual(dry.dryRun, true);
      assert.deepStrictEqual([dry.total, dry.succeeded, dry.failed], [5, 5, 0]);
      const rendered = await until(
        '5 rendered requests',
        () => debugOf('would send (msg.request)').length === 5 && debugOf('would send (msg.request)'),
      );
      const ids = instances()
        .map((i) => i.id)
        .sort();
      assert.deepStrictEqual(
        rendered.map((r) => r.method),
        Array(5).fill('DELETE'),
      );
      assert.deepStrictEqual(rendered.map((r) => r.url.split('/').pop()).sort(), ids);
      assert.ok(
        rendered.every((r) =>
          r.url.startsWith(`${sandbox.url}/resources/customObjects/${SEEDED_CUSTOM_OBJECT_ID}/instances/`),
        ),
      );
      await sleep(200);
      assert.strictEqual(requests('DELETE', /./).length, 0, 'a dry run sends nothing');
      assert.strictEqual(instances().length, 5);

      await press('3. Delete for real');
      await until('all instances deleted', () => instances().length === 0);
      const deletes = requests('DELETE', /instances\//);
      assert.deepStrictEqual(deletes.map((r) => r.path.split('/').pop()).sort(), ids);
      assert.ok(deletes.every((r) => r.status === 200));
      const done = await until('output 1 of the confirmed delete', () => debugOf('deleted (msg.vitally)')[0]);
      assert.deepStrictEqual([done.total, done.succeeded, done.failed, done.dryRun], [5, 5, 0, false]);
    },

    async '07'() {
      await press('Generate 1,000 users');
      await until('1,000 analytics users', () => sandbox.list('analytics:user').length === 1000, 20000);
      const batches = requests('POST', /^\/analytics\/v1\/batch$/);
      assert.strictEqual(batches.length, 10, '10 calls to /batch');
      assert.ok(
        batches.every((r) => r.status === 200 && Array.isArray(r.body) && r.body.length === 100),
        '100 messages per call',
      );
      const messages = batches.flatMap((r) => r.body);
      assert.strictEqual(new Set(messages.map((m) => m.userId)).size, 1000);
      assert.ok(
        messages.every((m) => m.type === 'user' && m.timestamp && m.messageId),
        'type, timestamp and messageId added',
      );
      assert.strictEqual(
        sandbox.requests.filter((r) => r.path !== '/analytics/v1/batch').length,
        0,
        'no single-message calls',
      );
      const done = await until('output 1', () => debugOf('summary (msg.vitally)')[0]);
      assert.deepStrictEqual([done.total, done.succeeded, done.failed], [1000, 1000, 0]);
      const calls = await until(
        '10 output 2 messages',
        () => debugOf('one per /batch call').length === 10 && debugOf('one per /batch call'),
      );
      assert.ok(calls.every((c) => c.records === 100 && c.statusCode === 200));
    },

    async '08'() {
      await press('1. Record and rename');
      await until('the manual PUT', () =>
        requests('PUT', /^\/resources\/conversations\//).some((r) => r.status === 200),
      );
      const conversation = sandbox.get('conversations', sandbox.list('conversations')[0].id);
      assert.strictEqual(conversation.subject, 'Renewal questions (answered)');
      assert.deepStrictEqual(conversation.traits, { channel: 'email', status: 'answered' });
      const put = requests('PUT', /^\/resources\/conversations\//)[0];
      assert.strictEqual(put.path, `/resources/conversations/${conversation.id}`);
      assert.deepStrictEqual(
        put.body,
        { subject: 'Renewal questions (answered)', traits: { status: 'answered' } },
        'sent as written',
      );

      await press('2. Delete it');
      await until('the manual DELETE', () =>
        requests('DELETE', /^\/resources\/conversations\//).some((r) => r.status === 200),
      );
      assert.strictEqual(sandbox.list('conversations').length, 0);

      await press('3. Track events via /batch');
      await until('the /batch call', () => requests('POST', /^\/analytics\/v1\/batch$/).some((r) => r.status === 200));
      const batch = requests('POST', /^\/analytics\/v1\/batch$/);
      assert.strictEqual(batch.length, 1, 'three records in one call');
      assert.strictEqual(batch[0].key, 'analytics', 'URLs under the Analytics base use the Analytics token');
      assert.deepStrictEqual(
        batch[0].body.map((m) => m.event),
        ['Report exported', 'Dashboard shared', 'Seat added'],
      );
      assert.ok(
        batch[0].body.every((m) => !('messageId' in m)),
        'manual mode adds nothing',
      );
      assert.strictEqual(sandbox.list('analytics:track').length, 3);
    },

    async '09'() {
      await press('0. Sandbox: next 3 calls 503');
      await until('the sandbox to script 3 failures', () => sandbox.settings().failNext.length > 0);
      await press('1. Send 6 accounts (2 bad)');
      const replayFile = file('vitally-examples/09-failed-records.jsonl');
      await until(
        '4 accounts and the replay file',
        () => sandbox.list('accounts').length === 4 && fs.existsSync(replayFile),
        30000,
      );
      assert.strictEqual(sandbox.counters.byStatus['503'], 3, 'three injected 503s');
      assert.deepStrictEqual(
        sandbox
          .list('accounts')
          .map((a) => a.externalId)
          .sort(),
        ['cyberdyne', 'massive-dynamic', 'tyrell', 'weyland'],
      );
      const lines = fs
        .readFileSync(replayFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepStrictEqual(
        lines.map((l) => l.record),
        [{ externalId: 'soylent' }, { name: 'Aperture Science' }],
      );
      assert.match(lines[0].error, /name/);
      assert.match(lines[1].error, /externalId/);
      const caught = await until('the Catch node', () => debugOf('Catch: msg.error')[0]);
      assert.ok(caught.message, 'msg.error.message');
      const retried = await until('a retried call on output 2', () => debugOf('retried calls (msg.attempts)')[0]);
      assert.ok(
        retried.attempts > 1 && retried.statusCode === 200,
        'a call that succeeded after retries shows its attempts',
      );
      const summary = await until('output 1', () => debugOf('summary (msg.vitally)')[0]);
      assert.deepStrictEqual([summary.total, summary.succeeded, summary.failed], [6, 4, 2]);
      await sleep(200);
      assert.strictEqual(
        debugOf('Catch: msg.error').length,
        1,
        'done(err) once for the message, not once per failed record',
      );
      assert.strictEqual(debugOf('summary (msg.vitally)').length, 1, 'output 1 once per input message');

      await press('2. Replay the failures');
      await until(
        'the replayed accounts and the file deleted',
        () => sandbox.list('accounts').length === 6 && !fs.existsSync(replayFile),
      );
      assert.strictEqual(sandbox.get('accounts', 'soylent').name, 'soylent');
      assert.strictEqual(sandbox.get('accounts', 'aperture-science').name, 'Aperture Science');
    },

    async 10() {
      const objects = () => ['organizations', 'accounts', 'users'].map((r) => sandbox.list(r).length);
      await press('Run the daily sync');
      const first = await until("the first run's summary", () => debugOf('sync summary')[0]);
      assert.deepStrictEqual(first, {
        organizations: { created: 3, updated: 0, failed: 0 },
        accounts: { created: 4, updated: 0, failed: 0 },
        users: { created: 5, updated: 0, failed: 0 },
      });
      assert.deepStrictEqual(objects(), [3, 4, 5]);
      await press('Run the daily sync');
      const second = await until("the second run's summary", () => debugOf('sync summary')[1]);
      assert.deepStrictEqual(second, {
        organizations: { created: 0, updated: 3, failed: 0 },
        accounts: { created: 0, updated: 4, failed: 0 },
        users: { created: 0, updated: 5, failed: 0 },
      });
      assert.deepStrictEqual(objects(), [3, 4, 5], 'no duplicates');
      const stark = sandbox.get('accounts', 'acct-stark');
      assert.strictEqual(stark.organizationId, sandbox.get('organizations', 'org-stark').id, 'organizationId resolved');
      assert.deepStrictEqual(sandbox.get('users', 'u-pepper').accountIds, [stark.id], 'accountIds resolved');
      assert.strictEqual(debugOf('errors').length, 0);
    },

    async 11() {
      const { DEMO } = require(path.join(ROOT, 'dist', 'sandbox'));
      const olivia = DEMO.users.find((u) => u.email === 'olivia@northwind.example');
      const account = DEMO.accounts.find((a) => a.externalId === olivia.account);
      await press('1. A support email arrives');
      const note = await until('the note', () => debugOf('note (msg.vitally)')[0]);
      assert.deepStrictEqual([note.succeeded, note.failed], [1, 0]);
      const stored = demoSandbox.list('notes').find((n) => n.id === note.results[0].id);
      assert.strictEqual(stored.accountId, account.id, "the note is on the sender's account");
      assert.match(stored.note, /Invoice question/);

      await press('2. Pick the custom object');
      const instance = await until('the instance', () => debugOf('instance (msg.vitally)')[0]);
      assert.deepStrictEqual([instance.succeeded, instance.failed], [1, 0], JSON.stringify(instance.results));
      const created = demoSandbox
        .list(`customObjects/${DEMO.customObject.id}/instances`)
        .find((i) => i.externalId === 'sub-pro-1');
      assert.strictEqual(created.customerId, account.id, 'customerId resolved from the CRM id acct-1');

      await press('3. Export all accounts');
      const all = await until('the joined list', () => debugOf('all accounts')[0]);
      assert.strictEqual(all.accounts, DEMO.accounts.length, 'churned accounts included (status activeOrChurned)');
      const lines = fs.readFileSync(file('vitally-examples/11-accounts.jsonl'), 'utf8').trim().split('\n');
      assert.deepStrictEqual(
        lines.map((l) => JSON.parse(l).externalId).sort(),
        DEMO.accounts.map((a) => a.externalId).sort(),
      );
    },
  };

  describe('scenarios', function () {
    for (const f of exampleFiles) {
      const scenario = SCENARIOS[numberOf(f)];
      if (!scenario) continue;
      it(`${f} works against the sandbox`, async function () {
        this.timeout(45000);
        await deployExample(f);
        await scenario();
      });
    }
  });
});
