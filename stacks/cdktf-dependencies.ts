/**
 * cdktf 0.21 loads its three bundled dependencies when it loads, though a synthesis
 * calls one of them at most: archiver (some 150 modules of streams and globbing;
 * cdktf zips a directory asset in a child node, so a synthesizing process never
 * calls it) and semver (checks a binary's version for a construct that asks) are
 * loaded on first use instead, and json-stable-stringify, which writes the manifest
 * and every stack document, is served by `stableJson` (the same text) for the one
 * option cdktf passes it. Together about half of cdktf's loading time.
 *
 * This changes how modules load, so it must run before anything loads cdktf:
 * main.ts imports `./defer-cdktf-dependencies` first. STAGING_TOKEN_TRACES=1 leaves
 * cdktf as it is, like the other shortcuts.
 */
import Module from 'node:module';
import { stableJson } from './stable-json';

type Load = (request: string, parent: NodeModule | undefined, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

/** Loaded on first use: cdktf calls archiver as a function and reads `satisfies` off semver. */
const ON_FIRST_USE = new Set(['archiver', 'semver']);
const JSON_WRITER = 'json-stable-stringify';

/** Where each module of cdktf itself lives (not its bundled dependencies). */
const CDKTF_LIB = /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]/;

let installed = false;

/** Installs the deferral, once per process, unless STAGING_TOKEN_TRACES=1 asks for cdktf as it is. */
export function deferCdktfDependencies(env: NodeJS.ProcessEnv = process.env): void {
  if (installed || env.STAGING_TOKEN_TRACES === '1') return;
  installed = true;
  const load = loader._load;
  loader._load = function loadForCdktf(this: unknown, request, parent, isMain) {
    const deferred = ON_FIRST_USE.has(request) || request === JSON_WRITER;
    if (!deferred || !parent?.filename || !CDKTF_LIB.test(parent.filename)) return load.call(this, request, parent, isMain);
    const real = () => load.call(loader, request, parent, false);
    return request === JSON_WRITER ? jsonWriter(real as () => JsonWriter) : onFirstUse(real);
  };
}

/** A stand-in that loads the module when it is first called or read. */
function onFirstUse(load: () => unknown): unknown {
  let module: any;
  const real = () => (module ??= load());
  return new Proxy(function notYetLoaded() {}, {
    apply: (_, self, args) => Reflect.apply(real(), self, args),
    get: (_, key) => real()[key],
    has: (_, key) => key in real(),
  });
}

type JsonWriter = (value: unknown, options?: unknown) => string | undefined;

/** `stableJson` for `{ space: 2 }` (all cdktf 0.21 passes), the package itself for any other option. */
function jsonWriter(load: () => JsonWriter): JsonWriter {
  let writer: JsonWriter | undefined;
  return (value, options) => {
    if (isTwoSpaces(options)) return stableJson(value);
    writer ??= load();
    return writer(value, options);
  };
}

const isTwoSpaces = (options: unknown): boolean => typeof options === 'object' && options !== null && Object.keys(options).length === 1 && (options as { space?: unknown }).space === 2;
