/**
 * A rehearsal's record as `npm run rehearse -- --execute --report DIR` leaves it:
 * `report.json` (every step's status, times and attempts) and the steps' logs,
 * from which the checks' marked result lines are read back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../profile/errors';
import { resultsIn, type CheckResult } from '../runbook/checks';
import type { RehearsalReport, Timing } from '../runbook/report';
import { PHASES } from '../runbook/types';

export interface RehearsalRecord {
  /** The folder given, as given. */
  readonly dir: string;
  /** Short name in tables and the chart: `rehearsal 1`, `rehearsal 2`, … in the order given. */
  readonly label: string;
  readonly report: RehearsalReport;
  /** Check results per step id, from the step's last attempt's log. */
  readonly results: Readonly<Record<string, readonly CheckResult[]>>;
}

const STATUSES = ['dry-run', 'ok', 'failed', 'not run'];

/** Why a step record is not one the runbook writes, or undefined. */
function stepProblem(t: Partial<Timing>): string | undefined {
  if (typeof t.id !== 'string' || t.id === '') return 'a step without an id';
  if (!(PHASES as readonly string[]).includes(t.phase as string)) return `step ${t.id}: phase '${t.phase}' is not a phase`;
  if (!STATUSES.includes(t.status as string)) return `step ${t.id}: status '${t.status}' is not one of ${STATUSES.join(', ')}`;
  if (typeof t.seconds !== 'number' || !(t.seconds >= 0)) return `step ${t.id}: seconds must be a number of at least 0`;
  for (const key of ['start', 'end'] as const) {
    if (t[key] !== undefined && Number.isNaN(Date.parse(t[key]))) return `step ${t.id}: ${key} '${t[key]}' is not a time`;
  }
  return undefined;
}

/** Reads one rehearsal folder; a missing or malformed `report.json` is bad input (file, field, reason). */
export function loadRehearsal(dir: string, label: string): RehearsalRecord {
  const file = join(dir, 'report.json');
  if (!existsSync(file)) {
    throw new InputError(dir, '--rehearsal', 'holds no report.json: give the folder of `npm run rehearse -- --execute --report DIR`');
  }
  let report: RehearsalReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as RehearsalReport;
  } catch (e) {
    throw new InputError(file, '(top level)', `is not JSON: ${(e as Error).message}`);
  }
  if (!report || typeof report !== 'object' || !Array.isArray(report.steps)) {
    throw new InputError(file, 'steps', 'is required: the list of the rehearsal steps');
  }
  if (typeof report.rehearsalId !== 'string') throw new InputError(file, 'rehearsalId', 'is required (string)');
  for (const [i, step] of report.steps.entries()) {
    const problem = stepProblem(step);
    if (problem) throw new InputError(file, `steps[${i}]`, problem);
  }
  const results: Record<string, CheckResult[]> = {};
  for (const step of report.steps) {
    const log = step.attempts?.at(-1)?.log;
    if (!log || log.includes('..') || !existsSync(join(dir, log))) continue;
    const found = resultsIn(readFileSync(join(dir, log), 'utf8'));
    if (found.length > 0) results[step.id] = found;
  }
  return { dir, label, report, results };
}
