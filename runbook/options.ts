/** Runbook options from the inputs the rest of the project already reads: target config and profile. */
import { dirname, resolve } from 'node:path';
import type { Profile } from '../profile/schema';
import type { TargetConfig } from '../targets/config';
import { DEFAULT_OPTIONS, type RunbookOptions } from './types';

export function runbookOptionsFor(
  target: TargetConfig,
  profile: Pick<Profile, 'source' | 'monitoring'>,
  overrides: Partial<RunbookOptions> = {},
): RunbookOptions {
  return {
    ...DEFAULT_OPTIONS,
    logIgnoreFile: resolve(dirname(profile.source), profile.monitoring.logIgnorePatterns),
    packageArchives: target.packageArchives,
    canaryCloud: target.canary.cloudName,
    ...('cloudName' in target ? { targetCloud: target.cloudName } : {}),
    ...overrides,
  };
}
