// Minimal TypeScript loader for the cdktf app and the command-line tools: SWC
// strips the types (the type check is `tsc --noEmit`, a step of `npm test`).
// No source-map-support: cdktf captures a stack trace for every token it makes,
// and mapping each one through source maps tripled synthesis time.
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: false,
  swcrc: false,
  configFile: false,
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
