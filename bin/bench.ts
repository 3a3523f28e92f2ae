/**
 * npm run bench -- [--runs N]
 * Times whole synthesis processes (wall time, peak memory; median, min, max over
 * N runs, the apps taking turns) of the default clone, a one-to-one clone of the
 * reference cloud and a one-instance baseline app, run the same way; then a growth check.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify, parse } from 'yaml';
import { parseArgs, runCli } from './cli';
import { defaultTargetFile } from '../targets/config';
import { table } from '../plan/report';

const ROOT = join(__dirname, '..');

interface Sample {
  readonly ms: number;
  readonly rssMiB: number;
  readonly resources: number;
}

/** Runs one synthesis process into a fresh output folder. */
function runOnce(script: string, env: Record<string, string>): Sample {
  const outdir = mkdtempSync(join(tmpdir(), 'staging-bench-'));
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-r', join(ROOT, 'bench/peak-rss.js'), '-r', join(ROOT, 'bin/register.js'), script], {
    cwd: ROOT,
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  const rss = Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1] ?? NaN);
  const resources = readdirSync(join(outdir, 'stacks')).reduce((sum, stack) => {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    // Terraform resources, counting every member of a for_each resource.
    return (
      sum +
      Object.values<Record<string, { for_each?: unknown }>>(json.resource ?? {}).reduce(
        (n, byId) => n + Object.values(byId).reduce((m, body) => m + members(body), 0),
        0,
      )
    );
  }, 0);
  rmSync(outdir, { recursive: true, force: true });
  return { ms, rssMiB: rss / 1024, resources };
}

const members = (body: { for_each?: unknown }): number =>
  body.for_each && typeof body.for_each === 'object' ? Object.keys(body.for_each).length : 1;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface App {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
}

/**
 * Runs every app `runs` times, taking turns (baseline, default, one-to-one, baseline,
 * ...), so that a slower moment of the machine weighs on every app alike.
 */
function measure(apps: readonly App[], runs: number) {
  for (const app of apps) runOnce(app.script, app.env); // warm the file cache and the compiled-TypeScript, TypeScript cache
  const samples = apps.map(() => [] as Sample[]);
  for (let r = 0; r < runs; r++) apps.forEach((app, i) => samples[i].push(runOnce(app.script, app.env)));
  return apps.map((app, i) => {
    const ms = samples[i].map((s) => s.ms);
    return {
      name: app.name,
      median: median(ms),
      min: Math.min(...ms),
      max: Math.max(...ms),
      rss: Math.max(...samples[i].map((s) => s.rssMiB)),
      resources: samples[i][0].resources,
    };
  });
}

/** A target config of the default AWS target at a fixed scale, with room in the budget. */
function scaledTarget(dir: string, scale: number): string {
  const doc = parse(readFileSync(defaultTargetFile('aws'), 'utf8'));
  const file = join(dir, `target-${scale}.yaml`);
  writeFileSync(file, stringify({ ...doc, scale, budgetPerHour: 100000 }));
  return file;
}

/** Rows of measured apps, each against the first (its baseline). */
function timings(rows: ReturnType<typeof measure>): string {
  const [baseline] = rows;
  return table(
    ['app', 'resources', 'median s', 'min s', 'max s', 'peak MiB', 'x baseline'],
    rows.map((r) => [
      r.name,
      r.resources,
      (r.median / 1000).toFixed(2),
      (r.min / 1000).toFixed(2),
      (r.max / 1000).toFixed(2),
      r.rss.toFixed(0),
      (r.median / baseline.median).toFixed(2),
    ]),
  );
}

runCli(() => {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } }, strict: true });
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'staging-bench-targets-'));
  const rows = measure(
    [
      { name: 'baseline (1 aws_instance)', script: 'bench/baseline.ts', env: {} },
      { name: 'default clone (reference, AWS)', script: 'main.ts', env: {} },
      { name: 'one-to-one clone (reference, AWS)', script: 'main.ts', env: { STAGING_TARGET_CONFIG: scaledTarget(dir, 1) } },
    ],
    runs,
  );
  process.stdout.write(`Synthesis, ${runs} runs each taken in turns, whole processes (node ${process.version})\n`);
  process.stdout.write(timings(rows));
  process.stdout.write('\nGrowth (one run per scale)\n');
  const growth = [0.1, 0.25, 0.5, 1].map((scale) => ({
    scale,
    ...runOnce('main.ts', { STAGING_TARGET_CONFIG: scaledTarget(dir, scale) }),
  }));
  process.stdout.write(
    table(
      ['scale', 'resources', 'seconds', 'resources/s', 'peak MiB'],
      growth.map((g) => [g.scale, g.resources, (g.ms / 1000).toFixed(2), (g.resources / (g.ms / 1000)).toFixed(0), g.rssMiB.toFixed(0)]),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
});
