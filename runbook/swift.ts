/**
 * Swift data copy, procedure steps 2 and 4: each old storage node pushes its
 * devices to the new storage node in the same region and zone with rsync, over
 * the storage network, to the rsync daemon Swift's own replication uses
 * (modules `object`, `container`, `account` rooted at /srv/node), with the
 * object servers' pending container updates. Chosen over a
 * `swift` client copy through the proxies because it keeps the on-disk layout,
 * timestamps and the metadata Swift keeps in extended attributes (`-X`), reads no
 * object twice, and a second pass copies only what changed (the delta of step 4).
 * Both sides build their rings with the same seed from the same layout, so a
 * partition lands on the same device; anything misplaced is moved by the new
 * side's replicators.
 */
import { addressOf } from '../assets/endpoints';
import type { NodePlan, StagingPlan } from '../plan/types';
import { nodesWith, onNode, work, type Context } from './remote';
import type { Phase, Step } from './types';
import { CHECKS } from './staging-cli';

const zoneKey = (n: NodePlan): string => `r${n.swiftZone?.region}z${n.swiftZone?.zone}`;

/** Old storage node -> new storage node, matched by zone, then by rank within the zone. */
export function swiftPairs(plan: StagingPlan): [NodePlan, NodePlan][] {
  const old = nodesWith(plan, 'old', ['swift-storage']);
  const fresh = nodesWith(plan, 'new', ['swift-storage']);
  return old.map((o) => {
    const sameZoneOld = old.filter((n) => zoneKey(n) === zoneKey(o));
    const sameZoneNew = fresh.filter((n) => zoneKey(n) === zoneKey(o));
    const target = sameZoneNew[sameZoneOld.indexOf(o) % Math.max(1, sameZoneNew.length)];
    if (!target) throw new Error(`no new Swift storage node in ${zoneKey(o)} to copy ${o.name} to`);
    return [o, target];
  });
}

export function swiftCopyStep(ctx: Context, phase: Phase, round: string, pass: 'initial' | 'delta'): Step {
  const del = pass === 'delta' ? ' --delete' : '';
  const commands = swiftPairs(ctx.plan).map(([from, to]) =>
    onNode(ctx, from.name, [
      `target=${addressOf(to, 'storage')}`,
      'for dev in /srv/node/*/; do',
      '  dev=$(basename "$dev")',
      '  for module in account container object; do',
      '    [ -d "/srv/node/$dev/$module"s ] || continue',
      `    rsync -aHX --numeric-ids${del} "/srv/node/$dev/$module"s/ "$target::$module/$dev/$module"s/`,
      '  done',
      // Container updates the object servers could not make yet (swift/obj/diskfile.py: async_pending, async_pending-N
      // per storage policy): without them the new side's container listings would miss objects the old side accepted.
      '  for pending in "/srv/node/$dev"/async_pending*/; do',
      '    [ -d "$pending" ] || continue',
      `    rsync -aHX --numeric-ids${del} "$pending" "$target::object/$dev/$(basename "$pending")/"`,
      '  done',
      'done',
    ]),
  );
  return {
    id: `${round}.swift-copy-${pass}`,
    phase,
    title:
      pass === 'initial'
        ? 'Copy Swift data to the new storage nodes while the old side serves'
        : 'Copy the Swift data that changed meanwhile (rsync delta, API closed)',
    where: 'operator',
    commands,
    checks: ["rsync exits 0 on every pair; the new side's replicators settle after start"],
    rollbackSafe: true,
  };
}

/** Object files (`.data`, one per stored object replica) and their bytes under a storage node's devices. */
const OBJECT_COUNT = [
  "find /srv/node -path '*/objects/*' -name '*.data' -printf '%s\\n' 2>/dev/null | awk '{ n++; b += $1 } END { print n + 0, b + 0 }'",
];

/**
 * After the delta copy, with the API closed: each new storage node holds the same
 * object files, byte for byte in total, as the old node it was copied from.
 */
export function swiftParityStep(ctx: Context, phase: Phase, round: string): Step {
  const counts = work(ctx, `swift-parity-${round}.txt`);
  return {
    id: `${round}.swift-parity`,
    phase,
    title: 'Check that every new storage node holds what its old twin holds',
    where: 'operator',
    commands: [
      `: > ${counts}`,
      ...swiftPairs(ctx.plan).map(([from, to]) =>
        [
          // A failed count fails the step, not just its line.
          'set -e',
          `old=$(${onNode(ctx, from.name, OBJECT_COUNT)}`,
          ')',
          `new=$(${onNode(ctx, to.name, OBJECT_COUNT)}`,
          ')',
          `echo "${from.name} ${to.name} $old $new" >> ${counts}`,
        ].join('\n'),
      ),
      `${CHECKS} swift-parity ${counts}`,
    ],
    checks: ['the same object files and bytes on both nodes of every pair'],
    rollbackSafe: true,
  };
}
