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
import { CLOUDS, defaultTargetFile, loadTarget, type CloudName, type TargetConfig } from '../targets/config';

export interface Inputs {
  readonly profileFile: string;
  readonly targetFile: string;
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
  return {
    profileFile: flags.profile ?? env.STAGING_PROFILE ?? REFERENCE_PROFILE,
    targetFile: flags['target-config'] ?? env.STAGING_TARGET_CONFIG ?? defaultTargetFile(cloud as CloudName),
  };
}

/** Loads both inputs and plans. `activeSide` (STAGING_ACTIVE_SIDE) overrides the target's. */
export function planFrom(inputs: Inputs, activeSide?: string): { plan: StagingPlan; target: TargetConfig } {
  const profile = loadProfile(inputs.profileFile);
  let target = loadTarget(inputs.targetFile);
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
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  };
  try {
    const result = body();
    if (result instanceof Promise) result.catch(fail);
  } catch (e) {
    fail(e);
  }
}

export { parseArgs };
