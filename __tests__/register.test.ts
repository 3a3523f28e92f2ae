/**
 * The loader's code cache (bin/register.js): modules behave as under Node's own
 * loader, a second run takes the kept code, and bad or missing cache files only
 * cost time. The loader is copied into a scratch tree so the cache is the test's own.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIBRARY = `'use strict';
const helper = require('./helper');
exports.facts = {
  bound: this === exports,
  file: __filename,
  dir: __dirname,
  resolved: require.resolve('./helper'),
  cached: require.cache[require.resolve('./helper')].exports === helper,
  mainIsEntry: require.main.filename.endsWith('entry.js'),
  helper: helper.twice(21),
};
`;

const HELPER = `exports.twice = (n) => n * 2; exports.boom = () => { throw new Error('x'); };\n`;

/** A scratch tree: bin/register.js, lib/{library,helper}.js, entry.js printing what the library sees. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'staging-register-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'lib'));
  copyFileSync(join(__dirname, '..', 'bin', 'register.js'), join(dir, 'bin', 'register.js'));
  writeFileSync(join(dir, 'lib', 'library.js'), LIBRARY);
  // The throw sits on line 1, where Node's wrapper would shift columns if it were not accounted for.
  writeFileSync(join(dir, 'lib', 'helper.js'), HELPER);
  writeFileSync(
    join(dir, 'entry.js'),
    `const lib = require('./lib/library');
let stack = '';
try { require('./lib/helper').boom(); } catch (e) { stack = e.stack.split('\\n')[1].trim(); }
console.log(JSON.stringify({ ...lib.facts, stack }));
`,
  );
  return dir;
}

function run(dir: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['-r', './bin/register.js', 'entry.js'], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

const cacheDir = (dir: string) => join(dir, 'node_modules', '.cache', 'staging-v8');
const cacheFiles = (dir: string) => readdirSync(cacheDir(dir)).sort();

test('modules loaded through the code cache see what Node gives them, first run and second', () => {
  const dir = scratch();
  const expected = {
    bound: true,
    file: join(dir, 'lib', 'library.js'),
    dir: join(dir, 'lib'),
    resolved: join(dir, 'lib', 'helper.js'),
    cached: true,
    mainIsEntry: true,
    helper: 42,
    stack: `at exports.boom (${join(dir, 'lib', 'helper.js')}:1:${HELPER.indexOf('new Error') + 1})`,
  };
  expect(run(dir)).toEqual(expected);
  expect(run(dir)).toEqual(expected);
  // Node's own loader gives the same.
  expect(run(dir, { STAGING_CODE_CACHE: '0' })).toEqual(expected);
});

test('the first run keeps code for each module but the entry; the second takes it and writes nothing', () => {
  const dir = scratch();
  run(dir);
  const files = cacheFiles(dir);
  expect(files).toHaveLength(2); // library.js and helper.js
  const written = files.map((f) => statSync(join(cacheDir(dir), f)).mtimeMs);
  run(dir);
  expect(cacheFiles(dir)).toEqual(files);
  expect(files.map((f) => statSync(join(cacheDir(dir), f)).mtimeMs)).toEqual(written);
});

test('a damaged cache file is refused by V8 and written again; a changed module gets its own', () => {
  const dir = scratch();
  run(dir);
  const [first] = cacheFiles(dir);
  writeFileSync(join(cacheDir(dir), first), 'not V8 code');
  expect(run(dir).helper).toBe(42);
  expect(readFileSync(join(cacheDir(dir), first), 'utf8')).not.toBe('not V8 code');
  writeFileSync(join(dir, 'lib', 'helper.js'), HELPER.replace('n * 2', 'n * 3'));
  expect(run(dir).helper).toBe(63);
  expect(cacheFiles(dir)).toHaveLength(3);
});

test('STAGING_CODE_CACHE=0 keeps nothing', () => {
  const dir = scratch();
  run(dir, { STAGING_CODE_CACHE: '0' });
  expect(() => readdirSync(cacheDir(dir))).toThrow(/ENOENT/);
});
