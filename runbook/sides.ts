/**
 * Steps acting on one side's nodes as a whole: closing the public API, stopping
 * and starting OpenStack (databases and brokers stay up: the dumps read them and
 * the old side must come back on rollback untouched), waiting for the boot-time
 * configuration, building rings and linking cells from the rendered assets.
 */
import type { NodeRole, Release } from '../profile/schema';
import type { NodePlan, Side } from '../plan/types';
import { apiCell } from '../assets/endpoints';
import { nodesWith, onEach, scriptOnNode, work, type Context } from './remote';
import { apiServicesOf, servicesOf, serviceLines } from './services';
import type { Phase, Step } from './types';

/** Marker the boot-time hand-off writes when configuration management finished. */
const CONFIGURED = '/var/lib/openstack-staging/configured';

/** One command per role and release (its own service list), over every node of the role on the side. */
function perRole(
  ctx: Context,
  nodes: readonly NodePlan[],
  servicesOfRole: (role: NodeRole, release: Release) => readonly string[],
  action: 'stop' | 'start',
): string[] {
  const groups = [...new Set(nodes.map((n) => `${n.role} ${n.release}`))].map((key) => key.split(' ') as [NodeRole, Release]);
  return groups
    .filter(([role, release]) => servicesOfRole(role, release).length > 0)
    .map(([role, release]) =>
      onEach(
        ctx,
        nodes.filter((n) => n.role === role && n.release === release),
        serviceLines(action, servicesOfRole(role, release)),
      ),
    );
}

/**
 * Procedure step 3. The edge has no "no side" setting, so the API is closed where it
 * answers: the old side's public API services are stopped, the load balancer's health
 * checks fail and users get refused connections. Internal services keep running.
 */
export function closeApiStep(ctx: Context, phase: Phase, round: string): Step {
  const nodes = ctx.plan.nodes.filter((n) => n.side === 'old' && apiServicesOf(n.role).length > 0);
  return {
    id: `${round}.close-api`,
    phase,
    title: "Close the public API: stop the old side's API services",
    where: 'operator',
    commands: perRole(ctx, nodes, apiServicesOf, 'stop'),
    checks: ['the edge endpoint refuses connections'],
    rollbackSafe: true,
  };
}

export function sideServicesStep(ctx: Context, phase: Phase, id: string, side: Side, action: 'stop' | 'start'): Step {
  const nodes = ctx.plan.nodes.filter((n) => n.side === side);
  return {
    id,
    phase,
    title: `${action === 'stop' ? 'Stop' : 'Start'} every OpenStack service of the ${side} side`,
    where: 'operator',
    commands: perRole(ctx, nodes, servicesOf, action),
    rollbackSafe: true,
  };
}

export function monitoringStep(ctx: Context, phase: Phase, id: string, action: 'stop' | 'start'): Step {
  const nodes = nodesWith(ctx.plan, 'shared', ['monitoring']);
  return {
    id,
    phase,
    title: `${action === 'stop' ? 'Stop' : 'Restart'} monitoring`,
    where: 'monitoring',
    commands: perRole(ctx, nodes, servicesOf, action),
    rollbackSafe: true,
  };
}

/** Waits (an hour at most per node) for the hand-off marker of every node of `side`. */
export function waitConfiguredStep(ctx: Context, phase: Phase, id: string, side: Side | 'shared'): Step {
  const nodes = ctx.plan.nodes.filter((n) => n.side === side);
  return {
    id,
    phase,
    title: `Wait for configuration management on every ${side} node (${nodes.length})`,
    where: 'operator',
    commands: [onEach(ctx, nodes, [`timeout 3600 bash -c 'until [ -e ${CONFIGURED} ]; do sleep 20; done'`])],
    rollbackSafe: true,
  };
}

/** Builds the side's rings on the operator machine (a fresh directory per build) and copies them to its Swift nodes. */
export function ringsStep(ctx: Context, phase: Phase, id: string, side: Side, build: string): Step {
  const dir = work(ctx, `rings-${side}-${build}`);
  return {
    id,
    phase,
    title: `Build the ${side} side's Swift rings and copy them to its Swift nodes`,
    where: 'operator',
    commands: [
      `mkdir -p ${dir}`,
      `bash ${work(ctx, 'assets', 'rings', `${side}-build-rings.sh`)} --dir ${dir} --distribute --ssh-user ${ctx.options.sshUser}`,
    ],
    rollbackSafe: true,
  };
}

/** Registers parent and children on a node of every cell (the API cell on nova-api), from the rendered linking script. */
export function linkCellsStep(ctx: Context, phase: Phase, id: string, side: Side): Step {
  const script = [ctx.options.workDir, 'assets', 'cells', `${side}-link-cells.sh`].join('/');
  const api = apiCell(ctx.plan).name;
  const commands = ctx.plan.cells.map((cell) => {
    const [node] = ctx.plan.nodes.filter(
      (n) => n.side === side && (cell.name === api ? n.role === 'nova-api' : n.role === 'cell-services' && n.cell === cell.name),
    );
    if (!node) throw new Error(`no Nova node of cell ${cell.name} on the ${side} side`);
    return scriptOnNode(ctx, node.name, script, [cell.name]);
  });
  return { id, phase, title: `Link the ${side} side's cells (parent and children)`, where: 'operator', commands, rollbackSafe: true };
}
