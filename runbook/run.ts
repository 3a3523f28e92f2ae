/**
 * Runs the rehearsal's steps. Dry run unless `execute` is set: each step is
 * printed with its commands and recorded as "dry-run" (nothing is executed).
 * Executing runs each command with `bash -c`, times each step and stops at the
 * first failure; the remaining steps are recorded as "not run". `from` and
 * `only` select steps to resume a rehearsal.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport, renderReport, type RehearsalReport, type Timing } from './report';
import { PHASES, type Phase, type Step } from './types';

export interface RunOptions {
  readonly execute: boolean;
  /** Resume at this step id (inclusive). */
  readonly from?: string;
  /** Only this phase. */
  readonly only?: string;
  /** Environment of the commands (STAGING_* selects the inputs of every cdktf command). */
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (text: string) => void;
  /** Runs one command, returning its exit code; only ever called when executing. */
  readonly exec?: (command: string, env: NodeJS.ProcessEnv) => number;
  readonly now?: () => Date;
}

const bash = (command: string, env: NodeJS.ProcessEnv): number => spawnSync('bash', ['-c', command], { stdio: 'inherit', env }).status ?? 1;

/** The steps `from` and `only` select, in order; an unknown step or phase is an error, not an empty run. */
export function selectSteps(steps: readonly Step[], options: Pick<RunOptions, 'from' | 'only'>): Step[] {
  let selected = [...steps];
  if (options.only !== undefined) {
    if (!(PHASES as readonly string[]).includes(options.only))
      throw new Error(`--only: '${options.only}' is not a phase; use one of ${PHASES.join(', ')}`);
    selected = selected.filter((s) => s.phase === (options.only as Phase));
  }
  if (options.from !== undefined) {
    const at = selected.findIndex((s) => s.id === options.from);
    if (at < 0) throw new Error(`--from: no step '${options.from}'${options.only ? ` in phase ${options.only}` : ''}`);
    selected = selected.slice(at);
  }
  return selected;
}

export function runSteps(rehearsalId: string, steps: readonly Step[], options: RunOptions): RehearsalReport {
  const write = options.write ?? ((t: string) => process.stdout.write(t));
  const exec = options.exec ?? bash;
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const timings: Timing[] = [];
  let failed = false;
  for (const step of selectSteps(steps, options)) {
    const base = { id: step.id, phase: step.phase, title: step.title, where: step.where };
    write(`\n## ${step.id} [${step.phase}] ${step.title} (${step.where})\n${step.commands.map((c) => `$ ${c}`).join('\n')}\n`);
    if (!options.execute || failed) {
      timings.push({ ...base, status: options.execute ? 'not run' : 'dry-run', seconds: 0 });
      continue;
    }
    const start = now();
    let exitCode = 0;
    let failedCommand: number | undefined;
    for (const [i, command] of step.commands.entries()) {
      exitCode = exec(command, env);
      if (exitCode !== 0) {
        failedCommand = i;
        break;
      }
    }
    const end = now();
    failed = exitCode !== 0;
    timings.push({
      ...base,
      status: failed ? 'failed' : 'ok',
      start: start.toISOString(),
      end: end.toISOString(),
      seconds: (end.getTime() - start.getTime()) / 1000,
      exitCode,
      ...(failedCommand !== undefined ? { failedCommand } : {}),
    });
    if (failed) write(`!! ${step.id} failed (exit ${exitCode}); resume with --from ${step.id}\n`);
  }
  return buildReport(rehearsalId, options.execute ? 'execute' : 'dry-run', timings);
}

/** Writes `report.json` and `report.md` into `dir`. */
export function writeReport(dir: string, report: RehearsalReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(dir, 'report.md'), renderReport(report));
}
