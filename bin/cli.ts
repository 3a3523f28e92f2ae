/**
 * Shared command-line plumbing: argument parsing, default inputs, and the one
 * rule for bad input — one line naming the field and the reason, exit code 2,
 * no stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../profile/errors';
import { loadProfile, REFERENCE_PROFILE } from '../profile/load';
import { buildPlan } from '../plan/plan';
import type { StagingPlan } from '../plan/types';
import { CLOUDS, defaultTargetFile, expectCloud, loadTarget, type CloudName, type TargetConfig } from '../targets/config';

export interface Inputs {
  readonly profileFile: string;
  readonly targetFile: string;
  /** The cloud asked for with --target or STAGING_TARGET, when it was. */
  readonly cloud?: { readonly name: CloudName; readonly from: string };
}

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
    profileFile: flags.profile ?? env.STAGING_PROFILE ?? REFERENCE_PROFILE,
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

/** Runs a command body; input errors print one line and exit 2. */
export function runCli(body: () => void | Promise<void>): void {
  const fail = (e: unknown): never => {
    if (e instanceof InputError) {
      process.stderr.write(e.message.replace(/^/gm, 'error: ') + '\n');
      process.exit(2);
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  };
  // A closed pipe (`| head`) ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    const result = body();
    if (result instanceof Promise) result.catch(fail);
  } catch (e) {
    fail(e);
  }
}

export { parseArgs };

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
