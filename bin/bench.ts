/**
 * npm run bench -- [--runs N] [--diff] [--tests] [--e2e] [--update-readme]
 * Times whole commands as a user waits for them (wall time, median, min and max over N
 * runs taken in turns): the default clone synthesized by `npx cdktf synth` and by the app
 * alone (`npm run synth`), a one-to-one clone, a one-instance baseline app; with --diff
 * `npx cdktf diff` and a saved plan of one stack against a local AWS API; with --tests
 * `npm test`; with --e2e `npm run e2e` and its figures.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultTargetFile } from '../targets/config';
import { table } from '../plan/report';
import { parseArgs, runCli } from './command';

const ROOT = join(__dirname, '..');

const HELP = `usage: npm run bench -- [options]

Times whole commands (wall time; median, min and max over the runs, taken in turns).

Options:
  --runs N          runs of each synthesis command (default 5)
  --diff            also \`npx cdktf diff\` and \`npm run stacks -- plan\` of the foundation against a local moto
  --tests           also \`npm test\` (once)
  --e2e             also \`npm run e2e\` (once) and the figures of its report
  --update-readme   write the tables into README.md between <!-- bench:start --> and <!-- bench:end -->
  -h, --help        this text`;

interface Command {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
}

/** Wall seconds of one run; a failure stops the bench with its output. */
function timeOnce(command: Command, options: SpawnSyncOptions = {}): number {
  const outdir = mkdtempSync(join(tmpdir(), 'staging-bench-'));
  const start = process.hrtime.bigint();
  const result = spawnSync(command.argv[0], command.argv.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...command.env },
    ...options,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`${command.name} failed:\n${result.stdout}\n${result.stderr}`);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Every command `runs` times, taking turns, so that a slower moment of the machine weighs on each alike. */
function measure(commands: readonly Command[], runs: number): string[][] {
  for (const c of commands) timeOnce(c); // warm the file cache and the compiled-TypeScript cache
  const samples = commands.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) commands.forEach((c, i) => samples[i].push(timeOnce(c)));
  return commands.map((c, i) => [
    c.name,
    median(samples[i]).toFixed(2),
    Math.min(...samples[i]).toFixed(2),
    Math.max(...samples[i]).toFixed(2),
  ]);
}

/** A copy of the default AWS target at a fixed scale, with room in the budget. */
function scaledTarget(dir: string, scale: number): string {
  const doc = parse(readFileSync(defaultTargetFile('aws'), 'utf8'));
  const file = join(dir, `target-${scale}.yaml`);
  writeFileSync(file, stringify({ ...doc, scale, budgetPerHour: 100000 }));
  return file;
}

const app = (script: string) => [process.execPath, '-r', './bin/register.js', script];

