/**
 * Deterministic output: the same inputs synthesize byte-identical stacks, on both
 * clouds and for every test profile; neither the machine's time zone and locale nor
 * the order of the keys in the YAML changes a byte. (Node reads TZ anew when it
 * changes; the locale only at start, hence the spawned synth.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildPlan } from '../plan/plan';
import { REFERENCE_PROFILE } from '../profile/load';
import type { CloudName } from '../targets/config';
import { profileFrom, SHAPES, target } from './support/shapes';
import { synthesize } from './support/synth';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..');

/** Every file of a synthesized tree, by relative path. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  // It names the input files by design (the stacks tool shows it); the stacks themselves must not.
  delete out['staging-context.json'];
  return out;
}

/** The same mapping with its keys in reverse order, all the way down. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  }
  return value;
}

describe.each<CloudName>(['aws', 'openstack'])('on %s', (cloud) => {
  test.each(Object.keys(SHAPES))('%s: a second synth, keys reversed and in another time zone, is byte-identical', (shape) => {
    const config = target(cloud, { budgetPerHour: 1000 });
    const synth = (doc: Record<string, unknown>) => tree(synthesize(buildPlan(profileFrom(doc), config), config).outdir);
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const first = synth(SHAPES[shape]());
      expect(Object.keys(first).length).toBeGreaterThan(5);
      process.env.TZ = 'Pacific/Chatham';
      expect(synth(reversed(SHAPES[shape]()) as Record<string, unknown>)).toEqual(first);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

test('the locale changes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'staging-determinism-'));
  const profile = join(dir, 'profile.yaml');
  // The reference, keys reversed, beside its log-ignore file: the YAML key order is also the file's.
  const doc = reversed(parse(readFileSync(REFERENCE_PROFILE, 'utf8'))) as Record<string, any>;
  doc.monitoring.logIgnorePatterns = join(ROOT, 'profile', doc.monitoring.logIgnorePatterns);
  writeFileSync(profile, stringify(doc));
  const synth = (out: string, env: Record<string, string>) => {
    const result = spawnSync(process.execPath, ['-r', './bin/register.js', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: join(dir, out), ...env },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    return tree(join(dir, out));
  };
  const here = synth('here', { TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
  // Turkish casing (dotted and dotless i) and another time zone, on a profile file with its keys reversed.
  const elsewhere = synth('elsewhere', { TZ: 'Asia/Tokyo', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8', STAGING_PROFILE: profile });
  // The profile's own path appears nowhere in the stacks, so the trees compare whole.
  expect(elsewhere).toEqual(here);
});
