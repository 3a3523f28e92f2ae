/** The stacks' commands as the runbook runs them (`npm run stacks`), and which stacks each phase deploys. */
import { shQuote } from '../assets/shell';
import type { Side } from '../plan/types';
import { work, type Context } from './remote';

/** The stacks' own command: a saved plan per stack, counted and checked (nothing destroyed), then applied; in parallel where the stacks allow. */
export const deployStacks = (ctx: Context, stacks: readonly string[]): string =>
  `npm run stacks -- deploy ${stacks.join(' ')} --timings ${work(ctx, 'stacks-timings.json')} --log-dir ${work(ctx, 'logs', 'stacks')}`;
export const destroyStacks = (ctx: Context, stacks: readonly string[]): string =>
  `npm run stacks -- destroy ${stacks.map(shQuote).join(' ')} --timings ${work(ctx, 'stacks-timings.json')} --log-dir ${work(ctx, 'logs', 'stacks')}`;
export const sideStacks = (side: Side): string[] => [`control-${side}`, `cells-${side}`, `swift-${side}`];
/** What the first deploy builds: everything but the new side and the canary workload. */
export const FIRST_DEPLOY = ['foundation', ...sideStacks('old'), 'compute', 'monitoring', 'migration', 'edge'];
/** Every resource of a stack read back from its API: fails naming what changed or disappeared outside Terraform. */
export const driftCommand = (stack: string): string => `npm run -s stacks -- drift ${stack}`;
/** Stack outputs as `cdktf output --outputs-file` writes them. */
export const outputsCommand = (stack: string, file: string): string => `npm run -s stacks -- output ${stack} --out ${file}`;
