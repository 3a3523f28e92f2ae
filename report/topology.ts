/**
 * The staging's topology as boxes and links for the report's SVG: the edge on
 * top with the active side marked, both sides side by side (control plane,
 * every cell with its database and broker, Swift regions and zones with their
 * nodes), and below them what both sides share: the compute nodes per cell,
 * the migration toolbox and monitoring. Geometry only; the template draws it.
 */
import type { HostPlan, NodePlan, Side, StagingPlan } from '../plan/types';
import { SIDES } from '../plan/types';

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly title: string;
  readonly lines: readonly string[];
  /** CSS class: side, cell, swift, hosts, shared, edge, active. */
  readonly kind: string;
}

export interface Link {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly label: string;
  readonly active: boolean;
}

export interface Topology {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly Box[];
  readonly links: readonly Link[];
}

const LINE = 15;
const PAD = 10;
const GAP = 12;
const WIDTH = 1160;
const SIDE_W = (WIDTH - 3 * GAP) / 2;

const heightOf = (lines: number): number => PAD + LINE + lines * LINE + PAD;

/** `name-1 … name-9 (9)` for a long list, the names themselves for a short one. */
const span = (names: readonly string[]): string =>
  names.length <= 3 ? names.join(', ') : `${names[0]} … ${names[names.length - 1]} (${names.length})`;

const CONTROL_ROLES = ['keystone', 'glance', 'nova-api', 'neutron-server', 'horizon', 'swift-proxy', 'database', 'rabbitmq'];

function sideColumn(plan: StagingPlan, side: Side, x: number, top: number): Box[] {
  const on = (filter: (n: NodePlan) => boolean) => plan.nodes.filter((n) => n.side === side && filter(n));
  const boxes: Box[] = [];
  let y = top + PAD + LINE + PAD;
  const inner = (title: string, lines: string[], kind: string) => {
    const h = heightOf(lines.length);
    boxes.push({ x: x + PAD, y, w: SIDE_W - 2 * PAD, h, title, lines, kind });
    y += h + GAP;
  };
  const release = plan.sides.find((s) => s.name === side)?.release ?? '';
  inner(
    'control plane',
    CONTROL_ROLES.flatMap((role) => {
      const nodes = on((n) => n.role === role).map((n) => n.name);
      return nodes.length ? [`${role}: ${span(nodes)}`] : [];
    }),
    'control',
  );
  for (const cell of plan.cells) {
    const services = on((n) => n.role === 'cell-services' && n.cell === cell.name).map((n) => n.name);
    inner(
      `cell ${cell.name} (${cell.type === 'api' ? 'API cell' : 'compute cell'})`,
      [
        `database: ${span(cell.database[side])} (${cell.dbSizeGiB} GiB)`,
        `broker: ${span(cell.rabbitmq[side])}`,
        ...(services.length ? [`cell services: ${span(services)}`] : []),
      ],
      'cell',
    );
  }
  for (const region of plan.swift.regions) {
    inner(
      `Swift region ${region.id}`,
      region.zones.map((zone) => {
        const nodes = on((n) => n.role === 'swift-storage' && n.swiftZone?.region === region.id && n.swiftZone.zone === zone.id);
        return `zone ${zone.id}: ${span(nodes.map((n) => n.name))}`;
      }),
      'swift',
    );
  }
  const hosts = hostsOf(plan, (h) => h.side === side);
  if (hosts.length) inner('hypervisor hosts (the nodes above are their KVM guests)', hosts, 'hosts');
  const height = y - top;
  return [
    {
      x,
      y: top,
      w: SIDE_W,
      h: height,
      title: `${side} side: ${release}${plan.activeSide === side ? ' (active)' : ''}`,
      lines: [],
      kind: plan.activeSide === side ? 'side active' : 'side',
    },
    ...boxes,
  ];
}

/** Where the nodes are KVM guests: the hosts of a side, by size, and their names. */
function hostsOf(plan: StagingPlan, pick: (host: HostPlan) => boolean): string[] {
  if (plan.placement.kind !== 'hypervisors') return [];
  const hosts = plan.placement.hosts.filter(pick);
  const sizes = new Map<string, number>();
  for (const h of hosts) sizes.set(`${h.size.offer} (${h.kvm} KVM)`, (sizes.get(`${h.size.offer} (${h.kvm} KVM)`) ?? 0) + 1);
  return [`${hosts.length} hosts: ${[...sizes].map(([size, n]) => `${n} x ${size}`).join(', ')}`, span(hosts.map((h) => h.name))];
}

export function topologyOf(plan: StagingPlan): Topology {
  const edgeH = heightOf(2);
  const edge: Box = {
    x: WIDTH / 2 - 260,
    y: GAP,
    w: 520,
    h: edgeH,
    title: 'edge: public API listeners',
    lines: [plan.apis.map((a) => `${a.name} ${a.port}`).join(', '), `serving: the ${plan.activeSide} side`],
    kind: 'edge',
  };
  const top = edge.y + edge.h + 50;
  const columns = SIDES.map((side, i) => sideColumn(plan, side, GAP + i * (SIDE_W + GAP), top));
  const bottom = Math.max(...columns.map((c) => c[0].y + c[0].h)) + 40;
  const shared = plan.nodes.filter((n) => n.side === 'shared');
  const computeLines = plan.cells
    .filter((c) => c.type === 'compute')
    .map((cell) => {
      const nodes = shared.filter((n) => n.role === 'compute' && n.cell === cell.name).map((n) => n.name);
      return `${cell.name}: ${span(nodes)} (production ${cell.productionComputeHosts})`;
    });
  const others = (role: string) => shared.filter((n) => n.role === role).map((n) => n.name);
  const compute: Box = {
    x: GAP,
    y: bottom,
    w: SIDE_W,
    h: heightOf(computeLines.length),
    title: 'compute nodes (shared: upgraded in place, rolled back in place)',
    lines: computeLines,
    kind: 'shared',
  };
  const toolsLines = [
    `migration toolbox: ${span(others('migration-toolbox'))} (every release's tools, dumps)`,
    `monitoring: ${span(others('monitoring'))} (${plan.monitoring.system}${plan.keystone.directory ? ', directory stand-in' : ''})`,
    ...hostsOf(plan, (h) => h.side === 'shared').map((line, i) => (i === 0 ? `shared ${line}` : line)),
  ];
  const tools: Box = {
    x: GAP * 2 + SIDE_W,
    y: bottom,
    w: SIDE_W,
    h: heightOf(toolsLines.length),
    title: 'shared services',
    lines: toolsLines,
    kind: 'shared',
  };
  const links: Link[] = SIDES.map((side, i) => {
    const column = columns[i][0];
    return {
      x1: edge.x + (i === 0 ? 120 : edge.w - 120),
      y1: edge.y + edge.h,
      x2: column.x + column.w / 2,
      y2: column.y,
      label: plan.activeSide === side ? 'active' : 'standby',
      active: plan.activeSide === side,
    };
  });
  return {
    width: WIDTH,
    height: Math.max(compute.y + compute.h, tools.y + tools.h) + GAP,
    boxes: [edge, ...columns.flat(), compute, tools],
    links,
  };
}
