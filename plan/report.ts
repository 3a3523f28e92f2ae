/** Plain-text rendering of a plan, for `npm run plan` and the README. */
import { GUEST_OFFER } from './nodes';
import type { StagingPlan } from './types';
import { SIDES } from './types';

/** Left-aligned columns, header underlined. */
/** Words of `text` in lines of at most `width` characters (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/**
 * A plain-text table. Within `maxWidth` columns when given: the widest columns are
 * narrowed (to 12 characters at least) and their cells wrap onto continuation lines.
 */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], maxWidth = Infinity): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= 12) break;
    widths[widest] -= 1;
  }
  const line = (r: readonly string[]): string[] => {
    const wrapped = r.map((c, i) => wrap(c, widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) =>
      wrapped
        .map((w, i) => (i === r.length - 1 ? (w[k] ?? '') : (w[k] ?? '').padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
  };
  return [...line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).flatMap(line)].join('\n') + '\n';
}

/** The plan as tables, each within `width` columns (wrapping its widest cells). */
export function renderPlan(plan: StagingPlan, width = Infinity): string {
  const out: string[] = [];
  const path = [plan.releases.from, ...plan.releases.via, plan.releases.to].join(' -> ');
  out.push(
    `Staging plan ${plan.rehearsalId}: profile ${plan.profile} on ${plan.cloud} (${plan.region})`,
    `Release path ${path}; scale ${plan.scale.factor === 0 ? 'smallest faithful clone' : plan.scale.factor} (chosen by ${plan.scale.chosenBy}); active side: ${plan.activeSide}`,
    `Cost ${plan.cost.perHour.toFixed(2)} ${plan.cost.currency}/hour of a budget of ${plan.cost.budgetPerHour} (${plan.cost.source})`,
    '',
    'Sides',
    table(
      ['side', 'release', 'os'],
      plan.sides.map((s) => [
        s.name,
        s.release,
        Object.entries(s.os)
          .map(([k, v]) => (k === 'default' ? v : `${k}=${v}`))
          .join(' '),
      ]),
      width,
    ),
    'Cells',
    table(
      ['cell', 'type', 'compute (prod -> staging)', 'db GiB', ...SIDES.map((s) => `${s} db / mq`)],
      plan.cells.map((c) => [
        c.name,
        c.type,
        c.type === 'api' ? '-' : `${c.productionComputeHosts} -> ${c.computeHosts}`,
        c.dbSizeGiB,
        ...SIDES.map((s) => `${c.database[s].join(',')} / ${c.rabbitmq[s].join(',')}`),
      ]),
      width,
    ),
    'Swift rings (account 6002, container 6001, object 6000)',
    table(
      ['part power', 'replicas', 'min_part_hours', 'regions/zones', 'nodes per zone (prod -> staging)', 'devices per node', 'device GiB'],
      [
        [
          plan.swift.partPower,
          plan.swift.replicas,
          plan.swift.minPartHours,
          plan.swift.regions.map((r) => `r${r.id}:z${r.zones.map((z) => z.id).join(',z')}`).join(' '),
          plan.swift.regions.flatMap((r) => r.zones.map((z) => `${z.productionNodes}->${z.nodes}`)).join(' '),
          `${plan.swift.productionDevicesPerNode} -> ${plan.swift.devicesPerNode}`,
          `${plan.swift.productionDeviceSizeGiB} -> ${plan.swift.deviceSizeGiB}`,
        ],
      ],
      width,
    ),
    'Nodes',
    table(['role', 'old', 'new', 'shared', 'size'], nodeRows(plan), width),
    ...hostTables(plan, width),
    'Fidelity',
    table(
      ['component', 'production', 'staging', 'verdict', 'reason'],
      plan.fidelity.map((f) => [f.component, f.production, f.staging, f.verdict, f.reason]),
      width,
    ),
    'Cost per hour',
    table(
      ['item', 'count', 'unit', 'per hour'],
      plan.cost.lines.map((l) => [l.item, l.count, l.unitPerHour, l.perHour.toFixed(4)]),
      width,
    ),
  );
  return out.join('\n');
}

function nodeRows(plan: StagingPlan): string[][] {
  const roles = [...new Set(plan.nodes.map((n) => n.role))];
  return roles.map((role) => {
    const of = (side: string) => plan.nodes.filter((n) => n.role === role && n.side === side).length;
    const sizes = [
      ...new Set(
        plan.nodes
          .filter((n) => n.role === role)
          .map(
            (n) =>
              `${n.size.offer === GUEST_OFFER ? `guest of ${n.size.vcpus} vCPU/${n.size.memoryGiB} GiB` : n.size.offer}${n.hypervisor ? ` (kvm ${n.hypervisor.acceleration})` : ''}`,
          ),
      ),
    ];
    return [role, String(of('old')), String(of('new')), String(of('shared')), sizes.join(', ')];
  });
}

/** Where the nodes are KVM guests: the hosts, their size and their guests, and the packing rules. */
function hostTables(plan: StagingPlan, width: number): string[] {
  const placement = plan.placement;
  if (placement.kind !== 'hypervisors') return [];
  const { cpuOvercommit, memoryOvercommit, hostReserve } = placement.packing;
  return [
    'Hypervisor hosts',
    `(${cpuOvercommit} guest vCPU per host vCPU, ${memoryOvercommit} GiB of guest memory per GiB; ${hostReserve.vcpus} vCPU, ${hostReserve.memoryGiB} GiB kept per host)`,
    table(
      ['host', 'side', 'zone', 'size', 'kvm', 'guests'],
      placement.hosts.map((h) => [h.name, h.side, h.zone, h.size.offer, h.kvm, h.guests.join(' ')]),
      width,
    ),
  ];
}
