/**
 * What a saved Terraform plan would do, read from `terraform show -json`, and the
 * rule a runbook step states about it: a cut-over or a rollback changes listeners
 * and destroys nothing; a first deploy only adds. A plan that breaks the rule is
 * refused before anything is applied.
 */

/** One resource's planned actions (Terraform's `resource_changes[].change.actions`). */
export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Every resource with an action other than no-op or read. */
  readonly changes: readonly ResourceChange[];
}

/** What a step expects of its plan. */
export interface Expectation {
  /** `none`: the plan may destroy nothing (replacements included); `any`: it may; `all`: it is a destroy and does nothing else. */
  readonly destroy: 'none' | 'any' | 'all';
  /** When given, the plan may only update resources of these types in place (no create, no delete). */
  readonly onlyUpdate?: readonly string[];
}

interface ShowJson {
  readonly resource_changes?: readonly { address: string; type: string; change: { actions: string[] } }[];
}

/** Counts as Terraform prints them: a replacement is one to add and one to destroy. */
export function summarize(show: ShowJson): PlanSummary {
  const changes = (show.resource_changes ?? [])
    .map((r) => ({ address: r.address, type: r.type, actions: r.change.actions }))
    .filter((r) => r.actions.some((a) => a !== 'no-op' && a !== 'read'));
  const count = (action: string) => changes.filter((r) => r.actions.includes(action)).length;
  return { add: count('create'), change: count('update'), destroy: count('delete'), changes };
}

export const describeSummary = (s: PlanSummary): string => `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy`;

/** What happens to a resource, in words. */
const fate = (actions: readonly string[]): string =>
  actions.includes('delete') && actions.includes('create')
    ? 'replaced'
    : (({ create: 'created', update: 'updated', delete: 'destroyed' } as Record<string, string>)[actions[0]] ?? actions.join('+'));

/** Why a plan breaks the step's expectation, one line per resource; empty when it does not. */
export function violations(summary: PlanSummary, expected: Expectation): string[] {
  const problems: string[] = [];
  for (const r of summary.changes) {
    const only = (action: string) => r.actions.length === 1 && r.actions[0] === action;
    if (expected.destroy === 'none' && r.actions.includes('delete')) {
      problems.push(`${r.address} would be ${fate(r.actions)}, which this step does not expect`);
    } else if (expected.destroy === 'all' && !only('delete')) {
      problems.push(`${r.address} would be ${fate(r.actions)} by a destroy`);
    } else if (expected.onlyUpdate && !(only('update') && expected.onlyUpdate.includes(r.type))) {
      problems.push(`${r.address} would be ${fate(r.actions)}; this step only updates ${expected.onlyUpdate.join(', ')} in place`);
    }
  }
  return problems;
}
