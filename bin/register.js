// TypeScript loader for the cdktf app and the command-line tools: SWC strips the
// types (the type check is `tsc --noEmit`, a step of `npm test`), through the
// require hook of `pirates`, the public way to add a file type to Node's CommonJS
// loader. Compiled files are kept by content hash under node_modules/.cache, so a
// warm run never loads SWC. No source maps: line numbers are kept as they are.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { addHook } = require('pirates');

const OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: false,
  swcrc: false,
  configFile: false,
};
const CACHE = join(__dirname, '..', 'node_modules', '.cache', 'staging-ts');
let swc; // loaded on the first cache miss only
let swcVersion;

function compile(source, filename) {
  swcVersion = swcVersion || require('@swc/core/package.json').version;
  const key = createHash('sha1').update(swcVersion).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    swc = swc || require('@swc/core');
    const code = swc.transformSync(source, { ...OPTIONS, filename }).code;
    keep(cached, code);
    return code;
  }
}

/** Writes a cache file whole or not at all; a read-only tree still works, only slower. */
function keep(file, data) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, data);
    renameSync(partial, file); // atomic: a concurrent reader sees all or nothing
  } catch {
    // not kept
  }
}

addHook(compile, { exts: ['.ts'], ignoreNodeModules: true });
