/**
 * Swift rings per side: a bash script that builds the account, container and
 * object rings with production's part power, replicas, min_part_hours and
 * region/zone layout over the side's staging devices, rebalances them, and (with
 * --distribute) copies the ring files to every Swift node of the side. Without
 * --distribute it only builds, so it runs anywhere swift-ring-builder does.
 */
import type { NodePlan, Side, StagingPlan } from '../plan/types';
import { addressOf, nodesOf } from './endpoints';
import { shFunction } from './shell';

export const RINGS = ['account', 'container', 'object'] as const;
export type RingName = (typeof RINGS)[number];

/** Fixed rebalance seed: the same plan gives the same partition placement. */
export const REBALANCE_SEED = 1;

/** One ring device, as `add` takes it: r<region>z<zone>-<ip>:<port>/<device> <weight>. */
export interface RingDevice {
  readonly region: number;
  readonly zone: number;
  /** Storage-network address of the node. */
  readonly ip: string;
  readonly device: string;
  /** Weight in GiB, so that bigger devices get proportionally more partitions. */
  readonly weight: number;
}

export function ringDevices(plan: StagingPlan, side: Side): RingDevice[] {
  return nodesOf(plan, 'swift-storage', side).flatMap((node) => {
    if (!node.swiftZone) throw new Error(`${node.name} is a Swift storage node without a region and zone`);
    const { region, zone } = node.swiftZone;
    return node.volumes
      .filter((v) => v.purpose === 'swift-device')
      .map((v) => ({ region, zone, ip: addressOf(node, 'storage'), device: v.name, weight: v.sizeGiB }));
  });
}

/** Every Swift node of a side gets the rings: proxies and storage nodes, by management address. */
export const ringHolders = (plan: StagingPlan, side: Side): NodePlan[] => [
  ...nodesOf(plan, 'swift-proxy', side),
  ...nodesOf(plan, 'swift-storage', side),
];

const addLine = (d: RingDevice): string => `"r${d.region}z${d.zone}-${d.ip}:$2/${d.device}" ${d.weight}`;

const REBALANCE = shFunction(
  'rebalance',
  'swift-ring-builder exits 0 when saved, 1 on a warning (saved with a balance or dispersion note, or not saved at all), 2 on an error.',
  [
    'local status=0',
    'swift-ring-builder "$1.builder" rebalance "$SEED" || status=$?',
    'case "$status" in',
    '  0) ;;',
    '  1)',
    '    [ -s "$1.ring.gz" ] || fail "$1: rebalance warned and wrote no ring"',
    '    echo "warning: $1: rebalance finished with a warning (see above); the ring was written" >&2',
    '    ;;',
    '  *) fail "$1: rebalance failed (exit $status)" ;;',
    'esac',
  ],
);

const BUILD = shFunction('build_ring', 'Builds one ring (name, port) from nothing; an existing builder or ring is never overwritten.', [
  'if [ -e "$1.builder" ] || [ -e "$1.ring.gz" ]; then fail "$1 already built in $(pwd): build in an empty directory"; fi',
  'swift-ring-builder "$1.builder" create "$PART_POWER" "$REPLICAS" "$MIN_PART_HOURS"',
  'add_devices "$1.builder" "$2"',
  'rebalance "$1"',
]);

const DISTRIBUTE = shFunction(
  'distribute',
  'Copies the ring files to /etc/swift on every Swift node of the side, over the management network.',
  [
    'local node',
    'for node in $SWIFT_NODES; do',
    '  scp -q -o BatchMode=yes account.ring.gz container.ring.gz object.ring.gz "$ssh_user@$node:"',
    '  ssh -o BatchMode=yes "$ssh_user@$node" sudo install -m 0644 -t /etc/swift account.ring.gz container.ring.gz object.ring.gz',
    '  echo "rings installed on $node" >&2',
    'done',
  ],
);

export function buildRingsScript(plan: StagingPlan, side: Side): string {
  const s = plan.swift;
  const devices = ringDevices(plan, side);
  const usage = [
    `usage: ${side}-build-rings.sh [--dir DIR] [--distribute [--ssh-user USER]]`,
    '  --dir DIR        build in DIR (default: the current directory), which must hold no builder yet',
    '  --distribute     then copy the *.ring.gz files to /etc/swift on every Swift node of the side',
    '  --ssh-user USER  SSH user for --distribute, with sudo on the nodes (default: centos)',
  ];
  const layout = s.regions.map((r) => `r${r.id}: z${r.zones.map((z) => z.id).join(',z')}`).join('; ');
  return [
    '#!/bin/bash',
    `# Swift rings of the ${side} side of ${plan.rehearsalId}: account (${s.ports.account}), container (${s.ports.container})`,
    `# and object (${s.ports.object}), with production's part power ${s.partPower}, ${s.replicas} replicas, min_part_hours ${s.minPartHours}`,
    `# and regions/zones (${layout}); ${devices.length} staging devices, weight = size in GiB.`,
    '#',
    ...usage.map((line) => `# ${line}`),
    'set -euo pipefail',
    '',
    `PART_POWER=${s.partPower}`,
    `REPLICAS=${s.replicas}`,
    `MIN_PART_HOURS=${s.minPartHours}`,
    `SEED=${REBALANCE_SEED}`,
    `# Swift proxies and storage nodes of the ${side} side (management addresses).`,
    `SWIFT_NODES="${ringHolders(plan, side)
      .map((n) => addressOf(n))
      .join(' ')}"`,
    '',
    ...shFunction(
      'usage',
      'The usage lines of the header.',
      usage.map((line) => `echo '${line}'`),
    ),
    ...shFunction('fail', 'Stops with a reason.', ['echo "error: $*" >&2', 'exit 2']),
    ...shFunction('add_devices', 'Adds every staging device of the side to a ring (builder, port), in one call.', [
      'swift-ring-builder "$1" add \\',
      ...devices.map((d, i) => `  ${addLine(d)}${i < devices.length - 1 ? ' \\' : ''}`),
    ]),
    ...REBALANCE,
    ...BUILD,
    ...DISTRIBUTE,
    'dir=.',
    'distribute=no',
    'ssh_user=centos',
    'while [ "$#" -gt 0 ]; do',
    '  case "$1" in',
    '    --dir) [ "$#" -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift 2 ;;',
    '    --distribute) distribute=yes; shift ;;',
    '    --ssh-user) [ "$#" -ge 2 ] || { usage >&2; exit 2; }; ssh_user=$2; shift 2 ;;',
    '    -h|--help) usage; exit 0 ;;',
    '    *) usage >&2; exit 2 ;;',
    '  esac',
    'done',
    '',
    'mkdir -p "$dir"',
    'cd "$dir"',
    '# The three rings are independent and each rebalance runs on one core: build them side by side.',
    "pids=''",
    ...RINGS.map((ring) => `build_ring ${ring} ${s.ports[ring]} & pids="$pids $!"`),
    'failed=0',
    'for pid in $pids; do wait "$pid" || failed=1; done',
    '[ "$failed" = 0 ] || fail "not every ring was built (see above)"',
    'if [ "$distribute" = yes ]; then distribute; fi',
    '',
  ].join('\n');
}
