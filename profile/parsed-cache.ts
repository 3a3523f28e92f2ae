/**
 * Parsed YAML inputs (profiles, target configs) kept by content, like the compiled
 * TypeScript in bin/register.js: synthesis runs often on unchanged files, and
 * loading and running the YAML parser was a tenth of a default synthesis. Only
 * documents that parsed without error and hold plain JSON data are kept, so a hit
 * gives exactly what parsing gives; anything unusual is parsed every time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CACHE = join(__dirname, '..', 'node_modules', '.cache', 'staging-inputs');

/** The cache file of a text, for the installed parser's version. */
function fileOf(text: string): string {
  const parser = (require('yaml/package.json') as { version: string }).version;
  return join(CACHE, `${createHash('sha1').update(`yaml ${parser}\0`).update(text).digest('hex')}.json`);
}

/** What parsing `text` gave before, or undefined. */
export function cachedParse(text: string): unknown {
  try {
    return JSON.parse(readFileSync(fileOf(text), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Keeps what parsing `text` gave, when JSON holds it exactly. */
export function keepParse(text: string, value: unknown): void {
  if (!isPlainJson(value)) return;
  try {
    mkdirSync(CACHE, { recursive: true });
    const file = fileOf(text);
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(value));
    renameSync(partial, file); // atomic: a concurrent reader sees all or nothing
  } catch {
    // A read-only tree still works, only slower.
  }
}

/** Data JSON round-trips unchanged: no undefined, no non-finite numbers or -0, plain objects only. */
export function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isPlainJson);
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      return Object.entries(value).every(([key, item]) => key !== '__proto__' && isPlainJson(item));
    default:
      return false;
  }
}
