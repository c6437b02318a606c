'use strict';
/*
 * The package as users get it: `npm pack` the built repository, `npm install` the tarball
 * into a fresh Node-RED user directory (runtime dependencies from the npm cache), start
 * Node-RED 4 on that directory and check that both node types and the examples load.
 * The same tarball (./pack.js) goes through the version matrix in test/matrix/.
 */
const assert = require('assert');
const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { promisify } = require('util');
const { startNodeRed } = require('../examples/node-red-runner');
const { packOnce, ROOT, PKG, NPM } = require('./pack');

const run = promisify(execFile);

describe('npm package (pack, install, load in Node-RED 4)', function () {
  this.timeout(240000);
  let tmp;
  let packed; // { tarball, filename, files }
  let tarball;
  let red;

  before(async function () {
    packed = await packOnce();
    tarball = packed.tarball;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-pack-install-'));
  });

  after(async function () {
    if (red) await red.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const files = () => packed.files;

  it('ships the built nodes beside their HTML, icons and locales, the examples, README and LICENSE', function () {
    const list = files();
    const must = ['package.json', 'README.md', 'LICENSE'];
    for (const [type, js] of Object.entries(PKG['node-red'].nodes)) {
      must.push(js.replace(/^\.\//, ''), js.replace(/^\.\//, '').replace(/\.js$/, '.html'));
      must.push(path.posix.join(path.posix.dirname(js), 'locales', 'en-US', `${type}.json`));
    }
    for (const m of must) assert.ok(list.includes(m), `the tarball holds ${m}`);
    assert.ok(
      list.some((f) => /^dist\/nodes\/icons\/.+\.(svg|png)$/.test(f)),
      'an icon beside the node files',
    );
    const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
    for (const e of examples) assert.ok(list.includes(`examples/${e}`), `the tarball holds examples/${e}`);
  });

  it('ships no tests, sources, sandbox, benchmark, scripts or local state', function () {
    const unwanted = files().filter(
      (f) =>
        /^(test|src|nodes|icons|bench|scripts|\.ci|\.node-red|test-artifacts|coverage|node_modules)\//.test(f) ||
        /^dist\/sandbox\//.test(f) ||
        /(^|\/)(tsconfig\.json|\.mocharc\.json|\.gitignore|package-lock\.json)$/.test(f) ||
        /_spec\.js$|\.ts$|\.tgz$/.test(f),
    );
    assert.deepStrictEqual(unwanted, [], 'files that should not be in the tarball');
  });

  it('requires nothing at runtime that the tarball or its dependencies lack', function () {
    // Every relative require() in the shipped JavaScript resolves to a shipped file, and every
    // bare one is a Node.js builtin or a declared dependency.
    const list = new Set(files());
    const builtins = new Set(require('module').builtinModules);
    const deps = new Set(Object.keys(PKG.dependencies || {}));
    const problems = [];
    for (const f of list) {
      if (!f.endsWith('.js') || !f.startsWith('dist/')) continue;
      const code = fs.readFileSync(path.join(ROOT, f), 'utf8');
      for (const m of code.matchAll(/\brequire\(\s*(['"])([^'"]+)\1\s*\)/g)) {
        const spec = m[2];
        if (spec.startsWith('.')) {
          const base = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
          if (![base, `${base}.js`, `${base}.json`, `${base}/index.js`].some((c) => list.has(c)))
            problems.push(`${f} requires ${spec}`);
        } else {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!builtins.has(name.replace(/^node:/, '')) && !deps.has(name))
            problems.push(`${f} requires undeclared ${spec}`);
        }
      }
    }
    assert.deepStrictEqual(problems, []);
  });

  it('installs into a fresh user directory and Node-RED 4 loads both node types and the examples', async function () {
    const userDir = path.join(tmp, 'userDir');
    fs.mkdirSync(userDir);
    fs.writeFileSync(
      path.join(userDir, 'package.json'),
      JSON.stringify({ name: 'node-red-project', version: '0.0.1', private: true }),
    );
    await run(
      NPM,
      ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', '--loglevel=error'],
      { cwd: userDir, maxBuffer: 16 * 1024 * 1024 },
    );
    const installed = path.join(userDir, 'node_modules', ...PKG.name.split('/'));
    assert.ok(fs.existsSync(path.join(installed, 'package.json')), 'the package is installed');
    for (const dep of Object.keys(PKG.dependencies || {})) {
      assert.ok(
        fs.existsSync(path.join(userDir, 'node_modules', dep, 'package.json')),
        `its dependency ${dep} is installed beside it`,
      );
    }

    red = await startNodeRed({ userDir });
    const res = await red.request('GET', '/nodes');
    assert.strictEqual(res.status, 200);
    const sets = res.body.filter((s) => s.module === PKG.name);
    assert.deepStrictEqual(sets.map((s) => s.name).sort(), ['vitally-config', 'vitally-destination'], red.log());
    for (const s of sets) {
      assert.strictEqual(s.enabled, true, `${s.name} enabled`);
      assert.strictEqual(s.err, undefined, `${s.name} loaded without error: ${s.err}`);
      assert.deepStrictEqual(s.types, [s.name]);
      assert.strictEqual(s.version, PKG.version);
    }
    assert.ok(
      !/\[(error|warn)\].*(vitally|Vitally)/.test(red.log()),
      `no error or warning about the package:\n${red.log()}`,
    );

    const endpoints = await red.request('GET', '/vitally/endpoints');
    assert.strictEqual(endpoints.status, 200, 'the admin routes are registered');
    assert.ok(endpoints.body.some((e) => e.id === 'createAccount'));

    // What Import > Examples reads: the list of titles, then each flow.
    const examples = await red.request('GET', `/library/examples/flows/${PKG.name}`);
    assert.strictEqual(examples.status, 200, 'Import > Examples lists the package');
    const titles = examples.body.map((e) => e.fn).sort();
    const expected = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    assert.deepStrictEqual(titles, expected);
    const flow = await red.request('GET', `/library/examples/flows/${PKG.name}/${encodeURIComponent(titles[0])}`);
    assert.strictEqual(flow.status, 200);
    assert.ok(
      Array.isArray(flow.body) && flow.body.some((n) => n.type === 'vitally-destination'),
      'an example flow is served',
    );
  });
});
