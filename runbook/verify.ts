/**
 * What each verify phase checks, against the side now serving: every canary
 * (projects, networks, image, servers, objects) is still in the inventory and
 * every canary server is ACTIVE; every Nova service of every cell is up; and
 * the log-monitoring ignore list still matches the serving release's logs.
 */
import { apiCell } from '../assets/endpoints';
import { shQuote } from '../assets/shell';
import type { NodePlan, Side } from '../plan/types';
import { canaryEnv, tenantViewStep } from './canary';
import { driftCommand, outputsCommand } from './stacks';
import { horizonStep } from './horizon';
import { multibyteNamesStep, shelveStep } from './regressions';
import { stagingHosts } from './service-records';
import { collectFromEach, onNode, work, type Context } from './remote';
import { CHECKS, stagingCli } from './staging-cli';
import { tempestStep } from './tempest';
import type { Phase, Step } from './types';

/** Recent lines of every OpenStack log, Swift's from syslog: what log monitoring reads. */
const LOG_LINES = [
  "find /var/log/nova /var/log/neutron /var/log/keystone /var/log/glance /var/log/horizon -name '*.log' -exec tail -q -n 5000 {} + 2>/dev/null || true",
  "grep -hE ' (proxy|object|container|account)-[a-z]+: ' /var/log/messages 2>/dev/null | tail -n 5000 || true",
];

/** Nodes whose logs log monitoring watches while `side` serves: that side's and the compute nodes. */
const loggingNodes = (ctx: Context, side: Side): NodePlan[] => ctx.plan.nodes.filter((n) => n.side === side || n.role === 'compute');

export function collectLogsStep(ctx: Context, phase: Phase, id: string, side: Side, label: string): Step {
  return {
    id,
    phase,
    title: `Collect the ${side} side's logs (${label})`,
    where: 'operator',
    commands: [collectFromEach(ctx, loggingNodes(ctx, side), LOG_LINES, work(ctx, 'logs', label))],
    rollbackSafe: true,
  };
}

export function recordInventoryStep(ctx: Context, phase: Phase, id: string, label: string): Step {
  return {
    id,
    phase,
    title: `Record the canary inventory (${label})`,
    where: 'operator',
    commands: [outputsCommand('canary', work(ctx, `canary-${label}.json`))],
    rollbackSafe: true,
  };
}

/** The first Nova node of each cell on a side: nova-api for the API cell, cell services for a child. */
export function cellNovaNodes(ctx: Context, side: Side): [string, NodePlan][] {
  const api = apiCell(ctx.plan).name;
  return ctx.plan.cells.map((cell) => {
    const node = ctx.plan.nodes.find(
      (n) => n.side === side && (cell.name === api ? n.role === 'nova-api' : n.role === 'cell-services' && n.cell === cell.name),
    );
    if (!node) throw new Error(`no Nova node of cell ${cell.name} on the ${side} side`);
    return [cell.name, node];
  });
}

/**
 * `nova-manage service list` of a cell with a dead service (XXX in the State column) among
 * the staging's own hosts of `side` and the shared ones: the restored databases also hold
 * production's services and the other side's, which are dead here by nature. Columns as
 * ServiceCommands.list prints them (nova/cmd/manage.py): Binary, Host, Zone, Status, State,
 * Updated_At; a host is compared by its first label.
 */
export function novaServicesCheck(ctx: Context, side: Side): string {
  const hosts = stagingHosts(ctx, side);
  return (
    // The list is shown on stderr through cat (a `tee /dev/stderr` fails where stderr is a socket).
    `nova-manage service list 2>/dev/null | awk -v hosts='${hosts.join(' ')}' ` +
    `'BEGIN { n = split(hosts, list, " "); for (i = 1; i <= n; i++) ours[list[i]] = 1 } { print | "cat 1>&2" } ` +
    `{ split($2, h, "."); if ((h[1] in ours) && $5 == "XXX") { print "dead: " $1 " on " $2 | "cat 1>&2"; dead = 1 } } END { exit dead }'`
  );
}

