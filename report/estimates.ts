/**
 * How long a rehearsal takes when no rehearsal of it has been measured yet:
 * stated assumptions, each phase with the basis of its figure, so that the
 * report can price a rehearsal before the first one runs (and label it an
 * estimate). A measured rehearsal replaces all of this.
 */
import type { Profile } from '../profile/schema';
import type { StagingPlan } from '../plan/types';
import type { PhaseKind } from '../runbook/types';

/** The rates the estimate assumes, stated in the report. */
export const ASSUMED = {
  /** Instance start, first boot and the Puppet run on the largest node, per side built. */
  buildSideMinutes: 45,
  /** A single-threaded `mysql` import of a gzip dump. */
  restoreGiBPerHour: 20,
  /** `mysqldump --single-transaction` through gzip. */
  dumpGiBPerHour: 60,
  /** One project's schema migration (`db sync`, Kilo's flavor migration) on a restored copy, per release hop. */
  migrationMinutes: 5,
  /** rsync over the storage network, pairs one after the other. */
  swiftCopyMiBPerSecond: 200,
  /** Share of the staging's Swift device capacity holding objects. */
  swiftFill: 0.5,
  /** Canary seeding, every verify phase, the compute upgrade and the teardown. */
  fixedMinutes: { seed: 20, verify: 15, compute: 15, rollback: 20, teardown: 15 },
} as const;

export interface EstimatedPhase {
  readonly kind: PhaseKind;
  readonly label: string;
  readonly minutes: number;
  readonly basis: string;
}

const round = (minutes: number): number => Math.max(1, Math.round(minutes));

/** Production's databases in GiB: every cell's Nova database and the API-level ones. */
export const databaseGiB = (plan: StagingPlan, profile: Profile): number =>
  plan.cells.reduce((sum, c) => sum + c.dbSizeGiB, 0) +
  profile.glance.dbSizeGiB +
  profile.databases.keystoneSizeGiB +
  profile.databases.neutronSizeGiB;

/** The staging's Swift data the copies move, at the assumed fill. */
export const swiftGiBOf = (plan: StagingPlan): number =>
  plan.nodes.filter((n) => n.role === 'swift-storage' && n.side === 'old').length *
  plan.swift.devicesPerNode *
  plan.swift.deviceSizeGiB *
  ASSUMED.swiftFill;

/** The whole rehearsal (deploy, seed, two upgrades, one rollback, four verifies, teardown), phase by phase. */
export function estimatePhases(plan: StagingPlan, profile: Profile): EstimatedPhase[] {
  const dbGiB = databaseGiB(plan, profile);
  const databases = plan.cells.length + 3;
  const hops = 1 + plan.releases.via.length;
  const swiftGiB = swiftGiBOf(plan);
  const swiftMinutes = (swiftGiB * 1024) / ASSUMED.swiftCopyMiBPerSecond / 60;
  const restore = (dbGiB / ASSUMED.restoreGiBPerHour) * 60;
  const dump = (dbGiB / ASSUMED.dumpGiBPerHour) * 60;
  const migrations = databases * hops * ASSUMED.migrationMinutes;
  const upgrade = ASSUMED.buildSideMinutes + swiftMinutes + dump + restore + migrations + ASSUMED.fixedMinutes.compute;
  const f = ASSUMED.fixedMinutes;
  const upgradeBasis =
    `new side built (${ASSUMED.buildSideMinutes} min), Swift copy of ~${Math.round(swiftGiB)} GiB, ` +
    `dump and restore of ${dbGiB} GiB, ${databases} databases x ${hops} release hop(s) of migrations, compute upgrade`;
  return [
    {
      kind: 'deploy',
      label: 'deploy',
      minutes: round(ASSUMED.buildSideMinutes + restore),
      basis: `every stack built (${ASSUMED.buildSideMinutes} min) and production's ${dbGiB} GiB of dumps restored at ${ASSUMED.restoreGiBPerHour} GiB/h`,
    },
    { kind: 'seed', label: 'seed', minutes: f.seed, basis: 'the canary workload created and recorded' },
    { kind: 'upgrade', label: 'upgrade-1', minutes: round(upgrade), basis: upgradeBasis },
    { kind: 'verify', label: 'verify-upgrade-1', minutes: f.verify, basis: 'canary, services and logs checked' },
    { kind: 'rollback', label: 'rollback', minutes: f.rollback, basis: 'compute nodes back on the old release, the edge switched back' },
    { kind: 'verify', label: 'verify-rollback', minutes: f.verify, basis: 'canary, services and logs checked' },
    { kind: 'upgrade', label: 'upgrade-2', minutes: round(upgrade), basis: `the new side destroyed and rebuilt; ${upgradeBasis}` },
    { kind: 'verify', label: 'verify-upgrade-2', minutes: f.verify, basis: 'canary, services and logs checked' },
    { kind: 'teardown', label: 'teardown', minutes: f.teardown, basis: 'every stack destroyed' },
  ];
}
