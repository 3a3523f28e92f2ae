/**
 * Deploys, plans and destroys synthesized stacks with Terraform, each in its own
 * directory of cdktf.out, in parallel wherever the stacks' dependencies allow (the
 * manifest cdktf writes names them): the staging's deploy takes as long as its
 * longest chain of stacks, not their sum. Every apply is of a saved plan whose
 * changes were counted and checked against what the step expects first.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeSummary, summarize, violations, type Expectation, type PlanSummary } from './plan-summary';
import { availableParallelism } from 'node:os';
import { apply, drift, init, plan, terraform, TerraformError, type Drift, type TerraformRun } from './terraform';

export type StacksAction = 'deploy' | 'plan' | 'apply-plan' | 'destroy';

export interface StacksOptions {
  readonly action: StacksAction;
  /** Stack names, or `*` for every stack of the manifest. */
  readonly stacks: readonly string[];
  /** The synthesized output (cdktf.out). */
  readonly outdir: string;
  /** `name=value` of Terraform variables. */
  readonly vars?: readonly string[];
  /** Directory of saved plans, `<stack>.tfplan` (written by `plan`, read by `apply-plan`). */
  readonly plans?: string;
  /** What the plans may do. @default deploy and plan destroy nothing; destroy destroys everything planned */
  readonly expect?: Expectation;
  /** Directory for each stack's whole Terraform output, `<stack>.<action>.log`. */
  readonly logDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (text: string) => void;
}

export interface StackResult {
  readonly stack: string;
  readonly action: StacksAction;
  readonly status: 'ok' | 'failed' | 'refused' | 'not run';
  readonly seconds: number;
  readonly summary?: PlanSummary;
  readonly reason?: string;
}

interface Manifest {
  readonly stacks: Readonly<Record<string, { readonly dependencies: readonly string[]; readonly workingDirectory: string }>>;
}

export class StacksInputError extends Error {}

function readManifest(outdir: string): Manifest {
  const file = join(outdir, 'manifest.json');
  if (!existsSync(file)) throw new StacksInputError(`${file}: no synthesized stacks; run \`npm run synth\` first`);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** Stacks named in `selection` that run before `stack`: its dependencies (or, destroying, its dependents). */
function predecessors(manifest: Manifest, selection: readonly string[], stack: string, destroying: boolean): string[] {
  const dependsOn = (a: string, b: string) => manifest.stacks[a].dependencies.includes(b);
  return selection.filter((other) => other !== stack && (destroying ? dependsOn(other, stack) : dependsOn(stack, other)));
}

export async function runStacks(options: StacksOptions): Promise<StackResult[]> {
  const outdir = resolve(options.outdir);
  const manifest = readManifest(outdir);
  const known = Object.keys(manifest.stacks).sort();
  const selection = options.stacks.includes('*') ? known : [...options.stacks];
  const unknown = selection.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new StacksInputError(`no stack ${unknown.join(', ')} in ${outdir}; stacks: ${known.join(', ')}`);
  if (options.action !== 'deploy' && options.action !== 'destroy' && !options.plans) {
    throw new StacksInputError(`${options.action} needs --plans DIR (where the saved plans are kept)`);
  }
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const destroying = options.action === 'destroy';
  const expect: Expectation = options.expect ?? { destroy: destroying ? 'all' : 'none' };
  if (options.plans) mkdirSync(resolve(options.plans), { recursive: true });
  if (options.logDir) mkdirSync(resolve(options.logDir), { recursive: true });

  // Terraform's plugin cache is not safe for concurrent inits: one init at a time. Planning
  // is CPU-bound (the provider's schema, the graph): no more plans at once than cores.
  let initQueue: Promise<unknown> = Promise.resolve();
  const initialized = (run: TerraformRun) => {
    const mine = initQueue.catch(() => undefined).then(() => init(run)); // one stack's failed init does not fail the next
    initQueue = mine;
    return mine;
  };
  const planning = limiter(availableParallelism());

  let stopped = false;
  const results = new Map<string, Promise<StackResult>>();
  const runOne = async (stack: string): Promise<StackResult> => {
    const before = await Promise.all(predecessors(manifest, selection, stack, destroying).map((s) => results.get(s)!));
    const blocked = before.find((r) => r.status !== 'ok');
    if (blocked || stopped) {
      return {
        stack,
        action: options.action,
        status: 'not run',
        seconds: 0,
        reason: blocked ? `${blocked.stack} did not succeed` : 'stopped',
      };
    }
    const started = Date.now();
    const run: TerraformRun = {
      dir: join(outdir, manifest.stacks[stack].workingDirectory),
      env: options.env ?? process.env,
      line: (text) => write(`${stack.padEnd(12)} ${text}\n`),
      logFile: options.logDir ? join(resolve(options.logDir), `${stack}.${options.action}.log`) : undefined,
    };
    const seconds = () => (Date.now() - started) / 1000;
    try {
      const result = await step(stack, run, options, expect, initialized, planning, write);
      if (result.status !== 'ok') stopped = true;
      return { ...result, seconds: seconds() };
    } catch (e) {
      stopped = true;
      const reason = e instanceof TerraformError ? e.message : String(e);
      write(`${stack.padEnd(12)} failed: ${reason}\n`);
      return { stack, action: options.action, status: 'failed', seconds: seconds(), reason };
    }
  };
  for (const stack of selection)
    results.set(
      stack,
      Promise.resolve().then(() => runOne(stack)),
    );
  return Promise.all(selection.map((s) => results.get(s)!));
}

/**
 * False only when the stack keeps its state in a local file that does not exist (never
 * deployed, or destroyed): nothing to initialize or destroy. Remote state is asked for.
 */
function deployed(dir: string): boolean {
  const doc = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { terraform?: { backend?: { local?: { path?: string } } } };
  const local = doc.terraform?.backend?.local;
  if (!local) return true;
  const file = resolve(dir, local.path ?? 'terraform.tfstate');
  if (!existsSync(file)) return false;
  const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: unknown[] };
  return (state.resources ?? []).length > 0;
}

