#!/usr/bin/env node
'use strict';
/*
 * scorecard-lite: the static checks of the Flow Library scorecard (`node-red-dev validate`),
 * re-implemented so they run offline. The real tool fetches catalogue.nodered.org and the
 * npm registry and stops early without them; the checks that need the network (P08, N01,
 * and D03 against the registry's latest versions) are reported as skipped or approximated
 * from what is installed in node_modules. One check is this project's own, not the Flow
 * Library's: T01, that the lowest versions package.json admits are run by the version matrix
 * (test/matrix/cells.json).
 *
 *   node scripts/scorecard.js [packageDir]      prints a report, exits 1 when a check fails
 *   require('./scripts/scorecard').checkPackage(dir)   -> [{ id, title, status, message }]
 *
 * status: 'pass' | 'fail' | 'warn' (could not be checked, or advice) | 'skip' (needs the network)
 */
const fs = require('fs');
const path = require('path');
const acorn = require('acorn');
const semver = require('semver');

/** Node-RED releases a package should load on: the 4.x maintenance line and the 5.x latest. */
const NODE_RED_VERSIONS = ['4.0.0', '4.1.15', '5.0.0'];
/** The lowest Node.js that Node-RED 5 (the latest line) runs on, and the major Node-RED 4 users run. */
const NODE_LATEST_MIN = '22.9.0';
const NODE_MAINTENANCE_RANGE = '20.x';
const MAX_DEPENDENCIES = 6;
/** The version matrix of the package's tests: { cells: [{ nodeRed: range, node: major }] }. */
const MATRIX_FILE = path.join('test', 'matrix', 'cells.json');
/** node-red-dev's list of packages known to break Node-RED (src/badpackages.json). */
const BAD_PACKAGES = { 'agent-base': '<6.0.0' };
/** Keys whose values the Flow Library reads as literals from the editor definition. */
const LITERAL_KEYS = ['category', 'color', 'icon', 'inputs', 'outputs'];

