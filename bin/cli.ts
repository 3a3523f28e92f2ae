/**
 * Shared command-line plumbing: argument parsing, default inputs, and the one
 * rule for bad input — one line naming the field and the reason, exit code 2,
 * no stack trace.
 */
import type { ParseArgsConfig } from 'node:util';
import { InputError } from '../profile/errors';
import { loadProfile, REFERENCE_PROFILE } from '../profile/load';
import { buildPlan } from '../plan/plan';
import type { StagingPlan } from '../plan/types';
import type { SynthContext } from '../deploy/context';
import { CLOUDS, defaultTargetFile, expectCloud, loadTarget, type CloudName, type TargetConfig } from '../targets/config';

export interface Inputs {
  readonly profileFile: string;
  readonly targetFile: string;
  /** The cloud asked for with --target or STAGING_TARGET, when it was. */
  readonly cloud?: { readonly name: CloudName; readonly from: string };
  /** Whether the profile was named (--profile or STAGING_PROFILE; `reference` names the reference), not defaulted. */
  readonly profileNamed: boolean;
}

/** `reference` as a profile names the embedded reference cloud. */
const profilePath = (named: string): string => (named === 'reference' ? REFERENCE_PROFILE : named);

/** Resolves the profile and target config files from flags, then environment, then defaults. */
export function inputsFrom(
  flags: { profile?: string; target?: string; 'target-config'?: string },
  env: NodeJS.ProcessEnv = process.env,
): Inputs {
  const cloud = flags.target ?? env.STAGING_TARGET ?? 'aws';
  if (!(CLOUDS as readonly string[]).includes(cloud)) {
    throw new InputError(
      flags.target ? '--target' : 'STAGING_TARGET',
      'target',
      `'${cloud}' is not a target; use one of ${CLOUDS.join(', ')}`,
    );
  }
  const asked = flags.target ? '--target' : env.STAGING_TARGET ? 'STAGING_TARGET' : undefined;
  return {
    // An empty variable is an unset one.
    profileFile: profilePath(flags.profile || env.STAGING_PROFILE || REFERENCE_PROFILE),
    profileNamed: Boolean(flags.profile || env.STAGING_PROFILE),
    targetFile: flags['target-config'] ?? env.STAGING_TARGET_CONFIG ?? defaultTargetFile(cloud as CloudName),
    ...(asked ? { cloud: { name: cloud as CloudName, from: asked } } : {}),
  };
}

/** Loads both inputs and plans. `activeSide` (STAGING_ACTIVE_SIDE) overrides the target's. */
export function planFrom(inputs: Inputs, activeSide?: string): { plan: StagingPlan; target: TargetConfig } {
  const profile = loadProfile(inputs.profileFile);
  let target = loadTarget(inputs.targetFile);
  if (inputs.cloud) expectCloud(target, inputs.cloud.name, inputs.cloud.from);
  if (activeSide !== undefined) {
    if (activeSide !== 'old' && activeSide !== 'new') {
      throw new InputError('STAGING_ACTIVE_SIDE', 'activeSide', `'${activeSide}' is not a side; use old or new`);
    }
    target = { ...target, activeSide };
  }
  return { plan: buildPlan(profile, target), target };
}

export const COMMON_OPTIONS = {
  profile: { type: 'string' },
  target: { type: 'string' },
  'target-config': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export { parseArgs, runCli } from './command';
export { SYNTH_CONTEXT_FILE } from '../deploy/context';

/** One line saying what a command works on: profile, target, account, region, size and cost. */
export function contextLine(plan: StagingPlan, inputs: Inputs, target: TargetConfig): string {
  const account =
    'profile' in target && target.profile
      ? `AWS profile ${target.profile}`
      : 'cloudName' in target
        ? `cloud ${target.cloudName}`
        : 'default AWS credentials';
  return (
    `# ${plan.rehearsalId}: profile ${inputs.profileFile}${inputs.profileFile === REFERENCE_PROFILE ? ' (the reference)' : ''}; ` +
    `target ${plan.cloud} (${inputs.targetFile}), ${account}, region ${plan.region}; ` +
    `${plan.nodes.length} nodes at scale ${plan.scale.factor}; ${plan.cost.perHour.toFixed(2)} ${plan.cost.currency} per hour`
  );
}

/** What the synthesized output was made from (deploy/context.ts). */
export function synthContext(plan: StagingPlan, inputs: Inputs, target: TargetConfig): SynthContext {
  return {
    line: contextLine(plan, inputs, target),
    rehearsalId: plan.rehearsalId,
    profile: inputs.profileFile,
    profileNamed: inputs.profileNamed,
    perHour: plan.cost.perHour,
    currency: plan.cost.currency,
  };
}
