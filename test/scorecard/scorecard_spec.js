'use strict';
/*
 * scripts/scorecard.js: the offline re-implementation of the Flow Library scorecard's
 * static checks. It must pass on this repository, and it must catch each defect on a
 * temporary copy broken on purpose.
 */
const assert = require('assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { checkPackage } = require('../../scripts/scorecard');

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'scorecard.js');
const DEST = 'vitally-destination';
const MATRIX = path.join('test', 'matrix', 'cells.json');

const failures = (results) => results.filter((r) => r.status === 'fail');
const failedIds = (results) => failures(results).map((r) => r.id);
const byId = (results, id) => results.find((r) => r.id === id);

describe('scorecard-lite (scripts/scorecard.js)', function () {
  let tmp;
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-scorecard-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * A copy of what the scorecard reads: package.json, the editor HTML, icons, examples, the version
   * matrix, node_modules (linked). `matrix` edits the matrix's JSON, or is null for none.
   */
  let copies = 0;
  function copy({ pkg, html, examples, matrix, nodeModules = 'link' } = {}) {
    const dir = path.join(tmp, `copy-${++copies}`);
    fs.mkdirSync(dir);
    const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify(pkg ? pkg(packageJson) || packageJson : packageJson, null, 2),
    );
    for (const sub of ['examples', 'nodes', 'icons', path.join('dist', 'nodes')]) {
      if (fs.existsSync(path.join(ROOT, sub)))
        fs.cpSync(path.join(ROOT, sub), path.join(dir, sub), { recursive: true });
    }
    if (nodeModules === 'link') fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    else if (typeof nodeModules === 'function') nodeModules(path.join(dir, 'node_modules'));
    if (html) {
      for (const file of [path.join(dir, 'nodes', `${DEST}.html`), path.join(dir, 'dist', 'nodes', `${DEST}.html`)]) {
        if (!fs.existsSync(file)) continue;
        const before = fs.readFileSync(file, 'utf8');
        const after = html(before);
        assert.notStrictEqual(after, before, `the test's HTML edit must change ${path.relative(dir, file)}`);
        fs.writeFileSync(file, after);
      }
    }
    if (examples) examples(path.join(dir, 'examples'));
    if (matrix !== null) {
      const cells = JSON.parse(fs.readFileSync(path.join(ROOT, MATRIX), 'utf8'));
      fs.mkdirSync(path.dirname(path.join(dir, MATRIX)), { recursive: true });
      fs.writeFileSync(path.join(dir, MATRIX), JSON.stringify(matrix ? matrix(cells) || cells : cells));
    }
    return dir;
  }

  const REGISTER = new RegExp(`registerType\\(\\s*(['"])${DEST}\\1\\s*,\\s*\\{`);
  const DEFAULTS = /(registerType\(\s*(['"])vitally-destination\2\s*,\s*\{[\s\S]*?defaults\s*:\s*\{)/;

  function expectCaught(results, id, pattern) {
    const r = byId(results, id);
    assert.ok(r, `a ${id} result exists (got ${results.map((x) => x.id).join(', ')})`);
    assert.strictEqual(r.status, 'fail', `${id} fails: ${JSON.stringify(r)}`);
    if (pattern) assert.match(r.message, pattern);
  }

  // ------------------------------------------------------------------ the real package

  it('passes on this repository', function () {
    const results = checkPackage(ROOT);
    assert.deepStrictEqual(failures(results), [], 'no check fails');
    for (const id of [
      'P01',
      'P03',
      'P04',
      'P05',
      'P06',
      'P07',
      'T01',
      'D01',
      'D02',
      'N02',
      'H01:vitally-config',
      `H01:${DEST}`,
    ]) {
      assert.strictEqual(byId(results, id).status, 'pass', `${id} passes: ${JSON.stringify(byId(results, id))}`);
    }
    const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies || {});
    for (const dep of deps) assert.strictEqual(byId(results, `D03:${dep}`).status, 'pass', `D03 ${dep}`);
  });

  it('reads the built HTML beside the .js once built, and the literal definitions in it', function () {
    const results = checkPackage(ROOT);
    for (const type of ['vitally-config', DEST]) {
      assert.match(
        byId(results, `H01:${type}`).message,
        new RegExp(`^dist/nodes/${type}\\.html: registerType '${type}'`),
      );
    }
    assert.match(byId(results, 'N02').message, /cover vitally-destination$/, 'config nodes need no example');
  });

  it('prints a report and exits 0 on the repository, non-zero on a broken copy', function () {
    const good = spawnSync(process.execPath, [SCRIPT, ROOT], { encoding: 'utf8' });
    assert.strictEqual(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /PASS\s+P01/);
    assert.match(good.stdout, /All checks passed/);
    const broken = copy({
      pkg: (p) => {
        delete p.license;
      },
    });
    const bad = spawnSync(process.execPath, [SCRIPT, broken], { encoding: 'utf8' });
    assert.strictEqual(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /FAIL\s+P01/);
    assert.match(bad.stdout, /1 check\(s\) failed/);
  });

  it('a copy of the repository passes too (the harness itself breaks nothing)', function () {
    assert.deepStrictEqual(failedIds(checkPackage(copy())), []);
  });

  // ------------------------------------------------------------------ package.json

  it('P01: catches a missing license', function () {
    const results = checkPackage(
      copy({
        pkg: (p) => {
          delete p.license;
        },
      }),
    );
    expectCaught(results, 'P01');
    assert.deepStrictEqual(failedIds(results), ['P01'], 'and nothing else');
  });

  it('P03: catches a package with neither repository nor bugs', function () {
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            delete p.repository;
            delete p.bugs;
          },
        }),
      ),
      'P03',
    );
    const onlyBugs = checkPackage(
      copy({
        pkg: (p) => {
          delete p.repository;
        },
      }),
    );
    assert.strictEqual(byId(onlyBugs, 'P03').status, 'pass', 'bugs alone is enough');
  });

  it('P04: catches an unscoped node-red- name, accepts node-red-contrib-', function () {
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p.name = 'node-red-vitally';
          },
        }),
      ),
      'P04',
      /node-red-contrib-/,
    );
    const contrib = checkPackage(
      copy({
        pkg: (p) => {
          p.name = 'node-red-contrib-vitally';
        },
      }),
    );
    assert.notStrictEqual(byId(contrib, 'P04').status, 'fail');
  });

  it('P05: catches a missing node-red keyword', function () {
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p.keywords = p.keywords.filter((k) => k !== 'node-red');
          },
        }),
      ),
      'P05',
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            delete p.keywords;
          },
        }),
      ),
      'P05',
    );
  });

  it('P06: catches a missing node-red.version or one that excludes Node-RED 4.x or 5.x', function () {
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            delete p['node-red'].version;
          },
        }),
      ),
      'P06',
      /no "node-red.version"/,
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p['node-red'].version = '>=5.0.0';
          },
        }),
      ),
      'P06',
      /4\./,
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p['node-red'].version = '^4.0.0';
          },
        }),
      ),
      'P06',
      /5\.0\.0/,
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p['node-red'].version = 'four';
          },
        }),
      ),
      'P06',
      /not a valid range/,
    );
  });

  it('P07: catches engines.node missing, excluding Node 22.9 or excluding Node 20', function () {
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            delete p.engines;
          },
        }),
      ),
      'P07',
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p.engines.node = '>=24';
          },
        }),
      ),
      'P07',
      /22\.9\.0/,
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p.engines.node = '>=22.9.0';
          },
        }),
      ),
      'P07',
      /Node\.js 20/,
    );
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p.engines.node = '^20.0.0';
          },
        }),
      ),
      'P07',
      /22\.9\.0/,
    );
    assert.strictEqual(
      byId(
        checkPackage(
          copy({
            pkg: (p) => {
              p.engines.node = '>=20';
            },
          }),
        ),
        'P07',
      ).status,
      'pass',
    );
  });

  // ------------------------------------------------------------------ tested versions

  it('T01: agrees with the package as it is (Node-RED >= 3.1, Node.js >= 20) and names the cells', function () {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.strictEqual(pkg['node-red'].version, '>=3.1.0');
    assert.strictEqual(pkg.engines.node, '>=20');
    const t01 = byId(checkPackage(ROOT), 'T01');
    assert.strictEqual(t01.status, 'pass', JSON.stringify(t01));
    for (const cell of ['Node-RED ~3.1 on Node.js 20', 'Node-RED ^5 on Node.js 22', 'Node-RED ^5 on Node.js 24'])
      assert.ok(t01.message.includes(cell), `${cell} in ${t01.message}`);
  });

  it('T01: catches a promise below the oldest tested Node-RED or Node.js', function () {
    expectCaught(
      checkPackage(
        copy({
          pkg: (p) => {
            p['node-red'].version = '>=3.0.0';
          },
        }),
      ),
      'T01',
      /admits Node-RED 3\.0\.0, which no cell runs/,
    );
    const results = checkPackage(
      copy({
        pkg: (p) => {
          p.engines.node = '>=18';
        },
      }),
    );
    expectCaught(results, 'T01', /admits Node\.js 18, which no cell runs/);
    assert.deepStrictEqual(failedIds(results), ['T01'], 'the Flow Library checks still pass');
  });

  it('T01: catches a cell outside what package.json admits, and a matrix without cells', function () {
    expectCaught(
      checkPackage(
        copy({
          matrix: (m) => {
            m.cells.push({ nodeRed: '^2', node: 20 });
          },
        }),
      ),
      'T01',
      /the cell Node-RED \^2 is outside ">=3\.1\.0"/,
    );
    expectCaught(
      checkPackage(
        copy({
          matrix: (m) => {
            m.cells.push({ nodeRed: '^5', node: 18 });
          },
        }),
      ),
      'T01',
      /the cell Node\.js 18 is outside ">=20"/,
    );
    expectCaught(
      checkPackage(
        copy({
          matrix: (m) => {
            m.cells = [];
          },
        }),
      ),
      'T01',
      /no cells/,
    );
  });

  it('T01: only warns for a package without a version matrix', function () {
    assert.strictEqual(byId(checkPackage(copy({ matrix: null })), 'T01').status, 'warn');
  });

  // ------------------------------------------------------------------ dependencies

  it('D01: catches 7 runtime dependencies', function () {
    const results = checkPackage(
      copy({
        pkg: (p) => {
          p.dependencies = { ...p.dependencies, semver: '^7.0.0', acorn: '^8.0.0' };
          assert.strictEqual(Object.keys(p.dependencies).length, 7);
        },
      }),
    );
    expectCaught(results, 'D01', /^7 runtime dependencies/);
  });

  it('D03: catches a declared range behind the installed major', function () {
    const results = checkPackage(
      copy({
        pkg: (p) => {
          p.dependencies = { ...p.dependencies, axios: '^0.27.2' };
        },
      }),
    );
    expectCaught(results, 'D03:axios', /\^0\.27\.2/);
  });

  it('D02: catches a known bad package in the runtime dependency tree', function () {
    const dir = copy({
      pkg: (p) => {
        p.dependencies = { 'proxy-thing': '^1.0.0' };
      },
      nodeModules: (nm) => {
        fs.mkdirSync(path.join(nm, 'proxy-thing'), { recursive: true });
        fs.writeFileSync(
          path.join(nm, 'proxy-thing', 'package.json'),
          JSON.stringify({ name: 'proxy-thing', version: '1.2.0', dependencies: { 'agent-base': '^4.3.0' } }),
        );
        fs.mkdirSync(path.join(nm, 'proxy-thing', 'node_modules', 'agent-base'), { recursive: true });
        fs.writeFileSync(
          path.join(nm, 'proxy-thing', 'node_modules', 'agent-base', 'package.json'),
          JSON.stringify({ name: 'agent-base', version: '4.3.0' }),
        );
      },
    });
    expectCaught(checkPackage(dir), 'D02', /agent-base@4\.3\.0/);
  });

  // ------------------------------------------------------------------ editor HTML

  it('catches a spread in the registerType definition (and N02 can no longer see the node)', function () {
    const results = checkPackage(copy({ html: (h) => h.replace(REGISTER, (m) => `${m} ...{ extra: true },`) }));
    expectCaught(results, `H01:${DEST}`, /spread/);
    expectCaught(results, 'N02', /vitally-destination/);
  });

  it('catches a spread or a quoted key inside defaults', function () {
    expectCaught(
      checkPackage(copy({ html: (h) => h.replace(DEFAULTS, (m) => `${m} ...{},`) })),
      `H01:${DEST}`,
      /"defaults" contains a spread/,
    );
    expectCaught(
      checkPackage(copy({ html: (h) => h.replace(DEFAULTS, (m) => `${m} 'quoted': { value: '' },`) })),
      `H01:${DEST}`,
      /quoted key "quoted"/,
    );
  });

  it('catches non-literal category, color, icon, inputs or outputs', function () {
    for (const key of ['category', 'color', 'icon', 'inputs', 'outputs']) {
      const re = new RegExp(`(registerType\\(\\s*(['"])${DEST}\\2\\s*,\\s*\\{[\\s\\S]*?\\b${key}\\s*:\\s*)([^,\\n]+)`);
      const results = checkPackage(
        copy({ html: (h) => h.replace(re, (m, head, q, value) => `${head}(function () { return ${value}; })()`) }),
      );
      expectCaught(results, `H01:${DEST}`, new RegExp(`"${key}" is not a literal`));
    }
  });

  it('catches a registerType whose type is not a string literal, or whose definition is not inline', function () {
    expectCaught(
      checkPackage(copy({ html: (h) => h.replace(REGISTER, 'registerType(TYPE, {') })),
      `H01:${DEST}`,
      /not a string literal/,
    );
    expectCaught(
      checkPackage(
        copy({ html: (h) => h.replace(REGISTER, "registerType('vitally-destination', DEF); var DEF = ({") }),
      ),
      `H01:${DEST}`,
      /not an inline object literal/,
    );
  });

  it('catches an editor HTML without a text/javascript block, and a missing HTML file', function () {
    expectCaught(
      checkPackage(copy({ html: (h) => h.replace(/<script type="text\/javascript">/g, '<script>') })),
      `H01:${DEST}`,
      /no <script type="text\/javascript"> block/,
    );
    const dir = copy();
    fs.rmSync(path.join(dir, 'nodes', `${DEST}.html`), { force: true });
    fs.rmSync(path.join(dir, 'dist', 'nodes', `${DEST}.html`), { force: true });
    expectCaught(checkPackage(dir), `H01:${DEST}`, /no dist\/nodes\/vitally-destination\.html/);
  });

  it('catches an icon that is not beside the node file', function () {
    const results = checkPackage(
      copy({
        html: (h) =>
          h.replace(
            /(registerType\(\s*(['"])vitally-destination\2\s*,\s*\{[\s\S]*?\bicon\s*:\s*)(['"])[^'"]+\3/,
            "$1'no-such-icon.svg'",
          ),
      }),
    );
    expectCaught(results, `H03:${DEST}`, /no-such-icon\.svg/);
  });

  // ------------------------------------------------------------------ examples

  it('N02: catches examples that never use the destination node', function () {
    const results = checkPackage(
      copy({
        examples: (dir) => {
          for (const f of fs.readdirSync(dir)) {
            const flow = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).filter((n) => n.type !== DEST);
            fs.writeFileSync(path.join(dir, f), JSON.stringify(flow));
          }
        },
      }),
    );
    expectCaught(results, 'N02', /no example uses vitally-destination/);
  });

  it('N02: catches an example that is not an array, is not JSON, or no examples at all', function () {
    expectCaught(
      checkPackage(copy({ examples: (dir) => fs.writeFileSync(path.join(dir, '99 - Object.json'), '{"nodes": []}') })),
      'N02',
      /99 - Object\.json is not an array/,
    );
    expectCaught(
      checkPackage(copy({ examples: (dir) => fs.writeFileSync(path.join(dir, '99 - Broken.json'), '[{"type": ') })),
      'N02',
      /99 - Broken\.json is not valid JSON/,
    );
    expectCaught(
      checkPackage(copy({ examples: (dir) => fs.rmSync(dir, { recursive: true }) })),
      'N02',
      /no examples\/ folder/,
    );
  });

  it('reports the network-only checks as skipped, not passed', function () {
    const results = checkPackage(ROOT);
    assert.strictEqual(byId(results, 'P08').status, 'skip');
    assert.strictEqual(byId(results, 'N01').status, 'skip');
  });
});
