/**
 * What a synthesized output was made from, kept beside the stacks
 * (`cdktf.out/staging-context.json`, written by the app): the stacks tool shows it
 * before it plans or deploys, and refuses to build a reference cloud nobody named.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SYNTH_CONTEXT_FILE = 'staging-context.json';

export interface SynthContext {
  /** One line: profile, target, account, region, size and cost. */
  readonly line: string;
  readonly rehearsalId: string;
  readonly profile: string;
  /** The profile was named (--profile, STAGING_PROFILE, `reference`), not taken by default. */
  readonly profileNamed: boolean;
  readonly perHour: number;
  readonly currency: string;
}

/** The context of a synthesized output, when the app wrote one (older outputs have none). */
export function readSynthContext(outdir: string): SynthContext | undefined {
  const file = join(outdir, SYNTH_CONTEXT_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SynthContext) : undefined;
}