runCli(async () => {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      diff: { type: 'boolean' },
      tests: { type: 'boolean' },
      e2e: { type: 'boolean' },
      'update-readme': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'staging-bench-targets-'));
  const sections: string[] = [];
  const say = (text: string) => {
    process.stdout.write(text);
    sections.push(text);
  };
  try {
    const oneToOne = { STAGING_TARGET_CONFIG: scaledTarget(dir, 1) };
    say(`Whole commands, ${runs} runs each taken in turns (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
    say(
      table(
        ['command', 'median s', 'min s', 'max s'],
        measure(
          [
            { name: 'baseline app (1 aws_instance)', argv: app('bench/baseline.ts') },
            { name: 'npm run synth (default clone)', argv: app('main.ts') },
            { name: 'npx cdktf synth (default clone)', argv: ['npx', 'cdktf', 'synth', '--output', '.bench-cdktf.out'] },
            { name: 'npm run synth (one-to-one clone)', argv: app('main.ts'), env: oneToOne },
          ],
          runs,
        ),
      ),
    );
    rmSync(join(ROOT, '.bench-cdktf.out'), { recursive: true, force: true });
    if (values.diff) say('\n' + (await diffTimes(dir)));
    if (values.tests) say(`\nnpm test: ${timeOnce({ name: 'npm test', argv: ['npm', 'test'] }).toFixed(0)} s\n`);
    if (values.e2e) {
      const seconds = timeOnce({ name: 'npm run e2e', argv: ['npm', 'run', '-s', 'e2e'] });
      say(`\nnpm run e2e: ${seconds.toFixed(0)} s\n${e2eFigures()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (values['update-readme']) {
    const readme = join(ROOT, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const block = `<!-- bench:start -->\n\`\`\`\n${sections.join('')}\`\`\`\n<!-- bench:end -->`;
    writeFileSync(readme, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
  }
});

/** `cdktf diff` and a saved plan of the foundation against a fresh local AWS API (nothing deployed: every resource planned). */
async function diffTimes(dir: string): Promise<string> {
  const { providerMirror, startMoto, writeCliConfig } = await import('../e2e/environment');
  const moto = await startMoto(join(dir, 'moto.log'));
  try {
    const cli = join(dir, 'terraform.rc');
    writeCliConfig(cli, providerMirror().root);
    const target = join(dir, 'target-moto.yaml');
    const doc = parse(readFileSync(defaultTargetFile('aws'), 'utf8'));
    writeFileSync(
      target,
      stringify({
        ...doc,
        endpoint: moto.endpoint,
        emulator: 'moto',
        computeKvm: 'metal',
        budgetPerHour: 1000,
        imageByOs: { 'centos-6.7': 'ami-00000001', 'centos-7.1': 'ami-00000002', 'centos-7.2': 'ami-00000003' },
      }),
    );
    const outdir = join(dir, 'cdktf.out');
    const env = {
      CDKTF_OUTDIR: outdir,
      STAGING_TARGET_CONFIG: target,
      TF_CLI_CONFIG_FILE: cli,
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
    };
    timeOnce({ name: 'synth', argv: app('main.ts'), env }, {});
    const keep = { env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env } };
    const rows = [
      [
        'npx cdktf diff foundation --skip-synth',
        ['npx', 'cdktf', 'diff', 'foundation', '--skip-synth', '--skip-provider-lock', '--output', outdir],
      ],
      ['npm run stacks -- plan foundation', ['npm', 'run', '-s', 'stacks', '--', 'plan', 'foundation', '--plans', join(dir, 'plans')]],
    ].map(([name, argv]) => [name as string, timeOnce({ name: name as string, argv: argv as string[] }, keep).toFixed(1)]);
    return `Planning the foundation (${resourceCount(join(outdir, 'stacks', 'foundation', 'cdk.tf.json'))} resources) against moto, once each\n${table(['command', 'seconds'], rows)}`;
  } finally {
    moto.stop();
  }
}

/** The deploy test's own figures, from .e2e/report.json. */
function e2eFigures(): string {
  const file = join(ROOT, '.e2e', 'report.json');
  if (!existsSync(file)) return '';
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    steps: { name: string; seconds: number }[];
    longestChainSeconds: number;
    switch: { runbookSeconds: number; bareApplySeconds: number };
  };
  return `${table(
    ['e2e step', 'seconds'],
    r.steps.map((s) => [s.name, s.seconds.toFixed(1)]),
  )}longest chain of stacks ${r.longestChainSeconds.toFixed(0)} s; switch ${r.switch.runbookSeconds.toFixed(1)} s (bare apply of a saved plan ${r.switch.bareApplySeconds.toFixed(1)} s)\n`;
}

/** Resources of a synthesized stack as Terraform counts them: each member of a `for_each` resource is one. */
function resourceCount(file: string): number {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { resource?: Record<string, Record<string, { for_each?: unknown }>> };
  return Object.values(doc.resource ?? {})
    .flatMap((byId) => Object.values(byId))
    .reduce((sum, r) => sum + (r.for_each && typeof r.for_each === 'object' ? Object.keys(r.for_each).length : 1), 0);
}
