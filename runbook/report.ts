/**
 * The rehearsal's measurements: one timing entry per step, the total of each
 * upgrade round and of the rollback (what the rehearsal is for: how long the
 * real upgrade and a real rollback will take), as JSON and as a markdown table.
 */
import { kindOf, type Phase } from './types';

export type StepStatus = 'dry-run' | 'ok' | 'failed' | 'not run';

/** One run of a step: a resumed rehearsal keeps every attempt. */
export interface Attempt {
  readonly status: 'ok' | 'failed';
  readonly start: string;
  readonly end: string;
  readonly seconds: number;
  readonly exitCode: number;
  /** The step's output (every command's stdout and stderr), relative to the report folder. */
  readonly log?: string;
}

export interface Timing {
  readonly id: string;
  readonly phase: Phase;
  readonly title: string;
  readonly where: string;
  readonly status: StepStatus;
  readonly start?: string;
  readonly end?: string;
  readonly seconds: number;
  readonly exitCode?: number;
  /** Index of the failing command, when one failed. */
  readonly failedCommand?: number;
  /** Every attempt, oldest first; the step's status and times are its last attempt's. */
  readonly attempts?: readonly Attempt[];
}

export interface RehearsalReport {
  readonly rehearsalId: string;
  readonly mode: 'dry-run' | 'execute';
  readonly steps: readonly Timing[];
  /** Seconds per phase, in phase order. */
  readonly phases: Readonly<Record<string, number>>;
  readonly totals: { readonly upgradeSeconds: Readonly<Record<string, number>>; readonly rollbackSeconds: number };
}

export function buildReport(rehearsalId: string, mode: RehearsalReport['mode'], steps: readonly Timing[]): RehearsalReport {
  const phases: Record<string, number> = {};
  for (const t of steps) phases[t.phase] = (phases[t.phase] ?? 0) + t.seconds;
  const upgradeSeconds = Object.fromEntries(Object.entries(phases).filter(([p]) => kindOf(p as Phase) === 'upgrade'));
  return { rehearsalId, mode, steps, phases, totals: { upgradeSeconds, rollbackSeconds: phases.rollback ?? 0 } };
}

const duration = (s: number): string => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderReport(report: RehearsalReport): string {
  const rows = report.steps.map(
    (t) =>
      `| ${t.phase} | \`${t.id}\` | ${cell(t.title)} | ${t.where} | ${t.status}${t.exitCode ? ` (exit ${t.exitCode})` : ''} | ${duration(t.seconds)} |`,
  );
  return [
    `# Rehearsal ${report.rehearsalId} (${report.mode})`,
    '',
    ...Object.entries(report.totals.upgradeSeconds).map(([round, s]) => `- ${round}: ${duration(s)}`),
    `- rollback: ${duration(report.totals.rollbackSeconds)}`,
    '',
    '| phase | step | title | where | status | duration |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