type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs at most `slots` tasks at once, the others in the order they asked. */
function limiter(slots: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A slot is handed from a finished task to the next waiting one, never left free in between.
    if (running < slots) running++;
    else await new Promise<void>((go) => waiting.push(go));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** One stack's share of the action. */
async function step(
  stack: string,
  run: TerraformRun,
  options: StacksOptions,
  expect: Expectation,
  initialized: (run: TerraformRun) => Promise<unknown>,
  planning: Limiter,
  write: (text: string) => void,
): Promise<Omit<StackResult, 'seconds'>> {
  const { action } = options;
  if (action === 'apply-plan') {
    const saved = join(resolve(options.plans!), `${stack}.tfplan`);
    if (!existsSync(saved)) throw new TerraformError(`no saved plan ${saved}; prepare it with \`npm run stacks -- plan ${stack}\``);
    await apply(run, saved);
    rmSync(saved); // a plan is applied once; Terraform refuses it afterwards anyway
    return { stack, action, status: 'ok' };
  }
  if (action === 'destroy' && !deployed(run.dir)) {
    write(`${stack.padEnd(12)} nothing to destroy: no state\n`);
    return { stack, action, status: 'ok' };
  }
  await initialized(run);
  const planFile = options.plans ? join(resolve(options.plans), `${stack}.tfplan`) : join(run.dir, `staging-${action}.tfplan`);
  const summary = summarize(await planning(() => plan(run, { out: planFile, vars: options.vars, destroy: action === 'destroy' })));
  write(`${stack.padEnd(12)} plan: ${describeSummary(summary)}\n`);
  const problems = violations(summary, expect);
  if (problems.length > 0) {
    rmSync(planFile, { force: true });
    for (const p of problems) write(`${stack.padEnd(12)} refused: ${p}\n`);
    return { stack, action, status: 'refused', summary, reason: problems.join('; ') };
  }
  if (action === 'plan') return { stack, action, status: 'ok', summary };
  await apply(run, planFile);
  rmSync(planFile, { force: true });
  return { stack, action, status: 'ok', summary };
}

/** What changed or disappeared outside Terraform in each deployed stack, its resources read back from their APIs. */
export async function stackDrift(
  outdir: string,
  stacks: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, readonly Drift[]>> {
  const manifest = readManifest(resolve(outdir));
  const out: Record<string, readonly Drift[]> = {};
  for (const stack of stacks) {
    if (!manifest.stacks[stack]) throw new StacksInputError(`no stack ${stack} in ${resolve(outdir)}`);
    const run: TerraformRun = { dir: join(resolve(outdir), manifest.stacks[stack].workingDirectory), env, line: () => undefined };
    await init(run);
    out[stack] = await drift(run);
  }
  return out;
}

/**
 * Takes resources out of a deployed stack's state without destroying them (`terraform
 * state rm`), so that its destroy leaves them: what `keepBackups` keeps. Addresses no
 * longer in state (a rerun) are skipped; returns those taken out.
 */
export async function forgetResources(
  outdir: string,
  stack: string,
  addresses: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<string[]> {
  const manifest = readManifest(resolve(outdir));
  if (!manifest.stacks[stack]) throw new StacksInputError(`no stack ${stack} in ${resolve(outdir)}`);
  const run: TerraformRun = {
    dir: join(resolve(outdir), manifest.stacks[stack].workingDirectory),
    env,
    line: (l) => write(`${stack.padEnd(12)} ${l}\n`),
  };
  if (!deployed(run.dir)) {
    write(`${stack.padEnd(12)} nothing to keep: no state\n`);
    return [];
  }
  await init(run);
  const present = new Set((await terraform(run, ['state', 'list'], { quiet: true })).split('\n').filter(Boolean));
  const kept = addresses.filter((a) => present.has(a));
  if (kept.length > 0) await terraform(run, ['state', 'rm', ...kept], { quiet: true });
  for (const a of kept) write(`${stack.padEnd(12)} kept, no longer managed: ${a}\n`);
  return kept;
}

/**
 * The outputs of deployed stacks, `{ stack: { output: value } }` as `cdktf output
 * --outputs-file` writes them (sensitive ones, the cross-stack references, left out).
 */
export async function stackOutputs(
  outdir: string,
  stacks: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, Record<string, unknown>>> {
  const manifest = readManifest(resolve(outdir));
  const out: Record<string, Record<string, unknown>> = {};
  for (const stack of stacks) {
    if (!manifest.stacks[stack]) throw new StacksInputError(`no stack ${stack} in ${resolve(outdir)}`);
    const run: TerraformRun = { dir: join(resolve(outdir), manifest.stacks[stack].workingDirectory), env, line: () => undefined };
    await init(run);
    const outputs = JSON.parse(await terraform(run, ['output', '-json', '-no-color'], { quiet: true })) as Record<
      string,
      { sensitive: boolean; value: unknown }
    >;
    out[stack] = Object.fromEntries(
      Object.entries(outputs)
        .filter(([, o]) => !o.sensitive)
        .map(([name, o]) => [name, o.value]),
    );
  }
  return out;
}
