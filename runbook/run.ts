/**
 * Runs the rehearsal's steps. Dry run unless `execute` is set: each step is
 * printed with its commands and recorded as "dry-run" (nothing is executed).
 * Executing runs each command with `bash -c`, its output both shown and kept in
 * the step's log, times each step and stops at the first failure; the remaining
 * steps are recorded as "not run".
 *
 * Nothing measured is lost: the report is rewritten (whole, by rename) after
 * every step, and a resumed run merges into the report it finds, keeping every
 * attempt of every step. Nothing destructive runs by surprise: a step that
 * destroys infrastructure runs only when its phase was asked for in this
 * invocation, and the teardown asks first unless `yes` is set.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shQuote } from '../assets/shell';
import { buildReport, renderReport, type Attempt, type RehearsalReport, type Timing } from './report';
import { PHASES, type Phase, type Step } from './types';

export interface Selection {
  /** Resume at this step id (inclusive). */
  readonly from?: string;
  /** Only this phase. */
  readonly only?: string;
  /** Up to and including this phase (and its destructive steps). */
  readonly through?: string;
}

export interface RunOptions extends Selection {
  readonly execute: boolean;
  /** Environment of the commands (STAGING_* selects the inputs of every stack command). */
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (text: string) => void;
  /** Runs one command, its output appended to `log` (when given); returns its exit code. Only called when executing. */
  readonly exec?: (command: string, env: NodeJS.ProcessEnv, log?: string) => number;
  readonly now?: () => Date;
  /** Folder of report.json, report.md and the steps' logs; written after every step, merged into on a resume. */
  readonly reportDir?: string;
  /** The command that continues this very run at a step (same selection, inputs and report). */
  readonly resumeCommand?: (stepId: string, through?: Phase) => string;
  /** Run the teardown without asking. */
  readonly yes?: boolean;
  /** Asks the operator a yes/no question; absent (no terminal), the answer is no. */
  readonly confirm?: (question: string) => boolean;
}

/** Appends the command's output to its log while showing it; the exit status is the command's (pipefail). */
function bash(command: string, env: NodeJS.ProcessEnv, log?: string): number {
  const script = log ? `set -o pipefail\n{\n${command}\n} 2>&1 | tee -a ${shQuote(log)}` : command;
  return spawnSync('bash', ['-c', script], { stdio: 'inherit', env }).status ?? 1;
}

const phaseIndex = (phase: string): number => (PHASES as readonly string[]).indexOf(phase);

function checkPhase(flag: string, phase: string | undefined): void {
  if (phase !== undefined && phaseIndex(phase) < 0) throw new Error(`${flag}: '${phase}' is not a phase; use one of ${PHASES.join(', ')}`);
}

/** The steps `from`, `only` and `through` select, in order; an unknown step or phase is an error, not an empty run. */
export function selectSteps(steps: readonly Step[], options: Selection): Step[] {
  checkPhase('--only', options.only);
  checkPhase('--through', options.through);
  if (options.only !== undefined && options.through !== undefined) throw new Error('--through: not with --only (one phase is already all)');
  let selected = steps.filter((s) => (options.only === undefined ? true : s.phase === options.only));
  if (options.through !== undefined) selected = selected.filter((s) => phaseIndex(s.phase) <= phaseIndex(options.through!));
  if (options.from !== undefined) {
    const at = selected.findIndex((s) => s.id === options.from);
    if (at < 0) throw new Error(`--from: no step '${options.from}'${options.only ? ` in phase ${options.only}` : ''}`);
    selected = selected.slice(at);
  }
  return selected;
}

/**
 * Whether this invocation asked for a destructive step's phase: the whole rehearsal
 * (no selection), its `--only` phase, or a phase up to `--through`. A bare `--from`
 * continues the non-destructive steps only.
 */
export function askedFor(step: Step, options: Selection): boolean {
  if (options.only !== undefined) return step.phase === options.only;
  if (options.through !== undefined) return phaseIndex(step.phase) <= phaseIndex(options.through);
  return options.from === undefined;
}

const minutes = (s: number): string => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

/** The same step of the other upgrade round (`upgrade-1.x` and `upgrade-2.x`), whose duration estimates this one's. */
const otherRound = (id: string): string =>
  id.replace(
    /^(verify-)?upgrade-([12])\./,
    (_m, verify: string | undefined, round: string) => `${verify ?? ''}upgrade-${round === '1' ? '2' : '1'}.`,
  );

function readReport(dir: string | undefined): RehearsalReport | undefined {
  if (!dir || !existsSync(join(dir, 'report.json'))) return undefined;
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RehearsalReport;
}

/** Writes `report.json` and `report.md` into `dir`, each whole or not at all (write, then rename). */
export function writeReport(dir: string, report: RehearsalReport): void {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, text: string) => {
    const partial = join(dir, `.${name}.partial`);
    writeFileSync(partial, text);
    renameSync(partial, join(dir, name));
  };
  put('report.json', JSON.stringify(report, null, 2) + '\n');
  put('report.md', renderReport(report));
}

