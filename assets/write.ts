/**
 * Writes rendered assets into a directory. Everything is rendered before the
 * first write, so a bad profile writes nothing; each file is written beside
 * its place and renamed over it; files of an earlier run that this one no
 * longer renders (a node planned away) are removed, and only those.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RenderedAsset } from './render';

/** Lists what the last run wrote, so the next one removes only its own leftovers. */
export const MANIFEST = '.assets-manifest';

function previousFiles(dir: string): string[] {
  const manifest = join(dir, MANIFEST);
  return existsSync(manifest)
    ? readFileSync(manifest, 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('/') && !line.split('/').includes('..'))
    : [];
}

function writeOne(dir: string, asset: RenderedAsset): void {
  const target = join(dir, asset.path);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  writeFileSync(partial, asset.content, { mode: asset.mode });
  chmodSync(partial, asset.mode);
  renameSync(partial, target);
}

export function writeAssets(dir: string, assets: readonly RenderedAsset[]): void {
  const current = new Set(assets.map((a) => a.path));
  const stale = previousFiles(dir).filter((path) => !current.has(path));
  mkdirSync(dir, { recursive: true });
  for (const asset of assets) writeOne(dir, asset);
  for (const path of stale) rmSync(join(dir, path), { force: true });
  writeFileSync(join(dir, MANIFEST), [...current].join('\n') + '\n');
}