export function verifySteps(ctx: Context, phase: Phase, side: Side): Step[] {
  const label = phase;
  return [
    {
      ...recordInventoryStep(ctx, phase, `${phase}.canary-inventory`, label),
      checks: ['no canary missing or changed (every resource read back live); every canary server ACTIVE'],
      commands: [
        // The outputs alone are Terraform's record, not the cloud: the provider reads every canary resource first.
        driftCommand('canary-projects'),
        // Read as each project by the canary user: what a tenant sees of its own resources.
        `${canaryEnv(ctx)} ${driftCommand('canary')}`,
        outputsCommand('canary', work(ctx, `canary-${label}.json`)),
        `${stagingCli(ctx)} server list --all-projects -f json > ${work(ctx, `servers-${label}.json`)}`,
        `${CHECKS} inventory ${work(ctx, 'canary-seed.json')} ${work(ctx, `canary-${label}.json`)} ${work(ctx, `servers-${label}.json`)}`,
      ],
    },
    tenantViewStep(ctx, phase),
    {
      id: `${phase}.canary-image`,
      phase,
      title: "The canary image's data, as Glance (on Swift) hands it back",
      where: 'operator',
      commands: [
        `${stagingCli(ctx)} image save --file ${work(ctx, `canary-image-${label}`)} "$(${CHECKS} image-id ${work(ctx, 'canary-seed.json')})"`,
        `${CHECKS} image ${work(ctx, `canary-image-${label}`)} ${work(ctx, 'canary-seed.json')}`,
        `rm -f ${work(ctx, `canary-image-${label}`)}`,
      ],
      rollbackSafe: true,
    },
    {
      id: `${phase}.new-server`,
      phase,
      title: `A new server boots in every child cell of the ${side} side and gets its address, then is deleted`,
      where: 'operator',
      // Existing servers stay ACTIVE whatever Neutron's or the scheduler's state: only a new boot shows port binding works.
      commands: ctx.plan.cells
        .filter((c) => c.type === 'compute')
        .map((cell) => {
          const name = `canary-probe-${cell.name}-${label}`;
          const file = work(ctx, `probe-${cell.name}-${label}.json`);
          // The admin's own shared network: a tenant's would be another project's, and only an admin's boot follows the cell hint on both sides.
          const network = ctx.plan.canary.tempestNetwork.name;
          return [
            'set -e',
            `trap '${stagingCli(ctx)} server delete --wait ${name} >/dev/null 2>&1 || true' EXIT`,
            `${stagingCli(ctx)} server create --flavor ${shQuote(ctx.plan.canary.flavors[0].name)} --image "$(${CHECKS} image-id ${work(ctx, 'canary-seed.json')})" ` +
              `--nic net-id="$(${CHECKS} network-id ${work(ctx, 'canary-projects.json')} ${network})" --hint ${shQuote(`target_cell=${apiCell(ctx.plan).name}!${cell.name}`)} --wait -f json ${name} > ${file}`,
            `${CHECKS} probe ${file}`,
          ].join('\n');
        }),
      rollbackSafe: true,
    },
    multibyteNamesStep(ctx, phase),
    horizonStep(ctx, phase, side),
    shelveStep(ctx, phase),
    {
      id: `${phase}.nova-services`,
      phase,
      title: `Nova services of every cell on the ${side} side are up`,
      where: 'operator',
      // nova-manage reads the cell's own database: one list per cell; XXX in the State column is a dead service.
      commands: cellNovaNodes(ctx, side).map(([, node]) => onNode(ctx, node.name, [novaServicesCheck(ctx, side)])),
      rollbackSafe: true,
    },
    ...[tempestStep(ctx, phase, side)].filter((s): s is Step => s !== undefined),
    collectLogsStep(ctx, phase, `${phase}.collect-logs`, side, label),
    {
      id: `${phase}.log-ignore`,
      phase,
      title: "Check the log-monitoring ignore list against the serving release's logs",
      where: 'operator',
      commands: [
        `${CHECKS} logs ${work(ctx, 'log-ignore.txt')} ${work(ctx, 'logs', 'baseline')} ${work(ctx, 'logs', label)} ${work(ctx, `log-check-${label}.md`)}`,
      ],
      checks: [`${ctx.options.workDir}/log-check-${label}.md: patterns that stopped matching, new unmatched lines`],
      rollbackSafe: true,
    },
  ];
}
