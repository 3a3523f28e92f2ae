// Minimal TypeScript loader for the cdktf app and the command-line tools: SWC
// strips the types (the type check is `tsc --noEmit`, a step of `npm test`).
// No source-map-support: cdktf captures a stack trace for every token it makes,
// and mapping each one through source maps tripled synthesis time.
// Compiled files are cached by content hash, so a warm run never loads SWC.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

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
  swc = swc || require('@swc/core');
  return swc.transformSync(source, { ...OPTIONS, filename }).code;
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = readFileSync(filename, 'utf8');
  swcVersion = swcVersion || require('@swc/core/package.json').version;
  const key = createHash('sha1').update(swcVersion).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    code = compile(source, filename);
    try {
      mkdirSync(CACHE, { recursive: true });
      const partial = `${cached}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, cached); // atomic: a concurrent reader sees all or nothing
    } catch {
      // A read-only tree still works, only slower.
    }
  }
  module._compile(code, filename);
};
