'use strict';
// The documentation against the code: docs/endpoints.md is what scripts/generate-docs.js makes of
// the catalogue, the settings tables name every setting with its default and range, every
// relative link and anchor resolves, and the README stays short.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const { render, slug, OUT } = require('../../scripts/generate-docs');
const catalogue = require('../../dist/catalogue');
const { CONFIG_SETTINGS, DESTINATION_SETTINGS } = require('../../dist/core/settings');

const README_MAX_LINES = 170;
/** Written on other branches; linked from here by name. Checked like any file once they exist. */
const WRITTEN_ELSEWHERE = ['docs/sandbox.md', 'docs/compatibility.md', 'docs/shared-budget.md'];

const read = (rel) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const docs = fs
  .readdirSync(path.join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const pages = ['README.md', 'CHANGELOG.md', ...docs];

/** The text without fenced code blocks and HTML comments (their brackets are not links). */
function prose(text) {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/<!--[\s\S]*?-->/g, '');
}

/** The anchors GitHub gives a page's headings, duplicates numbered as GitHub numbers them. */
function anchors(text) {
  const seen = new Map();
  const out = new Set();
  for (const line of prose(text).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const visible = m[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = slug(visible);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every inline link and image target of a page, with its line, code spans left out. */
function links(text) {
  const out = [];
  prose(text)
    .split('\n')
    .forEach((line, i) => {
      const visible = line.replace(/`[^`]*`/g, '');
      for (const m of visible.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        out.push({ target: m[1], line: i + 1 });
      }
    });
  return out;
}

/** What is wrong with one link of `page`, or undefined. */
function brokenLink(page, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const hash = target.indexOf('#');
  const file = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved = file
    ? path.join(path.dirname(path.join(ROOT, page)), decodeURIComponent(file))
    : path.join(ROOT, page);
  const rel = path.relative(ROOT, resolved).split(path.sep).join('/');
  if (!fs.existsSync(resolved)) return WRITTEN_ELSEWHERE.includes(rel) ? undefined : `${rel} does not exist`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) return `${rel} is not a Markdown page, so it has no #${anchor}`;
  return anchors(fs.readFileSync(resolved, 'utf8')).has(anchor) ? undefined : `${rel} has no heading #${anchor}`;
}

/** The row of a Markdown table whose second cell names `property`. */
function settingRow(text, property) {
  return text.split('\n').find((line) => {
    const cells = line.split('|').map((c) => c.trim());
    return line.startsWith('|') && cells[2] !== undefined && cells[2].includes(`\`${property}\``);
  });
}

describe('documentation', function () {
  describe('docs/endpoints.md', function () {
    it('is what scripts/generate-docs.js makes of the catalogue now (run npm run build)', async function () {
      this.timeout(20000);
      assert.equal(read('docs/endpoints.md'), await render());
    });

    it('names every template id', function () {
      const text = read('docs/endpoints.md');
      const missing = catalogue.TEMPLATES.map((t) => t.id).filter((id) => !text.includes(`\`${id}\``));
      assert.deepEqual(missing, []);
    });

    it('is committed as generated (CI only: the build regenerates it)', function () {
      if (!process.env.CI) this.skip();
      let diff;
      try {
        diff = execFileSync('git', ['status', '--porcelain', '--', path.relative(ROOT, OUT)], {
          cwd: ROOT,
          encoding: 'utf8',
        });
      } catch {
        this.skip();
      }
      assert.equal(diff.trim(), '', 'docs/endpoints.md changed when the build regenerated it: commit the new one');
    });
  });

  describe('links', function () {
    for (const page of pages) {
      it(`every relative link and anchor in ${page} resolves`, function () {
        const broken = links(read(page))
          .map(({ target, line }) => ({ target, line, problem: brokenLink(page, target) }))
          .filter((l) => l.problem)
          .map((l) => `${page}:${l.line} (${l.target}): ${l.problem}`);
        assert.deepEqual(broken, []);
      });
    }

    const missing = WRITTEN_ELSEWHERE.filter((rel) => !fs.existsSync(path.join(ROOT, rel)));
    it(`the pages written on other branches exist: ${WRITTEN_ELSEWHERE.join(', ')}`, function () {
      if (missing.length) this.skip();
    });
  });

  it(`README.md is at most ${README_MAX_LINES} lines`, function () {
    const lines = read('README.md').split('\n').length - 1;
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines: move detail into docs/`);
  });

  it('README.md gives the number of templates the catalogue has', function () {
    assert.ok(read('README.md').includes(`${catalogue.TEMPLATES.length} endpoint templates`));
  });

  describe('docs/configuration.md', function () {
    const text = read('docs/configuration.md');
    const specs = { ...CONFIG_SETTINGS, ...DESTINATION_SETTINGS };
    for (const [name, spec] of Object.entries(specs)) {
      it(`has ${name} with its default and allowed values`, function () {
        const row = settingRow(text, name);
        assert.ok(row, `no table row names \`${name}\``);
        const expected = [];
        if (spec.kind === 'number') expected.push(String(spec.default), String(spec.min), String(spec.max));
        if (spec.kind === 'choice') expected.push(...[spec.default, ...spec.options].map((o) => `\`${o}\``));
        if (spec.kind === 'text' && spec.default) expected.push(`\`${spec.default}\``);
        for (const value of expected) assert.ok(row.includes(value), `the row of ${name} lacks ${value}: ${row}`);
      });
    }
  });

  it('docs/own-ids.md names every create that upserts on externalId', function () {
    const text = read('docs/own-ids.md');
    const labels = catalogue.TEMPLATES.filter((t) => t.upsertsByExternalId).map((t) => t.label);
    assert.ok(labels.length > 0);
    assert.deepEqual(
      labels.filter((l) => !text.includes(l)),
      [],
    );
  });

  it('docs/examples.md names every example file', function () {
    const text = read('docs/examples.md');
    const titles = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
    assert.deepEqual(
      titles.filter((t) => !text.includes(t)),
      [],
    );
  });
});
