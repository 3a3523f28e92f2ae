/**
 * No import cycle between the project's files, type-only imports included: a cycle
 * makes load order matter and a module's knowledge leak into its importer's.
 * Imports are read by TypeScript's own pre-processor (every `import`, `export …
 * from` and `require`), resolved the way Node resolves relative paths.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const SKIP = new Set(['node_modules', '.gen', '.e2e', 'cdktf.out', '.git', 'coverage']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name)) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = join(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((p) => p.endsWith('.ts') && existsSync(p));
}

/** Import graph of the project's own files, by path relative to the root. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveRelative(file, s))
      .filter((p): p is string => p !== undefined)
      .map((p) => relative(ROOT, p));
    graph.set(relative(ROOT, file), [...new Set(targets)].sort());
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the path that closes it. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

test('the walk finds a cycle, type-only imports included', () => {
  expect(
    cyclesOf(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
      ]),
    ),
  ).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  const info = ts.preProcessFile("import type { X } from './x';\nexport { Y } from './y';\n", true, true);
  expect(info.importedFiles.map((f) => f.fileName)).toEqual(['./x', './y']);
});

test('no import cycle between the project files', () => {
  const graph = importGraph(sources(ROOT));
  expect(graph.size).toBeGreaterThan(100);
  expect(cyclesOf(graph).map((c) => c.join(' -> '))).toEqual([]);
});
