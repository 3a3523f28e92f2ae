/**
 * cdktf's bundled dependencies loaded on first use, its JSON writer served by
 * stableJson. Module loading is per process (jest keeps its own registry), so each
 * case runs in a fresh node.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Runs `body` (JavaScript) in a fresh node after deferring, and returns what it printed as JSON. */
function inFreshNode(body: string, env: Record<string, string> = {}): any {
  const script = `
    require('./stacks/cdktf-dependencies.ts').deferCdktfDependencies();
    const loaded = (name) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/'));
    ${body}`;
  const r = spawnSync(process.execPath, ['-r', './bin/register.js', '-e', script], { cwd: ROOT, env: { ...process.env, STAGING_TOKEN_TRACES: '', ...env }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

test('loading cdktf loads none of its three dependencies', () => {
  const seen = inFreshNode(`require('cdktf'); console.log(JSON.stringify(['archiver', 'semver', 'json-stable-stringify', 'readable-stream'].map(loaded)));`);
  expect(seen).toEqual([false, false, false, false]);
});

test('STAGING_TOKEN_TRACES=1 leaves cdktf loading as it is', () => {
  const seen = inFreshNode(`require('cdktf'); console.log(JSON.stringify(['archiver', 'semver', 'json-stable-stringify'].map(loaded)));`, { STAGING_TOKEN_TRACES: '1' });
  expect(seen).toEqual([true, true, true]);
});

// cdktf zips in a child node (it has no synchronous zip), so this process never needs archiver.
test('a directory asset is still zipped whole, and this process never loads archiver', () => {
  const out = inFreshNode(`
    const { mkdtempSync, mkdirSync, writeFileSync, readFileSync } = require('node:fs');
    const { join } = require('node:path');
    const { App, TerraformStack, TerraformAsset, AssetType } = require('cdktf');
    const dir = mkdtempSync(join(require('node:os').tmpdir(), 'staging-asset-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'hello.txt'), 'hello');
    const before = loaded('archiver');
    const app = new App({ outdir: join(dir, 'out') });
    const stack = new TerraformStack(app, 'zip');
    const asset = new TerraformAsset(stack, 'bundle', { path: join(dir, 'src'), type: AssetType.ARCHIVE });
    app.synth();
    const zip = readFileSync(join(dir, 'out', 'stacks', 'zip', asset.path));
    const after = loaded('archiver');
    // What cdktf's module holds in its place loads archiver when called.
    const standIn = require('node:module')._load('archiver', require.cache[require.resolve('cdktf/lib/private/fs')], false);
    const archive = standIn('zip');
    console.log(JSON.stringify({ before, after, magic: zip.subarray(0, 2).toString(), holds: zip.includes('hello.txt'), called: typeof archive.pipe, loaded: loaded('archiver') }));`);
  expect(out).toEqual({ before: false, after: false, magic: 'PK', holds: true, called: 'function', loaded: true });
});

test('semver loads when a binary version is first checked, and checks it', () => {
  const out = inFreshNode(`
    const { ValidateBinaryVersion } = require('cdktf/lib/validations/validate-binary-version');
    const before = loaded('semver');
    const check = (range) => new ValidateBinaryVersion('node', range, 'node --version').validate();
    console.log(JSON.stringify({ before, met: check('>=1.0.0'), unmet: check('>=999.0.0'), after: loaded('semver') }));`);
  expect(out.before).toBe(false);
  expect(out.met).toEqual([]);
  expect(out.unmet).toEqual([expect.stringMatching(/node version \d+\.\d+\.\d+ is lower than the required version >=999\.0\.0/)]);
  expect(out.after).toBe(true);
});

test("cdktf's JSON writer gives the package's text; other options than two spaces go to the package", () => {
  const out = inFreshNode(`
    const Module = require('node:module');
    require('cdktf');
    const manifest = require.cache[require.resolve('cdktf/lib/manifest')];
    const writer = Module._load('json-stable-stringify', manifest, false);
    const value = { b: [1, {}, []], a: { d: undefined, c: 'x' } };
    const twoSpaces = writer(value, { space: 2 });
    const afterTwoSpaces = loaded('json-stable-stringify');
    const fourSpaces = writer(value, { space: 4 });
    const pkg = require(require.resolve('json-stable-stringify', { paths: [require.resolve('cdktf')] }));
    console.log(JSON.stringify({ twoSpaces, afterTwoSpaces, fourSpaces, package2: pkg(value, { space: 2 }), package4: pkg(value, { space: 4 }) }));`);
  expect(out.afterTwoSpaces).toBe(false);
  expect(out.twoSpaces).toBe(out.package2);
  expect(out.fourSpaces).toBe(out.package4);
  expect(out.fourSpaces).toContain('\n    "a"');
});
