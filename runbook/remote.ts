/**
 * How a step reaches a node: SSH as the operator's user to the node's fixed
 * management address, `sudo bash -s` reading a quoted here-document, so the
 * remote script is written once, unquoted, and nothing in it expands locally.
 */
import { addressOf, nodeNamed } from '../assets/endpoints';
import type { NodePlan, StagingPlan } from '../plan/types';
import { shQuote } from '../assets/shell';
import type { RunbookOptions } from './types';

export interface Context {
  readonly plan: StagingPlan;
  readonly options: RunbookOptions;
}

/** Batch mode: a missing key fails the step instead of waiting for a password. */
export const SSH = 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new';

const heredoc = (head: string, lines: readonly string[]): string =>
  [`${head} <<'REMOTE'`, 'set -euo pipefail', ...lines, 'REMOTE'].join('\n');

/** Runs `lines` as root on one node; `args` become the remote script's "$1"... (already quoted). */
export function onNode(ctx: Context, name: string, lines: readonly string[], args: readonly string[] = []): string {
  const ip = addressOf(nodeNamed(ctx.plan, name));
  return heredoc(`${SSH} ${ctx.options.sshUser}@${ip} sudo bash -s${args.length ? ' -- ' + args.join(' ') : ''}`, lines);
}

/** Runs the same `lines` as root on every node, one after the other, stopping at the first failure. */
export function onEach(ctx: Context, nodes: readonly NodePlan[], lines: readonly string[]): string {
  if (nodes.length === 1) return onNode(ctx, nodes[0].name, lines);
  const ips = nodes.map((n) => addressOf(n)).join(' ');
  return [`for ip in ${ips}; do`, `  echo "== $ip" >&2`, heredoc(`  ${SSH} "${ctx.options.sshUser}@$ip" sudo bash -s`, lines), 'done'].join(
    '\n',
  );
}

/** Runs a local script file on a node as root, with arguments. */
export function scriptOnNode(ctx: Context, name: string, file: string, args: readonly string[] = []): string {
  const ip = addressOf(nodeNamed(ctx.plan, name));
  return `${SSH} ${ctx.options.sshUser}@${ip} sudo bash -s${args.length ? ' -- ' + args.map(shQuote).join(' ') : ''} < ${shQuote(file)}`;
}

/** A path under the rehearsal's working directory, quoted for the shell. */
export const work = (ctx: Context, ...parts: string[]): string => shQuote([ctx.options.workDir, ...parts].join('/'));

/** Nodes of a side (or shared) with one of the roles. */
export const nodesWith = (plan: StagingPlan, side: NodePlan['side'], roles: readonly string[]): NodePlan[] =>
  plan.nodes.filter((n) => n.side === side && roles.includes(n.role));

/** Runs the same `lines` on every node, each node's output into `<dir>/<node name>.<ext>` (a local, quoted directory). */
export function collectFromEach(ctx: Context, nodes: readonly NodePlan[], lines: readonly string[], dir: string, ext = 'log'): string {
  const pairs = nodes.map((n) => `${n.name}=${addressOf(n)}`).join(' ');
  return [
    `mkdir -p ${dir}`,
    `for pair in ${pairs}; do`,
    heredoc(`  ${SSH} "${ctx.options.sshUser}@\${pair#*=}" sudo bash -s > ${dir}/"\${pair%%=*}".${ext}`, lines),
    'done',
  ].join('\n');
}