function result(id, title, status, message) {
  return { id, title, status, message };
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------- package.json checks

function checkPackageJson(pkg) {
  const out = [];
  out.push(
    pkg.license
      ? result('P01', 'License', 'pass', `license: ${pkg.license}`)
      : result('P01', 'License', 'fail', 'package.json has no "license"'),
  );

  out.push(
    pkg.repository || pkg.bugs
      ? result('P03', 'Repository or bugs', 'pass', 'repository/bugs present')
      : result('P03', 'Repository or bugs', 'fail', 'package.json has neither "repository" nor "bugs"'),
  );

  const name = String(pkg.name || '');
  if (/^@[a-z\d][\w.-]*\/[a-z\d][\w.-]*$/.test(name)) {
    out.push(result('P04', 'Package name', 'pass', `scoped name ${name}`));
  } else if (/^(node-red|nodered)(?!-contrib-)/.test(name)) {
    out.push(
      result(
        'P04',
        'Package name',
        'fail',
        `"${name}": unscoped names starting with node-red must use node-red-contrib-; new packages should be scoped`,
      ),
    );
  } else if (!name) {
    out.push(result('P04', 'Package name', 'fail', 'package.json has no "name"'));
  } else {
    out.push(result('P04', 'Package name', 'warn', `"${name}" is unscoped: new packages should use a scoped name`));
  }

  const keywords = Array.isArray(pkg.keywords) ? pkg.keywords : [];
  out.push(
    keywords.includes('node-red')
      ? result('P05', 'node-red keyword', 'pass', 'keywords include "node-red"')
      : result(
          'P05',
          'node-red keyword',
          'fail',
          'keywords do not include "node-red" (the Flow Library rejects the package)',
        ),
  );

  const nr = pkg['node-red'];
  const nrRange = nr && typeof nr === 'object' ? nr.version : undefined;
  if (!nrRange) {
    out.push(result('P06', 'Node-RED version', 'fail', 'package.json has no "node-red.version"'));
  } else if (!semver.validRange(nrRange)) {
    out.push(result('P06', 'Node-RED version', 'fail', `node-red.version "${nrRange}" is not a valid range`));
  } else {
    const missed = NODE_RED_VERSIONS.filter((v) => !semver.satisfies(v, nrRange));
    out.push(
      missed.length
        ? result(
            'P06',
            'Node-RED version',
            'fail',
            `node-red.version "${nrRange}" excludes Node-RED ${missed.join(', ')}`,
          )
        : result('P06', 'Node-RED version', 'pass', `"${nrRange}" admits Node-RED 4.x and 5.x`),
    );
  }

  const nodeRange = pkg.engines && pkg.engines.node;
  if (!nodeRange) {
    out.push(result('P07', 'Node.js version', 'fail', 'package.json has no "engines.node"'));
  } else if (!semver.validRange(nodeRange)) {
    out.push(result('P07', 'Node.js version', 'fail', `engines.node "${nodeRange}" is not a valid range`));
  } else {
    const problems = [];
    if (!semver.satisfies(NODE_LATEST_MIN, nodeRange))
      problems.push(`excludes ${NODE_LATEST_MIN} (Node-RED 5's minimum)`);
    if (!semver.intersects(nodeRange, NODE_MAINTENANCE_RANGE)) problems.push('excludes Node.js 20 (Node-RED 4)');
    out.push(
      problems.length
        ? result('P07', 'Node.js version', 'fail', `engines.node "${nodeRange}" ${problems.join(' and ')}`)
        : result('P07', 'Node.js version', 'pass', `"${nodeRange}" admits Node.js 20 and ${NODE_LATEST_MIN}`),
    );
  }

  out.push(
    result('P08', 'Similar names', 'skip', 'needs catalogue.nodered.org (run `npx node-red-dev validate` online)'),
  );
  return out;
}

// ---------------------------------------------------------------- tested versions

/**
 * T01: the package promises only what its version matrix runs. The lowest Node-RED and Node.js
 * that package.json admits fall in a tested cell (Node-RED by range, Node.js by major), and every
 * cell is inside what package.json admits.
 */
function checkTestedVersions(dir, pkg) {
  const title = 'Tested versions';
  let matrix;
  try {
    matrix = readJson(path.join(dir, MATRIX_FILE));
  } catch (err) {
    return [
      result('T01', title, 'warn', `no version matrix to compare with (${MATRIX_FILE}: ${err.code || err.message})`),
    ];
  }
  const cells = Array.isArray(matrix.cells) ? matrix.cells : [];
  const nrRange = pkg['node-red'] && pkg['node-red'].version;
  const nodeRange = pkg.engines && pkg.engines.node;
  if (!cells.length) return [result('T01', title, 'fail', `${MATRIX_FILE} has no cells`)];
  if (!semver.validRange(nrRange) || !semver.validRange(nodeRange))
    return [result('T01', title, 'warn', 'needs a valid node-red.version and engines.node (see P06, P07)')];
  const problems = [];
  const nrMin = semver.minVersion(nrRange);
  if (nrMin && !cells.some((c) => semver.satisfies(nrMin, c.nodeRed)))
    problems.push(`node-red.version "${nrRange}" admits Node-RED ${nrMin.version}, which no cell runs`);
  const nodeMin = semver.minVersion(nodeRange);
  if (nodeMin && !cells.some((c) => c.node === nodeMin.major))
    problems.push(`engines.node "${nodeRange}" admits Node.js ${nodeMin.major}, which no cell runs`);
  for (const c of cells) {
    if (!semver.intersects(c.nodeRed, nrRange)) problems.push(`the cell Node-RED ${c.nodeRed} is outside "${nrRange}"`);
    if (!semver.intersects(`${c.node}.x`, nodeRange))
      problems.push(`the cell Node.js ${c.node} is outside "${nodeRange}"`);
  }
  const tested = cells.map((c) => `Node-RED ${c.nodeRed} on Node.js ${c.node}`).join(', ');
  return [
    problems.length
      ? result('T01', title, 'fail', `${problems.join('; ')} (${MATRIX_FILE})`)
      : result(
          'T01',
          title,
          'pass',
          `node-red.version "${nrRange}" and engines.node "${nodeRange}" start in tested cells (${tested})`,
        ),
  ];
}

// ---------------------------------------------------------------- dependency checks

/** The package.json of `name` as Node would resolve it from `fromDir` (nested first, then hoisted). */
function resolveInstalled(name, fromDir, rootDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (fs.existsSync(candidate)) return { file: candidate, pkg: readJson(candidate) };
    if (path.resolve(dir) === path.resolve(rootDir)) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function checkDependencies(dir, pkg) {
  const out = [];
  const deps = pkg.dependencies || {};
  const names = Object.keys(deps);
  out.push(
    names.length <= MAX_DEPENDENCIES
      ? result('D01', 'Dependency count', 'pass', `${names.length} runtime dependencies (at most ${MAX_DEPENDENCIES})`)
      : result(
          'D01',
          'Dependency count',
          'fail',
          `${names.length} runtime dependencies: more than ${MAX_DEPENDENCIES} (${names.join(', ')})`,
        ),
  );

  // D02: walk the installed runtime dependency tree for packages known to break Node-RED.
  const seen = new Map();
  const missing = [];
  const queue = names.map((n) => ({ name: n, from: dir }));
  while (queue.length) {
    const { name, from } = queue.shift();
    const found = resolveInstalled(name, from, dir);
    if (!found) {
      if (from === dir) missing.push(name);
      continue;
    }
    const key = found.file;
    if (seen.has(key)) continue;
    seen.set(key, { name, version: found.pkg.version });
    const modDir = path.dirname(found.file);
    for (const d of Object.keys(found.pkg.dependencies || {})) queue.push({ name: d, from: modDir });
  }
  const bad = [...seen.values()].filter(
    (p) => BAD_PACKAGES[p.name] && semver.satisfies(p.version, BAD_PACKAGES[p.name]),
  );
  if (bad.length) {
    out.push(
      result(
        'D02',
        'Known bad packages',
        'fail',
        `dependency tree holds ${bad.map((p) => `${p.name}@${p.version}`).join(', ')}`,
      ),
    );
  } else if (names.length && seen.size === 0) {
    out.push(
      result('D02', 'Known bad packages', 'warn', 'dependencies are not installed: run npm ci to check the tree'),
    );
  } else {
    out.push(
      result('D02', 'Known bad packages', 'pass', `${seen.size} installed runtime packages, none on the bad list`),
    );
  }

  // D03 (offline approximation): each declared range admits the installed version and names its major.
  for (const name of names) {
    const range = deps[name];
    const found = resolveInstalled(name, dir, dir);
    const id = `D03:${name}`;
    if (!found) {
      out.push(
        result(
          id,
          `Outdated dependency ${name}`,
          'warn',
          `${name} is not installed: cannot compare "${range}" offline`,
        ),
      );
      continue;
    }
    const installed = found.pkg.version;
    if (!semver.validRange(range)) {
      out.push(result(id, `Outdated dependency ${name}`, 'fail', `"${range}" is not a semver range`));
    } else if (!semver.satisfies(installed, range)) {
      out.push(
        result(id, `Outdated dependency ${name}`, 'fail', `"${range}" does not admit the installed ${installed}`),
      );
    } else {
      const min = semver.minVersion(range);
      out.push(
        min && min.major === semver.major(installed)
          ? result(
              id,
              `Outdated dependency ${name}`,
              'pass',
              `"${range}" is on major ${min.major} (installed ${installed})`,
            )
          : result(
              id,
              `Outdated dependency ${name}`,
              'fail',
              `"${range}" starts at major ${min ? min.major : '?'} but ${installed} is installed`,
            ),
      );
    }
  }
  if (missing.length) {
    out.push(result('D00', 'Dependencies installed', 'warn', `not installed: ${missing.join(', ')}`));
  }
  return out;
}

// ---------------------------------------------------------------- editor HTML parse

/** The `<script type="text/javascript">` blocks, matched the way node-red-dev matches them. */
function javascriptBlocks(html) {
  const blocks = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
  let m;
  while ((m = re.exec(html))) {
    if (/\btype\s*=\s*(["'])text\/javascript\1/i.test(m[1])) blocks.push(m[2]);
  }
  return blocks;
}

/** Calls the parse reaches: every `<x>.registerType(...)` CallExpression in the tree. */
function findRegisterTypeCalls(ast) {
  const calls = [];
  const visit = (node) => {
    if (!node || typeof node.type !== 'string') return;
    if (
      node.type === 'CallExpression' &&
      node.callee &&
      node.callee.type === 'MemberExpression' &&
      !node.callee.computed &&
      node.callee.property &&
      node.callee.property.name === 'registerType'
    ) {
      calls.push(node);
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object' && typeof value.type === 'string') visit(value);
    }
  };
  visit(ast);
  return calls;
}

/** Problems in an object literal that node-red-dev's walk cannot read (spreads, non-identifier keys). */
function objectProblems(obj, where) {
  const problems = [];
  for (const prop of obj.properties) {
    if (prop.type === 'SpreadElement') {
      problems.push(`${where} contains a spread (...)`);
    } else if (prop.computed) {
      problems.push(`${where} has a computed key`);
    } else if (prop.key.type !== 'Identifier') {
      problems.push(`${where} has a quoted key ${JSON.stringify(prop.key.value)}`);
    }
  }
  return problems;
}

function propertyOf(obj, name) {
  return obj.properties.find(
    (p) => p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && p.key.name === name,
  );
}

/**
 * Parses one node's editor HTML. Returns { definitions: [{ type, category, problems }], error }.
 */
function parseEditorHtml(html) {
  const blocks = javascriptBlocks(html);
  if (!blocks.length) return { definitions: [], error: 'no <script type="text/javascript"> block' };
  const definitions = [];
  for (const code of blocks) {
    let ast;
    try {
      ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
    } catch (err) {
      return { definitions, error: `the script block does not parse: ${err.message}` };
    }
    for (const call of findRegisterTypeCalls(ast)) {
      const [typeArg, defArg] = call.arguments;
      const problems = [];
      if (!typeArg || typeArg.type !== 'Literal' || typeof typeArg.value !== 'string') {
        definitions.push({
          type: null,
          category: null,
          problems: ['the first argument of registerType is not a string literal'],
        });
        continue;
      }
      const type = typeArg.value;
      if (!defArg || defArg.type !== 'ObjectExpression') {
        definitions.push({
          type,
          category: null,
          problems: ['the second argument of registerType is not an inline object literal'],
        });
        continue;
      }
      problems.push(...objectProblems(defArg, 'the definition'));
      const categoryProp = propertyOf(defArg, 'category');
      const category = categoryProp && categoryProp.value.type === 'Literal' ? categoryProp.value.value : null;
      const isConfig = category === 'config';
      for (const key of LITERAL_KEYS) {
        const prop = propertyOf(defArg, key);
        const needed = key === 'category' || !isConfig;
        if (!prop) {
          if (needed) problems.push(`"${key}" is missing`);
        } else if (prop.value.type !== 'Literal') {
          problems.push(`"${key}" is not a literal`);
        }
      }
      for (const key of ['defaults', 'credentials']) {
        const prop = propertyOf(defArg, key);
        if (!prop) {
          if (key === 'defaults') problems.push('"defaults" is missing');
          continue;
        }
        if (prop.value.type !== 'ObjectExpression') {
          problems.push(`"${key}" is not an inline object literal`);
        } else {
          problems.push(...objectProblems(prop.value, `"${key}"`));
        }
      }
      const iconProp = propertyOf(defArg, 'icon');
      const icon = iconProp && iconProp.value.type === 'Literal' ? iconProp.value.value : null;
      definitions.push({ type, category, icon, problems });
    }
  }
  return { definitions, error: null };
}

function iconExists(dir, jsFile, icon) {
  if (typeof icon !== 'string') return false;
  if (/^font-awesome\//.test(icon)) return true;
  const candidates = [
    path.join(path.dirname(jsFile), 'icons', icon),
    path.join(dir, 'icons', icon),
    path.join(dir, 'node_modules', '@node-red', 'nodes', 'icons', icon),
  ];
  return candidates.some((f) => fs.existsSync(f));
}

function checkNodes(dir, pkg) {
  const out = [];
  const nodes = (pkg['node-red'] && pkg['node-red'].nodes) || {};
  const types = [];
  const unreadable = [];
  if (!Object.keys(nodes).length) {
    out.push(result('N00', 'Node files', 'fail', 'package.json has no "node-red.nodes"'));
    return { out, types, unreadable };
  }
  for (const [setName, jsRel] of Object.entries(nodes)) {
    const jsFile = path.join(dir, jsRel);
    const htmlBeside = jsFile.replace(/\.c?js$/, '.html');
    const htmlSource = path.join(dir, 'nodes', path.basename(htmlBeside));
    const id = `H01:${setName}`;
    let htmlFile = null;
    let note = '';
    if (fs.existsSync(htmlBeside)) {
      htmlFile = htmlBeside;
    } else if (fs.existsSync(htmlSource)) {
      htmlFile = htmlSource;
      note = ' (source file: not built yet)';
    }
    if (!htmlFile) {
      out.push(result(id, `Editor HTML of ${setName}`, 'fail', `no ${path.relative(dir, htmlBeside)} beside ${jsRel}`));
      unreadable.push(setName);
      continue;
    }
    const rel = path.relative(dir, htmlFile);
    const parsed = parseEditorHtml(fs.readFileSync(htmlFile, 'utf8'));
    if (parsed.error) {
      out.push(result(id, `Editor HTML of ${setName}`, 'fail', `${rel}: ${parsed.error}`));
      unreadable.push(setName);
      continue;
    }
    if (!parsed.definitions.length) {
      out.push(result(id, `Editor HTML of ${setName}`, 'fail', `${rel}: no RED.nodes.registerType(...) call`));
      unreadable.push(setName);
      continue;
    }
    const problems = [];
    for (const def of parsed.definitions) {
      problems.push(...def.problems.map((p) => `${def.type || 'registerType'}: ${p}`));
      if (def.type && !def.problems.length) types.push({ type: def.type, category: def.category });
    }
    if (!parsed.definitions.some((d) => d.type === setName)) {
      problems.push(`no registerType('${setName}', ...) although package.json names that set`);
    }
    if (!types.some((t) => t.type === setName)) unreadable.push(setName);
    out.push(
      problems.length
        ? result(id, `Editor HTML of ${setName}`, 'fail', `${rel}: ${problems.join('; ')}`)
        : result(
            id,
            `Editor HTML of ${setName}`,
            'pass',
            `${rel}: registerType ${parsed.definitions.map((d) => `'${d.type}' (${d.category})`).join(', ')} is literal${note}`,
          ),
    );

    if (!fs.existsSync(jsFile)) {
      out.push(
        result(`H02:${setName}`, `Runtime file of ${setName}`, 'warn', `${jsRel} does not exist (run npm run build)`),
      );
    }
    for (const def of parsed.definitions) {
      if (def.icon && !iconExists(dir, jsFile, def.icon)) {
        out.push(
          result(
            `H03:${def.type}`,
            `Icon of ${def.type}`,
            fs.existsSync(jsFile) ? 'fail' : 'warn',
            `icon "${def.icon}" is not in ${path.relative(dir, path.join(path.dirname(jsFile), 'icons'))}/`,
          ),
        );
      }
    }
  }
  out.push(
    result('N01', 'Unique node types', 'skip', 'needs catalogue.nodered.org (run `npx node-red-dev validate` online)'),
  );
  return { out, types, unreadable };
}

// ---------------------------------------------------------------- examples

function listJson(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listJson(full));
    else if (entry.name.endsWith('.json')) files.push(full);
  }
  return files.sort();
}

function checkExamples(dir, types, unreadable = []) {
  const exDir = path.join(dir, 'examples');
  const nonConfig = types.filter((t) => t.category !== 'config').map((t) => t.type);
  if (!fs.existsSync(exDir)) return [result('N02', 'Examples', 'fail', 'no examples/ folder at the package root')];
  const files = listJson(exDir);
  if (!files.length) return [result('N02', 'Examples', 'fail', 'examples/ holds no .json flow')];
  const problems = [];
  const used = new Set();
  for (const file of files) {
    const rel = path.relative(dir, file);
    let flow;
    try {
      flow = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${rel} is not valid JSON (${err.message})`);
      continue;
    }
    if (!Array.isArray(flow)) {
      problems.push(`${rel} is not an array of nodes`);
      continue;
    }
    flow.forEach((n) => {
      if (n && typeof n.type === 'string') used.add(n.type);
    });
  }
  const uncovered = nonConfig.filter((t) => !used.has(t));
  if (uncovered.length) problems.push(`no example uses ${uncovered.join(', ')}`);
  // Like the Flow Library: a node whose HTML cannot be parsed is invisible to this check.
  if (unreadable.length)
    problems.push(`the node types of ${unreadable.join(', ')} cannot be read from the editor HTML`);
  else if (!nonConfig.length) problems.push('no node type could be read from the editor HTML');
  return [
    problems.length
      ? result('N02', 'Examples', 'fail', problems.join('; '))
      : result('N02', 'Examples', 'pass', `${files.length} example flows cover ${nonConfig.join(', ')}`),
  ];
}

// ---------------------------------------------------------------- entry points

function checkPackage(dir) {
  const root = path.resolve(dir);
  const pkgFile = path.join(root, 'package.json');
  let pkg;
  try {
    pkg = readJson(pkgFile);
  } catch (err) {
    return [result('P00', 'package.json', 'fail', `cannot read ${pkgFile}: ${err.message}`)];
  }
  const results = [...checkPackageJson(pkg), ...checkTestedVersions(root, pkg), ...checkDependencies(root, pkg)];
  const nodes = checkNodes(root, pkg);
  results.push(...nodes.out, ...checkExamples(root, nodes.types, nodes.unreadable));
  return results;
}

const MARK = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

function report(results) {
  const lines = results.map((r) => `${MARK[r.status]}  ${r.id.padEnd(26)} ${r.title}: ${r.message}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push('', failed ? `${failed} check(s) failed` : 'All checks passed');
  return lines.join('\n');
}

module.exports = { checkPackage, parseEditorHtml, report };

if (require.main === module) {
  const dir = process.argv[2] || path.join(__dirname, '..');
  const results = checkPackage(dir);
  console.log(`scorecard-lite for ${path.resolve(dir)}\n`);
  console.log(report(results));
  process.exitCode = results.some((r) => r.status === 'fail') ? 1 : 0;
}
