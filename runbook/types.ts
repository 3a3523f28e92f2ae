/**
 * The rehearsal as data: phases of steps, each a list of real shell commands run
 * from the operator machine. Pure data so it can be printed (dry run), tested and
 * executed by the same code.
 */

/** Phases in the order the rehearsal runs them: upgrade, roll back, upgrade again, each verified. */
export const PHASES = [
  'deploy',
  'seed',
  'upgrade-1',
  'verify-upgrade-1',
  'rollback',
  'verify-rollback',
  'upgrade-2',
  'verify-upgrade-2',
  'teardown',
] as const;
export type Phase = (typeof PHASES)[number];

/** What a phase is, whatever its round: what the report totals and the tests group by. */
export type PhaseKind = 'deploy' | 'seed' | 'upgrade' | 'verify' | 'rollback' | 'teardown';
export const kindOf = (phase: Phase): PhaseKind => phase.replace(/-.*$/, '') as PhaseKind;

/** Where the work happens: the operator machine, or the node (by plan name) the commands reach over SSH. */
export type Where = 'operator' | string;

export interface Step {
  /** Unique, stable: `--from` resumes at it. */
  readonly id: string;
  readonly phase: Phase;
  readonly title: string;
  readonly where: Where;
  /** Commands run in order on the operator machine (`bash -c` each); SSH reaches the nodes. */
  readonly commands: readonly string[];
  /** What an operator looks at after the step; the commands themselves fail on a broken invariant. */
  readonly checks?: readonly string[];
  /** True when the rollback phase can still bring the old side back after this step. */
  readonly rollbackSafe: boolean;
  /** It destroys infrastructure (a side, or everything): it runs only when asked for (see runbook/run.ts). */
  readonly destructive?: true;
}

/** Everything the steps need beyond the plan. */
export interface RunbookOptions {
  /** SSH user with sudo on every node (CentOS images: `centos`). */
  readonly sshUser: string;
  /** Directory for what steps record (assets, inventories, logs, dumps list); relative to the working directory. */
  readonly workDir: string;
  /** The profile's log-ignore pattern file. */
  readonly logIgnoreFile: string;
  /** RDO archive base URL per release (the target's `packageArchives`). */
  readonly packageArchives: Readonly<Record<string, string>>;
  /** clouds.yaml entry holding the staging cloud's admin credentials (the target's `canary.cloudName`). */
  readonly canaryCloud: string;
  /** clouds.yaml entry of the OpenStack cloud the staging runs on (its `cloudName`); AWS uses its credential chain. */
  readonly targetCloud?: string;
  /** Directory on the operator machine holding production's dumps, `<database key>.sql.gz`. */
  readonly productionDumps: string;
}

export const DEFAULT_OPTIONS: Omit<RunbookOptions, 'logIgnoreFile' | 'packageArchives'> = {
  sshUser: 'centos',
  workDir: 'rehearsal',
  canaryCloud: 'staging-inside',
  productionDumps: 'production-dumps',
};
