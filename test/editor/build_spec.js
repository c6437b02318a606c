'use strict';
/*
 * The built editor HTML (npm run build): the bundle inlined beside literal definitions, and
 * the destination's help listing every template of the catalogue as it is, so it cannot drift.
 */
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist', 'nodes');
const read = (...parts) => fs.readFileSync(path.join(...parts), 'utf8');
const { editorCatalogue } = require('../../dist/catalogue');

const decode = (html) =>
  html.replace(/&(amp|lt|gt|quot|#39);/g, (m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);

describe('built editor HTML', function () {
  for (const type of ['vitally-config', 'vitally-destination']) {
    it(`${type}.html carries the editor bundle once, beside its literal definition`, function () {
      const html = read(DIST, `${type}.html`);
      assert.doesNotMatch(html, /<!-- vitally:editor/, 'the marker was replaced');
      assert.equal(html.match(/window\.VitallyEditor/g)?.length > 0, true, 'the bundle defines VitallyEditor');
      assert.equal(html.match(/RED\.nodes\.registerType\(/g).length, 1, 'one registerType, the literal one');
      assert.match(html, new RegExp(`RED\\.nodes\\.registerType\\('${type}', \\{`));
      assert.match(html, /<style>[\s\S]*\.vitally-/);
    });
  }

  it('generates one dialog row per path parameter: the source has none written out', function () {
    const source = read(ROOT, 'nodes', 'vitally-destination.html');
    assert.match(source, /<!-- vitally:param-rows -->/);
    assert.doesNotMatch(source, /id="node-input-\w+Id"/);
  });

  describe('the destination help', function () {
    const help = () => read(DIST, 'locales', 'en-US', 'vitally-destination.html');

    it('says first where the per-record results are', function () {
      const first = help().match(/<p>([\s\S]*?)<\/p>/)[1];
      assert.match(first, /output 1/i);
      assert.match(first, /msg\.vitally\.results/);
      assert.match(first, /Output 2: one message per API call/);
    });

    it('lists every template of the catalogue with its method, path and required fields', function () {
      const text = decode(help());
      assert.doesNotMatch(text, /<!-- vitally:templates -->/);
      const templates = editorCatalogue();
      assert.ok(templates.length > 0);
      for (const t of templates) {
        assert.ok(text.includes(`<dt>${t.label} <span class="property-type">${t.method} ${t.path}</span></dt>`), t.id);
        for (const r of t.required) assert.ok(text.includes(`<code>${r}</code>`), `${t.id} requires ${r}`);
      }
      // Each template once, and nothing else in that list.
      const listed = Array.from(text.matchAll(/<dd><code>(\w+)<\/code>: /g), (m) => m[1]);
      assert.deepEqual(
        listed,
        templates.map((t) => t.id),
      );
    });
  });
});