const tail = (file: string, lines: number): string => {
  if (!existsSync(file)) return '';
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
};

export function runSteps(rehearsalId: string, steps: readonly Step[], options: RunOptions): RehearsalReport {
  const write = options.write ?? ((t: string) => process.stdout.write(t));
  const exec = options.exec ?? bash;
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const mode = options.execute ? 'execute' : 'dry-run';
  // A resume continues the report it finds: every step's record, attempts included.
  const earlier = options.execute ? readReport(options.reportDir) : undefined;
  const records = new Map<string, Timing>((earlier?.steps ?? []).map((t) => [t.id, t]));
  const report = (): RehearsalReport =>
    buildReport(
      rehearsalId,
      mode,
      steps.filter((s) => records.has(s.id)).map((s) => records.get(s.id)!),
    );
  const save = () => {
    if (options.execute && options.reportDir) writeReport(options.reportDir, report());
  };
  const estimate = (id: string): number | undefined => {
    for (const key of [id, otherRound(id)]) {
      const t = records.get(key);
      if (t?.status === 'ok') return t.seconds;
    }
    return undefined;
  };

  const selected = selectSteps(steps, options);
  const started = now().getTime();
  let stopped: 'failed' | 'refused' | undefined;
  for (const [n, step] of selected.entries()) {
    const base = { id: step.id, phase: step.phase, title: step.title, where: step.where };
    const elapsed = (now().getTime() - started) / 1000;
    const left = selected.slice(n).map((s) => estimate(s.id));
    const known = left.filter((s): s is number => s !== undefined);
    const eta =
      options.execute && known.length > 0
        ? `, ~${minutes(known.reduce((a, b) => a + b, 0))} left${known.length < left.length ? ` (${left.length - known.length} step(s) not yet measured)` : ''}`
        : '';
    write(
      `\n## [${n + 1}/${selected.length}] ${step.id} — ${step.title} (${step.where}, phase ${step.phase}${options.execute ? `; ${minutes(elapsed)} elapsed${eta}` : ''})\n` +
        `${step.commands.map((c) => `$ ${c}`).join('\n')}\n`,
    );
    if (!options.execute || stopped) {
      if (!options.execute || !records.has(step.id))
        records.set(step.id, { ...base, status: options.execute ? 'not run' : 'dry-run', seconds: 0 });
      continue;
    }
    if (step.destructive) {
      const through = step.phase;
      if (!askedFor(step, options)) {
        write(
          `!! ${step.id} destroys infrastructure and phase ${step.phase} was not asked for in this run; to run it:\n   ${options.resumeCommand?.(step.id, through) ?? `--from ${step.id} --through ${through}`}\n`,
        );
        stopped = 'refused';
        if (!records.has(step.id)) records.set(step.id, { ...base, status: 'not run', seconds: 0 });
        continue;
      }
      if (
        step.phase === 'teardown' &&
        !options.yes &&
        !(options.confirm?.(`${step.title}: every stack of ${rehearsalId} is destroyed. Go on? [y/N] `) ?? false)
      ) {
        write(`!! ${step.id} not confirmed (add --yes to run it without asking); nothing was destroyed\n`);
        stopped = 'refused';
        if (!records.has(step.id)) records.set(step.id, { ...base, status: 'not run', seconds: 0 });
        continue;
      }
    }
    const previous = records.get(step.id)?.attempts ?? [];
    const log = options.reportDir ? join('logs', `${step.id}.${previous.length + 1}.log`) : undefined;
    if (options.reportDir) mkdirSync(join(options.reportDir, 'logs'), { recursive: true });
    const start = now();
    let exitCode = 0;
    let failedCommand: number | undefined;
    for (const [i, command] of step.commands.entries()) {
      exitCode = exec(command, env, log && join(options.reportDir!, log));
      if (exitCode !== 0) {
        failedCommand = i;
        break;
      }
    }
    const end = now();
    const seconds = (end.getTime() - start.getTime()) / 1000;
    const status = exitCode === 0 ? 'ok' : 'failed';
    const attempt: Attempt = { status, start: start.toISOString(), end: end.toISOString(), seconds, exitCode, ...(log ? { log } : {}) };
    records.set(step.id, {
      ...base,
      status,
      start: attempt.start,
      end: attempt.end,
      seconds,
      exitCode,
      ...(failedCommand !== undefined ? { failedCommand } : {}),
      attempts: [...previous, attempt],
    });
    save();
    if (status === 'failed') {
      stopped = 'failed';
      const shown = log ? tail(join(options.reportDir!, log), 20) : '';
      write(
        `${shown ? `--- last lines of ${join(options.reportDir!, log!)}\n${shown}\n---\n` : ''}` +
          `!! ${step.id} failed (exit ${exitCode}); resume with:\n   ${options.resumeCommand?.(step.id) ?? `--from ${step.id}`}\n`,
      );
    }
  }
  save();
  return report();
}
