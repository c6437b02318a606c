'use strict';
/*
 * `npm pack` of the built repository, once per test process: the package test
 * (test/package/pack_spec.js) and the version matrix (test/matrix/) install the same tarball.
 * The tarball's folder is removed when the process exits.
 */
const assert = require('assert');
const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { promisify } = require('util');

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let packing = null;

/**
 * Resolves to { tarball, filename, files } (files: the tarball's paths, sorted, with /), packing
 * on the first call only. Fails when the build is missing.
 */
function packOnce() {
  if (!packing) packing = pack();
  return packing;
}

async function pack() {
  for (const built of Object.values(PKG['node-red'].nodes)) {
    assert.ok(fs.existsSync(path.join(ROOT, built)), `${built} is missing: run npm run build`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-pack-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout)[0]; // { filename, files: [{ path }] }
  const tarball = path.join(dir, packed.filename);
  assert.ok(fs.existsSync(tarball), `npm pack wrote ${tarball}`);
  const files = packed.files.map((f) => f.path.replace(/\\/g, '/')).sort();
  return { tarball, filename: packed.filename, files };
}

module.exports = { packOnce, ROOT, PKG, NPM };
