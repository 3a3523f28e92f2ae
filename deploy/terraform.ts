/**
 * Terraform run in a synthesized stack's directory (`cdktf.out/stacks/<stack>`), as
 * `cdktf deploy` runs it, plus what cdktf cannot do: keep a saved plan, read it back
 * as JSON, and apply exactly that plan later.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface TerraformRun {
  /** The stack's working directory. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Receives every line Terraform prints (both streams). */
  readonly line: (text: string) => void;
  /** File that keeps the whole output of every command, when given. */
  readonly logFile?: string;
}

export class TerraformError extends Error {}

/**
 * Runs `terraform <args>` in the stack's directory; resolves with standard output, rejects
 * on a non-zero exit. `json`: Terraform's machine-readable lines, shown by their message.
 */
export function terraform(run: TerraformRun, args: readonly string[], options: { quiet?: boolean; json?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd: run.dir, env: { ...run.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' } });
    let stdout = '';
    const keep = (text: string) => {
      if (run.logFile) appendFileSync(run.logFile, text);
    };
    const started = Date.now();
    keep(`$ terraform ${args.join(' ')}   # at ${new Date(started).toISOString()}\n`);
    const lines = (stream: NodeJS.ReadableStream, collect: boolean) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        keep(chunk);
        if (collect) stdout += chunk;
        if (options.quiet) return;
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const part of parts) run.line(options.json && collect ? messageOf(part) : part);
      });
      stream.on('end', () => {
        if (partial && !options.quiet) run.line(options.json && collect ? messageOf(partial) : partial);
      });
    };
    lines(child.stdout, true);
    lines(child.stderr, false);
    child.on('error', (e) => reject(new TerraformError(`terraform could not start: ${e.message}`)));
    child.on('close', (code) => {
      keep(`# terraform ${args[0]}: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      if (code === 0) resolve(stdout);
      else reject(new TerraformError(`terraform ${args[0]} exited with ${code} in ${run.dir}`));
    });
  });
}

/** The human text of one machine-readable line (`@message`), or the line itself. */
function messageOf(line: string): string {
  try {
    return (JSON.parse(line) as { '@message'?: string })['@message'] ?? line;
  } catch {
    return line;
  }
}

export const init = (run: TerraformRun) => terraform(run, ['init', '-input=false', '-no-color'], { quiet: true });

export interface PlanOptions {
  readonly out: string;
  readonly vars?: readonly string[];
  readonly destroy?: boolean;
}

/** One resource's change as `terraform plan -json` reports it. */
interface PlannedChange {
  readonly type: string;
  readonly change?: { readonly action: string; readonly resource: { readonly addr: string; readonly resource_type: string } };
}

/** `terraform plan -json` actions as `terraform show -json` names them. */
const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
  replace: ['delete', 'create'],
};

/**
 * Plans into `options.out` and returns the planned changes in the shape of `terraform show
 * -json` (`resource_changes`): read from the plan's own machine-readable output, which
 * spares a second Terraform run loading the provider's schema.
 */
export async function plan(
  run: TerraformRun,
  options: PlanOptions,
): Promise<{ resource_changes: { address: string; type: string; change: { actions: string[] } }[] }> {
  const output = await terraform(
    run,
    [
      'plan',
      '-input=false',
      '-no-color',
      '-json',
      `-out=${options.out}`,
      ...(options.destroy ? ['-destroy'] : []),
      ...(options.vars ?? []).map((v) => `-var=${v}`),
    ],
    { json: true },
  );
  const changes = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as PlannedChange)
    .filter((m) => m.type === 'planned_change' && m.change && ACTIONS[m.change.action]);
  return {
    resource_changes: changes.map((m) => ({
      address: m.change!.resource.addr,
      type: m.change!.resource.resource_type,
      change: { actions: [...ACTIONS[m.change!.action]] },
    })),
  };
}

/** One resource Terraform found changed or gone outside it, from a `resource_drift` line of its machine-readable output. */
export interface Drift {
  readonly address: string;
  readonly action: string;
}

/** The `resource_drift` messages of `terraform plan -json` lines. */
export function driftOf(lines: string): Drift[] {
  return lines
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as PlannedChange)
    .filter((m) => m.type === 'resource_drift' && m.change)
    .map((m) => ({ address: m.change!.resource.addr, action: m.change!.action }));
}

/**
 * Reads every resource of the stack back from its API (`plan -refresh-only`, nothing
 * saved, nothing applied) and returns what changed or disappeared outside Terraform.
 */
export async function drift(run: TerraformRun): Promise<Drift[]> {
  return driftOf(await terraform(run, ['plan', '-refresh-only', '-input=false', '-no-color', '-json'], { json: true, quiet: true }));
}

export const apply = (run: TerraformRun, planFile: string) => terraform(run, ['apply', '-input=false', '-no-color', planFile]);
