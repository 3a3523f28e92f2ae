// Minimal TypeScript loader for the cdktf app and the command-line tools: SWC
// strips the types (the type check is `tsc --noEmit`, a step of `npm test`).
// No source-map-support: cdktf captures a stack trace for every token it makes,
// and mapping each one through source maps tripled synthesis time.
// Compiled files are cached by content hash, so a warm run never loads SWC.
// V8's compiled code of every module (cdktf, the provider classes, ours) is kept
// too, so a warm run parses and compiles little (STAGING_CODE_CACHE=0: not used).
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: false,
  swcrc: false,
  configFile: false,
};
const CACHE = join(__dirname, '..', 'node_modules', '.cache', 'staging-ts');
const CODE_CACHE = join(__dirname, '..', 'node_modules', '.cache', 'staging-v8');
const CODE_KEY = Symbol('staging code-cache key');
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
    keep(cached, code);
  }
  module[CODE_KEY] = key; // the compiled text is known by its source's key
  module._compile(code, filename);
};

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

if (process.env.STAGING_CODE_CACHE !== '0') {
  const compileModule = Module.prototype._compile;
  const unkept = []; // [file, script] compiled without usable cached code
  // A JavaScript file is known by its path, size and time of change (hashing the
  // text of every module took longer than reading their cached code).
  // Undefined for code that is not a file (node -e).
  const codeKey = (module, filename, content) => {
    let source = module[CODE_KEY];
    if (source === undefined) {
      const stats = statSync(filename, { throwIfNoEntry: false });
      if (!stats) return undefined;
      source = `${filename}\0${stats.size}\0${stats.mtimeMs}`;
    }
    return createHash('sha1').update(`${process.version}\0${process.arch}\0${source}\0${content.length}`).digest('hex');
  };
  // What Node's own _compile does, through a vm.Script that takes and gives cached code.
  Module.prototype._compile = function compileWithCodeCache(content, filename, format) {
    // The main module stays Node's: its _compile sets up the loader's per-run stat cache.
    const key = format === 'module' || this.id === '.' ? undefined : codeKey(this, filename, content);
    if (key === undefined) return compileModule.call(this, content, filename, format);
    const file = join(CODE_CACHE, `${key}.bin`);
    let cachedData;
    try {
      cachedData = readFileSync(file);
    } catch {
      // first run of this text
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), {
        filename,
        columnOffset: -Module.wrapper[0].length, // columns of line 1 as in the file
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      return compileModule.call(this, content, filename, format); // Node reports syntax errors (or loads ES modules)
    }
    if (cachedData === undefined || script.cachedDataRejected) unkept.push([file, script]);
    const module = this;
    const require = (id) => module.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = script.runInThisContext({ displayErrors: true });
    return Reflect.apply(wrapper, this.exports, [this.exports, require, this, filename, dirname(filename)]);
  };
  // Kept at exit, when the code holds every function the run compiled, not only the eager ones.
  process.on('exit', () => {
    for (const [file, script] of unkept) keep(file, script.createCachedData());
  });
}
