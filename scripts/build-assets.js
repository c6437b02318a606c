'use strict';
// Node-RED loads a node's editor HTML, locales and icons from beside its .js file, so the
// editor halves in nodes/ and icons/ go next to the compiled runtime (run after tsc).
//
// - The editor code (src/editor, TypeScript for the browser) is bundled by esbuild into one
//   IIFE and inlined, with its styles, where each nodes/<type>.html has the
//   `<!-- vitally:editor ... -->` marker. The registerType definitions stay literal.
// - The destination help's list of templates is rendered from the built catalogue
//   (dist/catalogue) where its help has the `<!-- vitally:templates -->` marker, so the help
//   cannot drift from what the node does.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'nodes');

const EDITOR_MARKER = /<!-- vitally:editor\b[^>]*-->/;
const TEMPLATES_MARKER = '<!-- vitally:templates -->';

/** The editor bundle, as one IIFE that defines the `VitallyEditor` global. */
function editorBundle() {
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, 'src', 'editor', 'index.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    tsconfig: path.join(root, 'tsconfig.editor.json'),
    charset: 'utf8',
    legalComments: 'none',
    write: false,
  });
  const code = result.outputFiles[0].text;
  // Inlined in a <script>: a closing tag inside it would end the script early.
  if (/<\/script/i.test(code)) throw new Error('the editor bundle contains "</script"');
  if (/\.registerType\s*\(/.test(code)) {
    throw new Error('the editor bundle must not call registerType: the definitions stay literal in nodes/*.html');
  }
  return code;
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The templates grouped as the dialog groups them: label, method and path, required fields. */
function templatesHelp() {
  const { editorCatalogue } = require(path.join(root, 'dist', 'catalogue'));
  const groups = new Map();
  for (const t of editorCatalogue()) {
    if (!groups.has(t.group)) groups.set(t.group, []);
    groups.get(t.group).push(t);
  }
  const lines = [];
  for (const [group, list] of groups) {
    lines.push(`<h4>${escapeHtml(group)}</h4>`, '<dl class="message-properties">');
    for (const t of list) {
      const required = t.required.length
        ? `requires ${t.required.map((r) => `<code>${escapeHtml(r)}</code>`).join('; ')}`
        : 'no required fields';
      lines.push(
        `    <dt>${escapeHtml(t.label)} <span class="property-type">${escapeHtml(t.method)} ${escapeHtml(t.path)}</span></dt>`,
        `    <dd><code>${escapeHtml(t.id)}</code>: ${required}</dd>`,
      );
    }
    lines.push('</dl>');
  }
  return lines.join('\n');
}

const bundle = editorBundle();
const css = fs.readFileSync(path.join(root, 'src', 'editor', 'editor.css'), 'utf8');
const inlined = `<script type="text/javascript">\n${bundle}</script>\n<style>\n${css}</style>`;

fs.mkdirSync(out, { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
  if (!file.endsWith('.html')) continue;
  const source = fs.readFileSync(path.join(root, 'nodes', file), 'utf8');
  if (!EDITOR_MARKER.test(source)) throw new Error(`nodes/${file} has no <!-- vitally:editor --> marker`);
  fs.writeFileSync(
    path.join(out, file),
    source.replace(EDITOR_MARKER, () => inlined),
  );
}

fs.cpSync(path.join(root, 'nodes', 'locales'), path.join(out, 'locales'), { recursive: true });
const help = path.join(out, 'locales', 'en-US', 'vitally-destination.html');
const helpText = fs.readFileSync(help, 'utf8');
if (!helpText.includes(TEMPLATES_MARKER)) throw new Error(`${help} has no ${TEMPLATES_MARKER} marker`);
fs.writeFileSync(
  help,
  helpText.replace(TEMPLATES_MARKER, () => templatesHelp()),
);

fs.cpSync(path.join(root, 'icons'), path.join(out, 'icons'), { recursive: true });
